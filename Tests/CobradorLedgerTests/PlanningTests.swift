import CobradorCore
import CobradorTestSupport
import Foundation
import GRDB
import Testing

@testable import CobradorLedger

/// The ledger as the planner's source and sink: what goes into a pass, and what a pass records.
@Suite struct PlanningTests {
    let euro = Currency(code: "EUR")!
    let folder = TemporaryDirectory()
    let ledger: Ledger
    let now = Date(timeIntervalSince1970: 1_796_025_600)  // 2026-11-30 09:00 Madrid
    let configuration = try! ConfigurationLoader.load(
        text: "ledger = \"x\"\n[sender]\nlegal_name = \"L\"\nemail = \"l@l.example\"\n[policy]\ntime_zone = \"Europe/Madrid\"\nthank_you = true",
        file: "t.toml", baseDirectory: "/tmp")

    func input(clientCode: String? = nil) throws -> PlannerInput {
        try ledger.plannerInput(at: now, through: now, configuration: configuration, clientCode: clientCode)
    }

    init() throws {
        ledger = try Ledger.create(path: folder.file("ledger.sqlite"))
        try ledger.addClient(Client(code: "ACME", name: "Acme", emails: ["a@acme.example"], language: .es, country: "ES", debtorKind: .company))
        try ledger.addClient(Client(code: "PAID", name: "Paid", emails: ["p@paid.example"], language: .en, country: "GB", debtorKind: .company))
        for (number, client, due) in [("F-1", "ACME", "2026-10-01"), ("F-2", "ACME", "2026-11-01"), ("P-1", "PAID", "2026-10-01"), ("P-2", "PAID", "2026-06-01")] {
            try ledger.addInvoice(
                Invoice(number: number, clientID: 0, concept: "Work", issueDate: CalendarDate(iso: "2026-05-01")!, dueDate: CalendarDate(iso: due)!, gross: Money(minorUnits: 100_00, currency: euro)),
                clientCode: client)
        }
        try ledger.addPayment(Payment(invoiceID: 0, amount: Money(minorUnits: 100_00, currency: euro), valueDate: CalendarDate(iso: "2026-11-27")!), invoiceNumber: "P-1")
        try ledger.addPayment(Payment(invoiceID: 0, amount: Money(minorUnits: 100_00, currency: euro), valueDate: CalendarDate(iso: "2026-07-01")!), invoiceNumber: "P-2")
        try ledger.write { db in
            // What the daemon writes: one sent reminder, one that failed for good; and the owner's
            // own note of a call, which has no stage and does not take the cadence's turn.
            for (stage, status) in [("reminder-1", "sent"), ("reminder-2", "failed"), (nil as String?, "recorded")] {
                try db.execute(
                    sql: "INSERT INTO contact (client_id, stage, channel, status, occurred_at) VALUES (1, ?, 'email', ?, '2026-10-08T08:00:00Z')",
                    arguments: [stage, status])
                try db.execute(sql: "INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (?, 1)", arguments: [db.lastInsertedRowID])
            }
        }
    }

    @Test func aPassSeesUnpaidInvoicesRecentPaymentsAndTheContactsThatCount() throws {
        let snapshot = try input()
        let acme = try #require(snapshot.clients.first { $0.client.code == "ACME" })
        #expect(acme.invoices.map(\.invoice.number) == ["F-1", "F-2"])
        #expect(acme.contacts.map(\.stage) == ["reminder-1"])
        #expect(acme.contacts.first?.invoiceIDs == [1])
        let paid = try #require(snapshot.clients.first { $0.client.code == "PAID" })
        #expect(paid.invoices.map(\.invoice.number) == ["P-1"])  // paid 3 days ago: a thank-you candidate; P-2 long settled
        #expect(paid.invoices.first?.payments.map(\.valueDate.description) == ["2026-11-27"])
        #expect(try input(clientCode: "PAID").clients.map(\.client.code) == ["PAID"])
    }

    /// A promise broke, then a dispute on the same invoices was opened and resolved: the pass
    /// must see the dispute too, or the broken promise's stale notice would go out.
    @Test func aNegotiationThatSupersededABrokenOneIsStillSeenAfterItCloses() throws {
        let promise = try ledger.openNegotiation(
            Negotiation(clientID: 0, kind: .promise, invoiceIDs: [], openedAt: now.addingTimeInterval(-86_400 * 10), promisedDate: CalendarDate(iso: "2026-11-20")),
            clientCode: "ACME", invoiceNumbers: ["F-1", "F-2"])
        _ = try ledger.closeNegotiation(id: try #require(promise.negotiation.id), outcome: .broken, note: nil, now: now.addingTimeInterval(-86_400 * 5))
        let dispute = try ledger.openNegotiation(
            Negotiation(clientID: 0, kind: .dispute, invoiceIDs: [], openedAt: now.addingTimeInterval(-86_400 * 4), reason: "Hours"),
            clientCode: "ACME", invoiceNumbers: ["F-1", "F-2"])
        _ = try ledger.closeNegotiation(id: try #require(dispute.negotiation.id), outcome: .resolved, note: nil, now: now.addingTimeInterval(-86_400))
        let acme = try #require(try input().clients.first { $0.client.code == "ACME" })
        #expect(acme.negotiations.map(\.negotiation.kind) == [.promise, .dispute])
        let events = Planner(configuration: configuration).events(try input(), from: now, through: now.addingTimeInterval(86_400))
        #expect(!events.contains { $0.stage == "promise-broken" }, "\(events.map(\.stage))")
    }

    @Test func transitionsAreRecordedOnceWithTheirTimeAndCause() throws {
        let promise = try ledger.openNegotiation(
            Negotiation(clientID: 0, kind: .promise, invoiceIDs: [], openedAt: now.addingTimeInterval(-86_400 * 10), promisedDate: CalendarDate(iso: "2026-11-20")),
            clientCode: "ACME", invoiceNumbers: ["F-1"])
        let id = try #require(promise.negotiation.id)
        let events = Planner(configuration: configuration).events(try input(), from: now, through: now)
        let broken = try #require(events.first { $0.kind == .promiseBroken })
        try ledger.record(broken)
        try ledger.record(broken)
        let record = try ledger.negotiation(id: id)
        #expect(record.negotiation.outcome == .broken)
        #expect(record.negotiation.closedAt == broken.at)
        // The negotiation's log, as another program reads it: the break recorded once.
        let log = try ledger.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT kind, cause FROM negotiation_event WHERE negotiation_id = ? ORDER BY at, id", arguments: [id])
                .map { (kind: $0["kind"] as String, cause: $0["cause"] as String) }
        }
        #expect(log.map(\.kind) == ["opened", "promise-broken"])
        #expect(log.last?.cause.contains("promised for 2026-11-20, still unpaid") == true)
        // The next pass still sees the broken promise, to send its notice once.
        let again = Planner(configuration: configuration).events(try input(), from: now, through: now)
        #expect(again.contains { $0.kind == .message && $0.stage == "promise-broken" })
        #expect(!again.contains { $0.kind == .promiseBroken })
    }

    @Test func aPlanCountsThePaymentsOnInvoicesItAlreadySettled() throws {
        try ledger.addInvoice(
            Invoice(number: "F-3", clientID: 0, concept: "Work", issueDate: CalendarDate(iso: "2026-09-01")!, dueDate: CalendarDate(iso: "2026-10-01")!, gross: Money(minorUnits: 100_00, currency: euro)),
            clientCode: "ACME")
        _ = try ledger.openNegotiation(
            Negotiation(clientID: 0, kind: .plan, invoiceIDs: [], openedAt: Date(timeIntervalSince1970: 1_792_490_400), instalments: [  // 2026-10-20
                Instalment(dueDate: CalendarDate(iso: "2026-11-01")!, amount: Money(minorUnits: 100_00, currency: euro)),
                Instalment(dueDate: CalendarDate(iso: "2026-12-15")!, amount: Money(minorUnits: 200_00, currency: euro)),
            ]), clientCode: "ACME", invoiceNumbers: ["F-1", "F-2", "F-3"])
        // The first instalment arrives on time and settles F-3, weeks before this pass.
        try ledger.addPayment(Payment(invoiceID: 0, amount: Money(minorUnits: 100_00, currency: euro), valueDate: CalendarDate(iso: "2026-10-30")!), invoiceNumber: "F-3")
        let pass = Planner(configuration: configuration).events(try input(), from: now, through: now)
        #expect(!pass.contains { $0.kind == .planBroken }, "\(pass.map(\.reasons))")
    }

    @Test func aHandedOverInvoiceLeavesThePlanner() throws {
        let event = PlannedEvent(
            kind: .handOver, at: now, clientID: 1, clientCode: "ACME", stage: nil, template: nil, channel: nil, invoiceIDs: [1],
            invoiceNumbers: ["F-1"], negotiationID: nil, reasons: ["final-notice went out and 14 days passed unpaid"])
        try ledger.record(event)
        let snapshot = try input()
        #expect(snapshot.clients.first { $0.client.code == "ACME" }?.invoices.map(\.invoice.number) == ["F-2"])
        let cause = try ledger.read { db in try String.fetchOne(db, sql: "SELECT hand_over_cause FROM invoice WHERE id = 1") }
        #expect(cause == "final-notice went out and 14 days passed unpaid")
    }
}
