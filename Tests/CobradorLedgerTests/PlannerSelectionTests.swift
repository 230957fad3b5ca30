import CobradorCore
import CobradorTestSupport
import Foundation
import GRDB
import Testing

@testable import CobradorLedger

/// A pass loads only the clients its SQL selection picks; what the planner then decides must
/// equal what it decides with every client loaded. Checked on random ledgers.
@Suite struct PlannerSelectionTests {
    @Test(arguments: 0..<48)
    func theSelectionNeverLeavesOutAClientTheFullLedgerWouldAct(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed) &+ 1)
        let folder = TemporaryDirectory()
        let ledger = try Ledger.create(path: folder.file("ledger.sqlite"))
        let euro = Currency(code: "EUR")!
        var configuration = try ConfigurationLoader.load(
            text: "ledger = \"x\"\n[sender]\nlegal_name = \"L\"\nemail = \"l@l.example\"\n[policy]\ntime_zone = \"Europe/Madrid\"\nhand_over_days = 10",
            file: "t.toml", baseDirectory: "/tmp")
        configuration.policy.thankYou = random.next(2) == 0
        if random.next(2) == 0 { configuration.cadence[3].repeatEveryDays = 4; configuration.cadence[3].repeatTimes = 2 }
        let today = CalendarDate(iso: "2026-11-30")!
        let now = Date(timeIntervalSince1970: 1_796_029_200)  // 2026-11-30 10:00 Madrid
        let stages = configuration.cadence
        for clientIndex in 0..<8 {
            let code = "C\(clientIndex)"
            try ledger.addClient(Client(code: code, name: code, emails: ["\(code.lowercased())@x.example"], language: .es, country: "ES", debtorKind: .company))
            for invoiceIndex in 0..<(1 + random.next(4)) {
                let number = "\(code)-\(invoiceIndex)"
                let due = today.adding(days: random.next(200) - 170)
                try ledger.addInvoice(
                    Invoice(number: number, clientID: 0, concept: "x", issueDate: due.adding(days: -30), dueDate: due, gross: Money(minorUnits: 100_00, currency: euro)),
                    clientCode: code)
                if random.next(4) == 0 {
                    try ledger.addPayment(Payment(invoiceID: 0, amount: Money(minorUnits: 100_00, currency: euro), valueDate: max(due.adding(days: -30), today.adding(days: -random.next(12)))), invoiceNumber: number)
                }
                let reached = random.next(stages.count + 1)
                try ledger.write { db in
                    for (index, stage) in stages.prefix(reached).enumerated() {
                        let day = due.adding(days: stage.offsetDays + index)
                        guard day < today else { break }
                        try db.execute(
                            sql: "INSERT INTO contact (client_id, stage, channel, status, occurred_at) VALUES ((SELECT id FROM client WHERE code = ?), ?, 'email', 'sent', ?)",
                            arguments: [code, stage.name, "\(day)T08:30:00Z"])
                        try db.execute(
                            sql: "INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (?, (SELECT id FROM invoice WHERE number = ?))",
                            arguments: [db.lastInsertedRowID, number])
                    }
                }
            }
            if random.next(4) == 0 {
                _ = try? ledger.openNegotiation(
                    Negotiation(clientID: 0, kind: .promise, invoiceIDs: [], openedAt: now.addingTimeInterval(-86_400 * 5), promisedDate: today.adding(days: random.next(10) - 8)),
                    clientCode: code, invoiceNumbers: [])
            }
        }
        let planner = Planner(configuration: configuration)
        for horizon in [0, 3, 30] {
            let end = now.addingTimeInterval(Double(horizon) * 86_400)
            let selected = planner.events(try ledger.plannerInput(at: now, through: end, configuration: configuration), from: now, through: end)
            var everyone: [PlannedEvent] = []
            for client in try ledger.clients() {
                everyone += planner.events(try ledger.plannerInput(at: now, through: end, configuration: configuration, clientCode: client.code), from: now, through: end)
            }
            everyone.sort(by: Planner.order)
            #expect(selected == everyone, "seed \(seed), horizon \(horizon) days")
        }
    }
}
