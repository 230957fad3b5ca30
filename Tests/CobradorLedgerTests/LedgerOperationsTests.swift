import CobradorCore
import CobradorTestSupport
import Foundation
import Testing

@testable import CobradorLedger

@Suite struct LedgerOperationsTests {
    let euro = Currency(code: "EUR")!
    let folder = TemporaryDirectory()
    let ledger: Ledger

    init() throws {
        ledger = try Ledger.create(path: folder.file("ledger.sqlite"))
        try ledger.addClient(Client(code: "ACME", name: "Acme", emails: ["a@acme.example", "b@acme.example"], language: .es, country: "ES", debtorKind: .company))
        try ledger.addClient(Client(code: "BRIT", name: "Brit", emails: ["ap@brit.example"], language: .en, country: "GB", debtorKind: .company))
        try ledger.addInvoice(invoice("F-1", 1815_00, due: "2026-10-01"), clientCode: "ACME")
        try ledger.addInvoice(invoice("F-2", 300_00, due: "2026-12-01"), clientCode: "ACME")
    }

    func invoice(_ number: String, _ minor: Int64, due: String, currency: Currency? = nil) -> Invoice {
        Invoice(
            number: number, clientID: 0, concept: "Work", issueDate: CalendarDate(iso: "2026-09-01")!, dueDate: CalendarDate(iso: due)!,
            gross: Money(minorUnits: minor, currency: currency ?? euro))
    }

    func pay(_ number: String, _ minor: Int64, on day: String = "2026-11-01") throws {
        try ledger.addPayment(
            Payment(invoiceID: 0, amount: Money(minorUnits: minor, currency: euro), valueDate: CalendarDate(iso: day)!), invoiceNumber: number)
    }

    @Test func theBalanceIsGrossMinusPayments() throws {
        try pay("F-1", 500_00)
        try pay("F-1", 315_00)
        let summary = try ledger.invoice(number: "F-1")
        #expect(summary.paid.minorUnits == 815_00)
        #expect(summary.balance.minorUnits == 1000_00)
        try pay("F-1", 1000_00)
        #expect(try ledger.invoice(number: "F-1").balance.minorUnits == 0)
        #expect(try ledger.invoices(matching: .init(unpaidOnly: true)).map(\.invoice.number) == ["F-2"])
    }

    @Test func paymentsThatCannotBeRightAreRefused() throws {
        try pay("F-2", 200_00)
        let tooMuch = #expect(throws: LedgerError.self) { try pay("F-2", 100_01) }
        #expect(tooMuch?.description == "the payment of 100.01 EUR is more than the 100.00 EUR still owed on invoice F-2")
        let pounds = #expect(throws: LedgerError.self) {
            try ledger.addPayment(
                Payment(invoiceID: 0, amount: Money(minorUnits: 10_00, currency: Currency(code: "GBP")!), valueDate: CalendarDate(iso: "2026-11-01")!),
                invoiceNumber: "F-2")
        }
        #expect(pounds?.description.contains("is in EUR") == true)
        try ledger.voidInvoice(number: "F-1")
        #expect(throws: LedgerError.self) { try pay("F-1", 1_00) }
        #expect(throws: LedgerError.self) { try pay("F-404", 1_00) }
        #expect(try ledger.payments().count == 1)
    }

    /// A message being sent was written from the invoice as it was: a correction waits until
    /// its pass is over, then withdraws it if it came back for a retry.
    @Test func aCorrectionWaitsForTheMessageBeingSentAboutTheInvoice() throws {
        try ledger.write { db in
            try db.execute(sql: """
                INSERT INTO contact (id, client_id, stage, channel, status, message_id, dispatch_key) VALUES (7, 1, 'reminder-1', 'email', 'sending', 'm7@x', 'k7');
                INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (7, 1);
                """)
        }
        let moment = Date(timeIntervalSince1970: 1_796_000_000)
        let euro = euro
        let refused = #expect(throws: LedgerError.self) {
            try ledger.correctInvoice(number: "F-1", at: moment) { $0.gross = Money(minorUnits: 1518_00, currency: euro) }
        }
        #expect(refused?.description.hasPrefix("a message about invoice F-1 is being sent right now (attempt #7); try again once the pass is over") == true)
        #expect(try ledger.invoice(number: "F-1").invoice.gross.minorUnits == 1815_00)
        // The relay deferred it: the correction withdraws it and frees its stage.
        try ledger.write { db in try db.execute(sql: "UPDATE contact SET status = 'deferred' WHERE id = 7") }
        let (_, after, withdrawn) = try ledger.correctInvoice(number: "F-1", at: moment) { $0.gross = Money(minorUnits: 1518_00, currency: euro) }
        #expect(withdrawn == 1 && after.balance.minorUnits == 1518_00)
        let row = try ledger.read { db in try String.fetchOne(db, sql: "SELECT status || ' ' || coalesce(dispatch_key, 'free') || ' ' || error FROM contact WHERE id = 7") }
        #expect(row?.hasPrefix("failed free not sent: invoice F-1 was corrected since it was written") == true, "\(row ?? "")")
    }

    @Test func clientsKeepTheirAddressesInOrderAndTheirPause() throws {
        let acme = try ledger.client(code: "acme")
        #expect(acme.emails == ["a@acme.example", "b@acme.example"])
        try ledger.pauseClient(code: "ACME", reason: "Holiday", until: CalendarDate(iso: "2027-01-10"), now: Date())
        let paused = try ledger.client(code: "ACME")
        #expect(paused.pause?.reason == "Holiday" && paused.pause?.until?.description == "2027-01-10")
        #expect(paused.pause?.isActive(on: CalendarDate(iso: "2027-01-10")!) == true)
        #expect(paused.pause?.isActive(on: CalendarDate(iso: "2027-01-11")!) == false)
        try ledger.resumeClient(code: "ACME")
        #expect(try ledger.client(code: "ACME").pause == nil)
        #expect(throws: LedgerError.self) { try ledger.addClient(Client(code: "acme", name: "Again", emails: ["x@y.example"], language: .es, country: "ES", debtorKind: .company)) }
    }

    @Test func aNegotiationCoversUnpaidInvoicesOnce() throws {
        let promise = try ledger.openNegotiation(
            Negotiation(clientID: 0, kind: .promise, invoiceIDs: [], openedAt: Date(), promisedDate: CalendarDate(iso: "2026-12-20")),
            clientCode: "ACME", invoiceNumbers: [])
        #expect(promise.invoiceNumbers == ["F-1", "F-2"])
        let twice = #expect(throws: LedgerError.self) {
            try ledger.openNegotiation(
                Negotiation(clientID: 0, kind: .dispute, invoiceIDs: [], openedAt: Date(), reason: "Wrong hours"),
                clientCode: "ACME", invoiceNumbers: ["F-2"])
        }
        #expect(twice?.description.contains("already covered by open negotiation #\(promise.negotiation.id!)") == true)
        try ledger.closeNegotiation(id: promise.negotiation.id!, outcome: .broken, note: "Nothing arrived", now: Date())
        #expect(try ledger.negotiations().isEmpty)
        #expect(try ledger.negotiations(includeClosed: true).first?.negotiation.outcome == .broken)
        #expect(throws: LedgerError.self) { try ledger.closeNegotiation(id: promise.negotiation.id!, outcome: .kept, note: nil, now: Date()) }
    }

    @Test func anInvoiceUnderNegotiationCannotBeVoidedAndAVoidOneCannotBePaused() throws {
        let dispute = try ledger.openNegotiation(
            Negotiation(clientID: 0, kind: .dispute, invoiceIDs: [], openedAt: Date(), reason: "Wrong hours"), clientCode: "ACME", invoiceNumbers: ["F-1"])
        let refused = #expect(throws: LedgerError.self) { try ledger.voidInvoice(number: "F-1") }
        #expect(refused?.description == "invoice F-1 is covered by open negotiation #\(dispute.negotiation.id!); close it first")
        // A dispute is settled or withdrawn, not kept.
        let kept = #expect(throws: LedgerError.self) { try ledger.closeNegotiation(id: dispute.negotiation.id!, outcome: .kept, note: nil, now: Date()) }
        #expect(kept?.description == "a dispute ends resolved, withdrawn, not kept")
        try ledger.closeNegotiation(id: dispute.negotiation.id!, outcome: .resolved, note: "Client was right", now: Date())
        try ledger.voidInvoice(number: "F-1")
        #expect(throws: LedgerError.self) { try ledger.pauseInvoice(number: "F-1", reason: "x", until: nil, now: Date()) }
        #expect(try ledger.invoice(number: "F-1").invoice.status == .void)
    }

    /// A handed-over invoice is the lawyer's: a promise on it would never be checked.
    @Test func aHandedOverInvoiceIsNotNegotiatedHere() throws {
        try ledger.write { db in try db.execute(sql: "UPDATE invoice SET handed_over_at = '2026-11-20T00:00:00Z' WHERE number = 'F-1'") }
        let refused = #expect(throws: LedgerError.self) {
            try ledger.openNegotiation(
                Negotiation(clientID: 0, kind: .promise, invoiceIDs: [], openedAt: Date(), promisedDate: CalendarDate(iso: "2026-12-20")),
                clientCode: "ACME", invoiceNumbers: ["F-1"])
        }
        #expect(refused?.description.contains("invoice F-1 was handed over") == true)
        // Without --invoice, the promise covers what cobrador still follows.
        let promise = try ledger.openNegotiation(
            Negotiation(clientID: 0, kind: .promise, invoiceIDs: [], openedAt: Date(), promisedDate: CalendarDate(iso: "2026-12-20")),
            clientCode: "ACME", invoiceNumbers: [])
        #expect(promise.invoiceNumbers == ["F-2"])
    }

    @Test func aPlanMustCoverWhatIsOwed() throws {
        func plan(_ amounts: [Int64]) -> Negotiation {
            Negotiation(
                clientID: 0, kind: .plan, invoiceIDs: [], openedAt: Date(),
                instalments: amounts.enumerated().map { index, minor in
                    Instalment(dueDate: CalendarDate(iso: "2026-12-15")!.adding(days: 30 * index), amount: Money(minorUnits: minor, currency: euro))
                })
        }
        let short = #expect(throws: LedgerError.self) { try ledger.openNegotiation(plan([1000_00, 1000_00]), clientCode: "ACME", invoiceNumbers: []) }
        #expect(short?.description == "the instalments add up to 2000.00 EUR but the covered invoices owe 2115.00 EUR")
        let record = try ledger.openNegotiation(plan([1000_00, 1115_00]), clientCode: "ACME", invoiceNumbers: [])
        #expect(record.negotiation.instalments.map(\.amount.minorUnits) == [1000_00, 1115_00])
    }

    @Test func invoicesOfAnotherClientCannotBeNegotiatedOrContacted() throws {
        try ledger.addInvoice(invoice("B-1", 50_00, due: "2026-10-01"), clientCode: "BRIT")
        #expect(throws: LedgerError.self) {
            try ledger.openNegotiation(
                Negotiation(clientID: 0, kind: .dispute, invoiceIDs: [], openedAt: Date(), reason: "x"), clientCode: "ACME", invoiceNumbers: ["B-1"])
        }
        #expect(throws: LedgerError.self) {
            try ledger.recordContact(Contact(clientID: 0, invoiceIDs: [], channel: .phone, status: .recorded, occurredAt: Date()), clientCode: "ACME", invoiceNumbers: ["B-1"])
        }
        let contact = try ledger.recordContact(
            Contact(clientID: 0, invoiceIDs: [], channel: .phone, status: .recorded, summary: "Will pay Friday", occurredAt: Date()),
            clientCode: "ACME", invoiceNumbers: ["F-1"])
        #expect(try ledger.contacts(clientCode: "ACME").map(\.summary) == ["Will pay Friday"])
        #expect(contact.invoiceIDs.count == 1)
    }

    @Test func statusAgesOpenBalancesAndMarksHolds() throws {
        try pay("F-1", 815_00)
        try ledger.pauseInvoice(number: "F-2", reason: "PO pending", until: nil, now: Date())
        try ledger.addInvoice(invoice("F-3", 99_00, due: "2026-11-01"), clientCode: "BRIT")
        try ledger.writeOffInvoice(number: "F-3")
        let report = try ledger.agingReport(on: CalendarDate(iso: "2026-11-29")!)
        let acme = try #require(report.lines.first)
        #expect(report.lines.count == 1)
        #expect(acme.amount(.days31to60).minorUnits == 1000_00)
        #expect(acme.amount(.current).minorUnits == 300_00)
        #expect(acme.paused)
    }
}
