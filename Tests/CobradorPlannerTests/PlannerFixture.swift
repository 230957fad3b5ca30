import CobradorCore
import Foundation

/// A small world for planner tests: a configuration, clients in Madrid (or elsewhere) and
/// helpers to write moments as the client's local time.
struct PlannerFixture {
    var configuration: Configuration
    let euro = Currency(code: "EUR")!

    /// The default cadence, Monday to Friday 09:00-18:00 in Europe/Madrid, plus `extra` TOML.
    init(_ extra: String = "") throws {
        configuration = try ConfigurationLoader.load(
            text: """
                ledger = "ledger.sqlite"
                [sender]
                legal_name = "Lucía Martín"
                email = "cobros@lucia.example"
                \(extra)
                """, file: "test.toml", baseDirectory: "/tmp")
        if !extra.contains("[policy]") { configuration.policy.timeZone = "Europe/Madrid" }
    }

    var planner: Planner { Planner(configuration: configuration) }

    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    /// "2026-11-30 10:00" in `zone` (Madrid by default).
    static func at(_ text: String, zone: String = "Europe/Madrid") -> Date {
        let parts = text.split(separator: " ")
        let day = CalendarDate(iso: parts[0])!
        let clock = parts[1].split(separator: ":").map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: clock[0], minute: clock[1]))!
    }

    static func client(_ id: Int64, _ code: String, zone: String? = nil, country: String = "ES", pause: Pause? = nil) -> Client {
        Client(
            id: id, code: code, name: code, emails: ["\(code.lowercased())@example.com"], language: .es, timeZone: zone, country: country,
            debtorKind: .company, pause: pause)
    }

    func invoice(_ id: Int64, due: String, owed: Int64 = 100_00, gross: Int64? = nil, pause: Pause? = nil, payments: [Payment] = []) -> PlannerInput.InvoiceState {
        PlannerInput.InvoiceState(
            invoice: Invoice(
                id: id, number: "F-\(id)", clientID: 0, concept: "Work", issueDate: Self.day(due).adding(days: -30), dueDate: Self.day(due),
                gross: Money(minorUnits: gross ?? owed, currency: euro), pause: pause),
            balance: Money(minorUnits: owed, currency: euro), payments: payments)
    }

    /// A compact view of events for assertions: "2026-11-30 10:00 message reminder-1 [F-1]".
    func describe(_ events: [PlannedEvent], zone: String = "Europe/Madrid") -> [String] {
        events.map { event in
            let local = Planner.localTime(event.at, in: TimeZone(identifier: zone)!).replacingOccurrences(of: " \(zone)", with: "")
            return "\(local) \(event.kind.rawValue)\(event.stage.map { " \($0)" } ?? "") [\(event.invoiceNumbers.joined(separator: ","))]"
        }
    }

    func forecast(_ files: [PlannerInput.ClientFile], from start: String, days: Int) -> [String] {
        let begin = Self.at(start)
        return describe(planner.events(PlannerInput(clients: files), from: begin, through: begin.addingTimeInterval(Double(days) * 86_400)))
    }
}
