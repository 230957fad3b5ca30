import CobradorCore
import CobradorTestSupport
import Foundation
import Synchronization
import Testing

@testable import CobradorLedger

/// The outbox's batch reservation and what a crash leaves, on a real ledger file.
@Suite struct OutboxRecoveryTests {
    let euro = Currency(code: "EUR")!
    let folder = TemporaryDirectory()
    let ledger: Ledger
    let now = Date(timeIntervalSince1970: 1_796_029_200)

    init() throws {
        ledger = try Ledger.create(path: folder.file("ledger.sqlite"))
        for index in 1...4 {
            try ledger.addClient(Client(code: "C\(index)", name: "Client \(index)", emails: ["ap@c\(index).example"], language: .es, country: "ES", debtorKind: .company))
            try ledger.addInvoice(
                Invoice(
                    number: "F-\(index)", clientID: 0, concept: "Work", issueDate: CalendarDate(iso: "2026-09-01")!, dueDate: CalendarDate(iso: "2026-10-01")!,
                    gross: Money(minorUnits: 100_00, currency: euro)), clientCode: "C\(index)")
        }
    }

    func request(_ index: Int, compose: @escaping @Sendable (String) throws -> [UInt8] = { Array("Message-ID: <\($0)>\r\n\r\nbody\r\n".utf8) })
        -> Ledger.ReservationRequest
    {
        let event = PlannedEvent(
            kind: .message, at: now, clientID: Int64(index), clientCode: "C\(index)", stage: "reminder-1", template: nil, channel: nil,
            invoiceIDs: [Int64(index)], invoiceNumbers: ["F-\(index)"], negotiationID: nil, reasons: [])
        return Ledger.ReservationRequest(event: event, dispatchKey: "reminder-1|\(index)|2026-11-30", day: CalendarDate(iso: "2026-11-30")!, checksNegotiations: true) {
            id, _, _ in Ledger.ComposedMessage(bytes: try compose(id), subject: "Reminder", recipients: ["ap@c\(index).example"])
        }
    }

    func reserve(_ requests: [Ledger.ReservationRequest]) throws -> [Ledger.Reservation] {
        try ledger.reserve(requests, at: now, tolerance: { _ in 0 }, messageID: { "cobrador.\($0)@lucia.example" })
    }

    func statuses() throws -> [String] {
        try ledger.read { db in try String.fetchAll(db, sql: "SELECT status || coalesce('/' || send_phase, '') FROM contact ORDER BY id") }
    }

    struct Unwritable: Error, CustomStringConvertible {
        var description: String { "the PDF cannot be read" }
    }

    /// A new message about several invoices is threaded under every earlier one sent about any
    /// of them, oldest first, each named once even when it was about several of them too.
    @Test func aMessageAboutSeveralInvoicesNamesEachEarlierOneOnce() throws {
        try ledger.addInvoice(
            Invoice(
                number: "F-5", clientID: 0, concept: "More work", issueDate: CalendarDate(iso: "2026-09-01")!, dueDate: CalendarDate(iso: "2026-10-01")!,
                gross: Money(minorUnits: 50_00, currency: euro)), clientCode: "C1")
        try ledger.write { db in
            try db.execute(sql: """
                INSERT INTO contact (id, client_id, stage, channel, status, message_id, occurred_at) VALUES
                    (101, 1, 'due', 'email', 'sent', 'both@old.example', '2026-10-01T08:00:00Z'),
                    (102, 1, 'reminder-1', 'email', 'unknown', 'five@old.example', '2026-10-08T08:00:00Z'),
                    (103, 1, 'reminder-1', 'email', 'failed', 'failed@old.example', '2026-10-09T08:00:00Z'),
                    (104, 2, 'due', 'email', 'sent', 'other-client@old.example', '2026-10-01T08:00:00Z');
                INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (101, 1), (101, 5), (102, 5), (103, 1), (104, 2);
                """)
        }
        var both = request(1)
        both.event.invoiceIDs = [1, 5]
        both.event.invoiceNumbers = ["F-1", "F-5"]
        let composed = both.compose
        let seen = Mutex<[String]>([])
        both.compose = { id, references, facts in
            seen.withLock { $0 = references }
            return try composed(id, references, facts)
        }
        _ = try reserve([both])
        #expect(seen.withLock { $0 } == ["both@old.example", "five@old.example"])
    }

    /// The pass worked out the stage, interest and deadline from the invoice as it planned; an
    /// owner's correction or a part payment in between refuses the message, planned again.
    @Test func aMessagePlannedFromTermsTheInvoiceNoLongerHasIsRefused() throws {
        let terms = Ledger.PlannedTerms(
            gross: Money(minorUnits: 100_00, currency: euro), dueDate: CalendarDate(iso: "2026-10-01")!, balance: Money(minorUnits: 100_00, currency: euro))
        var asPlanned = request(1)
        asPlanned.plannedTerms = [1: terms]
        var corrected = request(2)
        corrected.plannedTerms = [2: terms]
        var partlyPaid = request(3)
        partlyPaid.plannedTerms = [3: terms]
        _ = try ledger.correctInvoice(number: "F-2", at: now) { $0.dueDate = CalendarDate(iso: "2026-12-20")! }
        try ledger.addPayment(Payment(invoiceID: 0, amount: Money(minorUnits: 10_00, currency: euro), valueDate: CalendarDate(iso: "2026-11-29")!), invoiceNumber: "F-3")
        let results = try reserve([asPlanned, corrected, partlyPaid])
        guard case .claimed = results[0], case .refused(.noLongerDue(let second)) = results[1], case .refused(.noLongerDue(let third)) = results[2] else {
            Issue.record("unexpected reservations: \(results)")
            return
        }
        #expect(second == "invoice F-2 changed since this pass planned it; planned again from what it says now")
        #expect(third.hasPrefix("invoice F-3 changed since this pass planned it"))
        // The correction's note, then the one message reserved.
        #expect(try statuses() == ["recorded", "sending/claimed"])
    }

    @Test func oneBatchClaimsWhatIsDueAndLeavesNoTraceOfWhatIsNot() throws {
        try ledger.addPayment(
            Payment(invoiceID: 0, amount: Money(minorUnits: 100_00, currency: euro), valueDate: CalendarDate(iso: "2026-11-29")!), invoiceNumber: "F-2")
        let results = try reserve([request(1), request(2), request(3) { _ in throw Unwritable() }, request(4)])
        guard case .claimed(let first) = results[0], case .refused(.noLongerDue(let reason)) = results[1], case .unwritable(let problem) = results[2],
            case .claimed = results[3]
        else {
            Issue.record("unexpected reservations: \(results)")
            return
        }
        #expect(reason == "invoice F-2 is paid" && problem == "the PDF cannot be read")
        #expect(first.bytes == Array("Message-ID: <cobrador.1@lucia.example>\r\n\r\nbody\r\n".utf8))
        // Only the two claimed attempts exist, ready for the transport; the same dispatch again is refused.
        #expect(try statuses() == ["sending/claimed", "sending/claimed"])
        guard case .refused(.alreadyReserved) = try reserve([request(1)])[0] else {
            Issue.record("a dispatch was reserved twice")
            return
        }
    }

    /// The next batch's reservation records the previous batch's outcomes first, in its own
    /// transaction: an address the relay just refused holds back that client's next message.
    @Test func theNextReservationRecordsTheLastBatchsOutcomesFirst() throws {
        let first = try reserve([request(1), request(2)]).compactMap { if case .claimed(let attempt) = $0 { attempt.attemptID } else { nil } }
        #expect(first.count == 2)
        let outcomes = [
            Ledger.Outcome(attemptID: first[0], attempt: 1, status: .sent, reply: "250 2.0.0 Ok", error: nil, at: now, nextAttempt: nil),
            Ledger.Outcome(
                attemptID: first[1], attempt: 1, status: .failed, reply: "550 5.1.1 mailbox unknown", error: "550 5.1.1 mailbox unknown", at: now,
                nextAttempt: nil, refusedAddress: "ap@c2.example"),
        ]
        var secondStage = request(2)
        secondStage.dispatchKey = "reminder-2|2|2026-11-30"
        let results = try ledger.reserve(
            [request(3), secondStage], recording: outcomes, at: now, tolerance: { _ in 0 }, messageID: { "cobrador.\($0)@lucia.example" })
        guard case .claimed(let third) = results[0], case .refused(.badAddress("ap@c2.example")) = results[1] else {
            Issue.record("unexpected reservations: \(results)")
            return
        }
        #expect(third.attemptID == first[1] + 1)
        #expect(try statuses() == ["sent/claimed", "failed/claimed", "sending/claimed"])
    }

    /// The message states what its reservation re-checked, not what was read before.
    @Test func aMessageIsComposedFromTheFactsItsReservationReChecked() throws {
        try ledger.addPayment(
            Payment(invoiceID: 0, amount: Money(minorUnits: 40_00, currency: euro), valueDate: CalendarDate(iso: "2026-11-29")!), invoiceNumber: "F-1")
        var partlyPaid = request(1)
        partlyPaid.compose = { id, _, facts in
            let owed = facts.invoices.map { "\($0.invoice.number) \($0.balance.minorUnits)" }.joined()
            return Ledger.ComposedMessage(
                bytes: Array("Message-ID: <\(id)>\r\n\r\n\(facts.client.code) owes \(owed)\r\n".utf8), subject: "Reminder", recipients: ["ap@c1.example"])
        }
        guard case .claimed(let attempt) = try reserve([partlyPaid])[0] else {
            Issue.record("not claimed")
            return
        }
        #expect(String(decoding: attempt.bytes, as: UTF8.self).hasSuffix("C1 owes F-1 6000\r\n"))
    }

    @Test func afterACrashOnlyWhatNeverReachedDataGoesAgain() throws {
        let results = try reserve([request(1), request(2), request(3), request(4)])
        let ids = results.compactMap { if case .claimed(let attempt) = $0 { attempt.attemptID } else { nil } }
        #expect(ids.count == 4)
        // 1 was delivered (its outcome only in the journal), 2 reached DATA, 3 never did, 4 was
        // claimed before the machine restarted.
        let journal = try OutboxJournal(ledgerPath: ledger.path)
        let reply = "250 2.0.0 Ok:\tqueued as\r\nQ\\1"
        try journal.bodyStarting(ids[0], attempt: 1)
        try journal.note(Ledger.Outcome(attemptID: ids[0], attempt: 1, status: .sent, reply: reply, error: nil, at: now, nextAttempt: nil))
        try journal.bodyStarting(ids[1], attempt: 1)
        try ledger.write { db in try db.execute(sql: "UPDATE contact SET claim_boot = 'an-earlier-boot' WHERE id = ?", arguments: [ids[3]]) }

        // The next process reads the journal the killed one left.
        let next = try OutboxJournal(ledgerPath: ledger.path)
        let resolved = try ledger.resolveInterrupted(at: now, journal: next)
        #expect(resolved.resent == 1 && resolved.unknown == 2)
        #expect(try statuses() == ["sent/claimed", "unknown/data", "pending", "unknown/claimed"])
        #expect(try ledger.read { db in try String.fetchOne(db, sql: "SELECT server_reply FROM contact WHERE id = ?", arguments: [ids[0]]) } == reply)
        #expect(try next.entries().outcomes.isEmpty && next.entries().bodyStarted.isEmpty)
        let errors = try ledger.read { db in try String.fetchAll(db, sql: "SELECT coalesce(error, '') FROM contact ORDER BY id") }
        #expect(errors[1] == "interrupted while sending: it may have been delivered")
        #expect(errors[3] == "the machine restarted while this message was being sent: it may have been delivered")
        // The pending one is due again with its stored bytes; the unknown ones never are.
        #expect(try ledger.attemptsDue(at: now).map(\.attemptID) == [ids[2]])
        #expect(try ledger.verifyEvidence().isEmpty)
    }

    @Test func anOutcomeRecordedTwiceOrReadAgainForAnEarlierTryChangesNothing() throws {
        guard case .claimed(let attempt) = try reserve([request(1)])[0] else {
            Issue.record("not claimed")
            return
        }
        let deferred = Ledger.Outcome(
            attemptID: attempt.attemptID, attempt: 1, status: .deferred, reply: "451 4.3.0 try later", error: "451 4.3.0 try later", at: now,
            nextAttempt: now.addingTimeInterval(300))
        try ledger.recordOutcomes([deferred])
        try ledger.recordOutcomes([deferred])
        // The retry is claimed (try 2): the first try's outcome, read again from a journal, leaves it alone.
        #expect(try ledger.markSending(attempt.attemptID, at: now.addingTimeInterval(300), day: CalendarDate(iso: "2026-11-30")!, tolerance: { _ in 0 }, checksNegotiations: { _ in true }) == nil)
        try ledger.recordOutcomes([deferred])
        #expect(try statuses() == ["sending/claimed"])
        let steps = try ledger.read { db in try String.fetchAll(db, sql: "SELECT status FROM attempt_event ORDER BY id") }
        #expect(steps == ["sending", "deferred", "sending"])
    }

    /// A spreadsheet import changes a client's address while a message to the old one is in
    /// flight; the relay says "try later": the retry must not go to the address the owner removed.
    @Test func aRetryInFlightWhenAnImportChangesTheAddressesIsWrittenAgain() throws {
        guard case .claimed(let attempt) = try reserve([request(1)])[0] else {
            Issue.record("not claimed")
            return
        }
        let clients = folder.write("clients.csv", "code,name,email,country\nC1,Client 1,new@c1.example,ES\n")
        _ = try CSVImport(kind: .clients, settings: .init(decimalComma: false, defaultCurrency: euro), today: CalendarDate(iso: "2026-11-30")!)
            .run(file: clients, into: ledger)
        try ledger.recordOutcomes([
            Ledger.Outcome(
                attemptID: attempt.attemptID, attempt: 1, status: .deferred, reply: "451 4.3.0 try later", error: "451 4.3.0 try later", at: now,
                nextAttempt: now.addingTimeInterval(300))
        ])
        let refusal = try ledger.markSending(
            attempt.attemptID, at: now.addingTimeInterval(300), day: CalendarDate(iso: "2026-11-30")!, tolerance: { _ in 0 }, checksNegotiations: { _ in true })
        #expect(refusal == .noLongerDue("the client's addresses changed"))
        #expect(try statuses() == ["failed"])
        // Its dispatch is free: the next pass writes the stage again, for the new address.
        guard case .claimed = try reserve([request(1)])[0] else {
            Issue.record("not written again")
            return
        }
    }

    /// Numbers are the owner's: "F-1, rev" is one invoice, and its retry must find it.
    @Test func aRetryAboutAnInvoiceWhoseNumberHoldsACommaGoesAgain() throws {
        guard case .claimed(let attempt) = try reserve([request(1)])[0] else {
            Issue.record("not claimed")
            return
        }
        // The retry reads its invoices' numbers from the ledger as they are now.
        try ledger.write { db in try db.execute(sql: "UPDATE invoice SET number = 'F-1, rev' WHERE number = 'F-1'") }
        try ledger.recordOutcomes([
            Ledger.Outcome(
                attemptID: attempt.attemptID, attempt: 1, status: .deferred, reply: "451 4.3.0 try later", error: "451 4.3.0 try later", at: now,
                nextAttempt: now)
        ])
        #expect(try ledger.attemptsDue(at: now).map(\.invoiceNumbers) == [["F-1, rev"]])
        #expect(try ledger.markSending(attempt.attemptID, at: now, day: CalendarDate(iso: "2026-11-30")!, tolerance: { _ in 0 }, checksNegotiations: { _ in true }) == nil)
    }

    @Test func aRefusedAddressStopsTheClientUntilItsAddressesAreEdited() throws {
        guard case .claimed(let attempt) = try reserve([request(1)])[0] else {
            Issue.record("not claimed")
            return
        }
        try ledger.recordOutcomes([
            Ledger.Outcome(
                attemptID: attempt.attemptID, attempt: 1, status: .failed, reply: "550 5.1.1 user unknown", error: "550 5.1.1 user unknown", at: now,
                nextAttempt: nil, refusedAddress: "ap@c1.example")
        ])
        #expect(try ledger.badAddresses(clientCode: "C1").map(\.address) == ["ap@c1.example"])
        var other = request(1)
        other.dispatchKey = "reminder-2|1|2026-12-07"
        guard case .refused(.badAddress("ap@c1.example")) = try reserve([other])[0] else {
            Issue.record("a client with a refused address was written to")
            return
        }
        #expect(try ledger.trustAddresses(clientCode: "C1") == ["ap@c1.example"])
        guard case .claimed = try reserve([other])[0] else {
            Issue.record("a corrected client stays stopped")
            return
        }
    }

    /// A full disk (or a file-size limit, a quota) can make `write` take only part of a line:
    /// `append` throws, but the part stays in the journal without its line end, and the next
    /// line (here: the relay asked for the next message's body) is appended to it. `entries`
    /// drops the joined line as malformed, so after a kill -9 the next pass takes that message
    /// as never having reached DATA and sends it again.
    @Test func aLineCutShortDoesNotSwallowTheNextBodyThatStarted() throws {
        let ids = try reserve([request(1), request(2)]).compactMap { if case .claimed(let attempt) = $0 { attempt.attemptID } else { nil } }
        #expect(ids.count == 2)
        let journal = try OutboxJournal(ledgerPath: ledger.path)
        try journal.bodyStarting(ids[0], attempt: 1)
        // 1 was delivered; the disk was full: only the first bytes of its outcome line were written
        // (what a short `write` leaves), so `note` threw and Pass recorded the outcome in the ledger.
        let sent = Ledger.Outcome(attemptID: ids[0], attempt: 1, status: .sent, reply: "250 2.0.0 Ok", error: nil, at: now, nextAttempt: nil)
        let cut = try #require(FileHandle(forWritingAtPath: journal.path))
        cut.seekToEndOfFile()
        cut.write(Data("O\t\(ids[0])\t1\tse".utf8))
        try cut.close()
        try ledger.recordOutcomes([sent])
        journal.recordedInLedger(ids[0])
        // Room again: the relay asks for 2's body, the journal notes it, the body leaves, and the
        // process is killed before the outcome.
        try journal.bodyStarting(ids[1], attempt: 1)

        let next = try OutboxJournal(ledgerPath: ledger.path)
        #expect(try next.entries().bodyStarted.map(\.attemptID) == [ids[0], ids[1]])
        let resolved = try ledger.resolveInterrupted(at: now, journal: next)
        // 2 may have been delivered: unknown, never resent.
        #expect(resolved.resent == 0)
        #expect(try statuses() == ["sent/claimed", "unknown/data"])
    }

    /// An optional field is written "=" + text; read back, `field.first == "="` compares
    /// characters, and "=" followed by a combining mark is one character: the text is lost.
    @Test func anOptionalTextStartingWithACombiningMarkIsReadBack() throws {
        let journal = try OutboxJournal(ledgerPath: ledger.path)
        let failed = Ledger.Outcome(
            attemptID: 1, attempt: 1, status: .failed, reply: "\u{301}550 no", error: "\u{301}550 no", at: now, nextAttempt: nil,
            refusedAddress: "\u{301}ap@c1.example")
        try journal.note(failed)
        #expect(try OutboxJournal(ledgerPath: ledger.path).entries().outcomes == [failed])
    }
}
