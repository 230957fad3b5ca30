import ArgumentParser
import CobradorCore
import CobradorDaemon
import CobradorLedger
import Foundation

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "What will go out in the next days, to whom, at which stage, and why.",
        discussion: HelpText.flowing("""
            The forecast assumes nothing is paid meanwhile and every message goes out when
            planned; the daemon uses the same planner, so what it sends is what this
            shows. Times are the client's local time. `--explain` tells why one invoice is
            or is not chased.
            Examples:
              cobrador plan
              cobrador plan --days 30 --client ACME --json
              cobrador plan --explain F-2026-041
            """))

    @OptionGroup var global: GlobalOptions
    @Option(help: "How many days ahead (default 14; 0 shows what a pass would do at this moment).") var days = 14
    @Option(help: "Only this client.") var client: String?
    @Option(help: "Explain why this invoice is or is not being chased now.") var explain: String?
    @Option(help: "Plan as of this moment instead of now (ISO 8601, such as 2026-12-01T09:00:00+01:00, or a day: its start in [policy] time_zone).")
    var at: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (configuration, ledger) = try global.openLedger()
        guard (0...366).contains(days) else { throw CommandFailure("--days: \(days) is not valid: expected 0 (a pass now) to 366") }
        var now = Date()
        if let at {
            let zone = TimeZone(identifier: configuration.policy.timeZone) ?? .current
            guard let parsed = (try? Date(at, strategy: .iso8601)) ?? CalendarDate(iso: at).map({ SendWindow(policy: configuration.policy, timeZone: zone, country: "").startOfDay($0) })
            else {
                throw CommandFailure("--at: \"\(at)\" is not valid: expected an ISO 8601 moment such as 2026-12-01T09:00:00+01:00, or a day such as 2026-12-01")
            }
            now = parsed
        }
        let planner = Planner(configuration: configuration)
        // E-mails to a client whose address the relay refused wait for the owner.
        let refused = try ledger.clientsWithBadAddresses()
        func heldReason(_ clientCode: String) -> String? {
            refused[clientCode].map {
                "held: the relay refused \($0.address) (\($0.reply)); correct it with `cobrador client edit \(clientCode) --email ...`"
            }
        }
        if let explain {
            let invoice = try ledger.invoice(number: explain)
            let horizon = now.addingTimeInterval(Double(max(days, 90)) * 86_400)
            let input = try ledger.plannerInput(at: now, through: horizon, configuration: configuration, clientCode: invoice.clientCode)
            // A handed-over invoice is not the planner's any more: say so rather than "nothing owed".
            let lines = invoice.handedOver
                ? ["not chased: handed over to you (lawyer, court, agency) with \(invoice.balance) unpaid; no automatic message goes out for it"]
                : planner.explain(input, invoiceID: invoice.invoice.id ?? 0, at: now, horizonDays: max(days, 90))
                + (heldReason(invoice.clientCode).map { ["no e-mail goes out: " + $0] } ?? [])
            if output.json { return try Terminal.printJSON(["invoice": explain, "explanation": lines.joined(separator: "\n")]) }
            print("Invoice \(explain), as of \(Planner.localTime(now, in: TimeZone(identifier: configuration.policy.timeZone) ?? .current)):")
            lines.forEach { print("  \($0)") }
            return
        }
        let end = now.addingTimeInterval(Double(days) * 86_400)
        let input = try ledger.plannerInput(at: now, through: end, configuration: configuration, clientCode: client)
        let events = planner.events(input, from: now, through: end)
        let zones = Dictionary(uniqueKeysWithValues: input.clients.map {
            ($0.client.id ?? 0, TimeZone(identifier: $0.client.timeZone ?? configuration.policy.timeZone) ?? .current)
        })
        let refusedDispatches = try ledger.refusedDispatches()
        func held(_ event: PlannedEvent) -> String? {
            guard event.kind == .message else { return nil }
            return heldReason(event.clientCode)
                ?? refusedDispatches[Pass.dispatchPrefix(event)].map {
                    "held: the relay refused this message before (\($0)); `cobrador client edit \(event.clientCode) --email ...` (even the same address) lets it go"
                }
        }
        if output.json {
            return try Terminal.printJSON(events.map { JSONView($0, zone: zones[$0.clientID] ?? .current, held: held($0)) })
        }
        guard !events.isEmpty else {
            print(days == 0 ? "Nothing goes out now." : "Nothing planned in the next \(days) day\(days == 1 ? "" : "s").")
            return
        }
        Terminal.printTable(
            ["WHEN (CLIENT'S TIME)", "CLIENT", "WHAT", "INVOICES", "WHY"],
            events.map { event in
                [
                    Planner.localTime(event.at, in: zones[event.clientID] ?? .current), event.clientCode, Self.what(event),
                    event.invoiceNumbers.joined(separator: ", "), held(event) ?? event.reasons.first ?? "",
                ]
            })
    }

    static func what(_ event: PlannedEvent) -> String {
        switch event.kind {
        case .message: "e-mail \(event.stage ?? "")"
        case .task: "task: \(event.channel?.rawValue ?? "contact") (\(event.stage ?? ""))"
        case .handOver: "hand over to lawyer/agency"
        default: event.kind.rawValue + (event.negotiationID.map { " #\($0)" } ?? "")
        }
    }

    /// A planned event as JSON.
    struct JSONView: Encodable {
        var at: Date
        var localTime: String
        var client: String
        var kind: String
        var stage: String?
        var template: String?
        var channel: String?
        var invoices: [String]
        var negotiation: Int64?
        var reasons: [String]
        /// Why an e-mail will not go until the owner acts (a refused address).
        var held: String?

        init(_ event: PlannedEvent, zone: TimeZone, held: String?) {
            at = event.at
            localTime = Planner.localTime(event.at, in: zone)
            client = event.clientCode
            kind = event.kind.rawValue
            stage = event.stage
            template = event.template
            channel = event.channel?.rawValue
            invoices = event.invoiceNumbers
            negotiation = event.negotiationID
            reasons = event.reasons
            self.held = held
        }

        enum CodingKeys: String, CodingKey {
            case at, client, kind, stage, template, channel, invoices, negotiation, reasons, held
            case localTime = "local_time"
        }
    }
}
