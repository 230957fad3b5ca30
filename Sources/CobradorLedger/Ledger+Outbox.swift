import CobradorCore
import Foundation
import GRDB

/// The outbox protocol: reserve (one write transaction that re-checks everything and stores
/// the exact bytes before any leave), send with no transaction open, record the outcome.
extension Ledger {
    /// Why a planned message was not reserved.
    package enum ReservationRefusal: Equatable, CustomStringConvertible {
        /// The same dispatch was reserved before (a retry of the pass, a second daemon).
        case alreadyReserved
        /// Something changed since the plan: paid, paused, under negotiation, voided.
        case noLongerDue(String)
        /// The relay refused this stage for these invoices for good and the recipients have
        /// not changed since: sending it again would fail again. Editing the client's
        /// addresses (even to the same ones) lets it go out.
        case failedBefore
        /// A relay refused one of the client's addresses for good: e-mail chasing of this
        /// client holds until the owner edits its addresses.
        case badAddress(String)

        package var description: String {
            switch self {
            case .alreadyReserved: "already reserved"
            case .noLongerDue(let reason): reason
            case .failedBefore: "the relay refused this message to the same recipients before"
            case .badAddress(let address): "the relay refused the address \(address) for good"
            }
        }
    }

    /// Refuses one reservation, before it writes anything, when what `compose` made was refused before.
    private struct RefusedAfterComposing: Error {
        let refusal: ReservationRefusal
    }

    /// What `compose` makes for a reserved attempt.
    package struct ComposedMessage: Sendable {
        package var bytes: [UInt8]
        package var subject: String
        package var recipients: [String]

        package init(bytes: [UInt8], subject: String, recipients: [String]) {
            self.bytes = bytes
            self.subject = subject
            self.recipients = recipients
        }
    }

    /// What a message is about, read in the transaction that re-checks and reserves it: the
    /// message states exactly what was re-checked.
    package struct DispatchFacts: Sendable {
        package var client: Client
        /// The invoices, with what is paid.
        package var invoices: [InvoiceSummary]
        /// The negotiation the message is about (a broken promise, an instalment).
        package var negotiation: NegotiationRecord?
    }

    /// What the pass planned a message from, per invoice: the reservation refuses the message
    /// when the invoice says otherwise by then (corrected, paid in part), since its stage, its
    /// interest and its deadline were worked out from these.
    package struct PlannedTerms: Sendable, Equatable {
        package var gross: Money
        package var dueDate: CalendarDate
        package var balance: Money

        package init(gross: Money, dueDate: CalendarDate, balance: Money) {
            self.gross = gross
            self.dueDate = dueDate
            self.balance = balance
        }
    }

    /// One planned message to reserve. `compose` gets the attempt's Message-ID, the
    /// Message-IDs of earlier messages about the same invoices (for In-Reply-To/References)
    /// and the facts read in the reservation.
    package struct ReservationRequest: Sendable {
        package var event: PlannedEvent
        package var dispatchKey: String
        package var day: CalendarDate
        package var checksNegotiations: Bool
        /// By invoice id; an invoice without terms is not compared.
        package var plannedTerms: [Int64: PlannedTerms] = [:]
        package var compose: @Sendable (_ messageID: String, _ references: [String], _ facts: DispatchFacts) throws -> ComposedMessage

        package init(
            event: PlannedEvent, dispatchKey: String, day: CalendarDate, checksNegotiations: Bool,
            compose: @escaping @Sendable (String, [String], DispatchFacts) throws -> ComposedMessage
        ) {
            self.event = event
            self.dispatchKey = dispatchKey
            self.day = day
            self.checksNegotiations = checksNegotiations
            self.compose = compose
        }
    }

    /// What became of one request.
    package enum Reservation: Sendable {
        /// Stored and claimed for the transport: send it now.
        case claimed(StoredAttempt)
        case refused(ReservationRefusal)
        /// The message could not be written (a missing PDF...): nothing was stored for it.
        case unwritable(String)
    }

    /// Reserves planned messages and claims them for the transport, in one BEGIN IMMEDIATE
    /// transaction committed to disk before any byte leaves (one sync for the whole batch).
    /// For each one it re-checks that every invoice is still open, owes more than the
    /// tolerance, is not paused nor (for a cadence stage) under an open negotiation, that the
    /// client is not paused and has no address a relay refused; inserts the attempt; asks
    /// `compose` for the bytes with the attempt's Message-ID; stores them with their SHA-256;
    /// and marks the attempt `sending`, phase `claimed`, in this boot of the machine. A request
    /// that is refused or cannot be written leaves no trace and does not affect the others.
    /// `outcomes` (the previous batch's, as `recordOutcomes` takes them) are recorded first in
    /// the same transaction: one disk sync a batch rather than two.
    package func reserve(
        _ requests: [ReservationRequest], recording outcomes: [Outcome] = [], at moment: Date, tolerance: @Sendable (Currency) -> Int64,
        messageID: @Sendable (Int64) -> String
    ) throws(LedgerError) -> [Reservation] {
        try write { db in
            var log = AttemptLogWriter()
            for outcome in outcomes { try Self.record(outcome, log: &log, db) }
            // The ids the attempts get (the write lock is held): their Message-IDs are in the
            // bytes, so each row is written once, complete.
            var nextID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) + 1 FROM contact")) ?? 1
            return try requests.map { request in
                // Every refusal comes before the request's first write, and a database error
                // rolls the whole batch back: no savepoint is needed per request.
                do {
                    return try Self.reserve(request, id: &nextID, at: moment, tolerance: tolerance, messageID: messageID, log: &log, db)
                } catch let refused as RefusedAfterComposing {
                    return .refused(refused.refusal)
                } catch let error as DatabaseError {
                    throw error
                } catch {
                    return .unwritable("\(error)")
                }
            }
        }
    }

    /// Reserves one request as attempt `id`, and moves `id` on once it is used.
    private static func reserve(
        _ request: ReservationRequest, id nextID: inout Int64, at moment: Date, tolerance: (Currency) -> Int64, messageID: (Int64) -> String, log: inout AttemptLogWriter,
        _ db: GRDB.Database
    ) throws -> Reservation {
        let event = request.event
        if try SQLiteRow.exists(db.cachedStatement(sql: "SELECT 1 FROM contact WHERE dispatch_key = ?"), request.dispatchKey) {
            return .refused(.alreadyReserved)
        }
        let facts = DispatchFacts(
            client: try Self.client(code: event.clientCode, db), invoices: try event.invoiceNumbers.map { try Self.invoice(number: $0, db) },
            negotiation: try event.negotiationID.map { try Self.negotiation(id: $0, db) })
        if let refusal = try noLongerDue(
            client: facts.client, invoices: facts.invoices, stage: event.stage ?? "", on: request.day, tolerance: tolerance,
            checksNegotiations: request.checksNegotiations, aboutNegotiation: event.negotiationID, db)
        {
            return .refused(refusal)
        }
        for summary in facts.invoices {
            guard let planned = summary.invoice.id.flatMap({ request.plannedTerms[$0] }) else { continue }
            if planned != PlannedTerms(gross: summary.invoice.gross, dueDate: summary.invoice.dueDate, balance: summary.balance) {
                return .refused(.noLongerDue("invoice \(summary.invoice.number) changed since this pass planned it; planned again from what it says now"))
            }
        }
        let references = try threadReferences(clientID: event.clientID, invoiceIDs: facts.invoices.compactMap(\.invoice.id), db)
        let attemptID = nextID
        let id = messageID(attemptID)
        let composed = try request.compose(id, references, facts)
        let recipients = composed.recipients.joined(separator: ", ")
        // "stage|invoice ids|": the key up to its second "|".
        var bars = 0
        let prefixEnd = request.dispatchKey.firstIndex { character in
            if character == "|" { bars += 1 }
            return bars == 2
        }
        let sameDispatch = prefixEnd.map { String(request.dispatchKey[...$0]) } ?? request.dispatchKey
        // A refusal for good of the same stage, invoices and recipients.
        // (Not LIKE: SQLite prepares a LIKE with a bound pattern again at every use.)
        if try SQLiteRow.exists(db.cachedStatement(sql: """
                SELECT 1 FROM contact JOIN client ON client.id = contact.client_id
                WHERE contact.client_id = ? AND substr(contact.dispatch_key, 1, ?) = ? AND contact.recipients = ? AND \(Self.refusedForGood)
                """), event.clientID, sameDispatch.unicodeScalars.count, sameDispatch, recipients)
        {
            throw RefusedAfterComposing(refusal: .failedBefore)
        }
        let sha256 = SHA256.hex(composed.bytes)
        // The request's first write: nothing may refuse it from here on.
        try SQLiteRow.execute(
            db.cachedStatement(sql: """
                INSERT INTO contact (id, client_id, stage, channel, status, occurred_at, dispatch_key, send_phase, claim_boot, attempt_count, last_attempt_at,
                                     message_id, message, sha256, subject, recipients)
                VALUES (?, ?, ?, 'email', 'sending', ?, ?, 'claimed', ?, 1, ?, ?, ?, ?, ?, ?)
                """),
            attemptID, event.clientID, event.stage, Timestamp.string(event.at), request.dispatchKey, bootID, Timestamp.string(moment), id,
            Data(composed.bytes), sha256, composed.subject, recipients)
        nextID += 1
        for invoiceID in event.invoiceIDs {
            try SQLiteRow.execute(db.cachedStatement(sql: "INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (?, ?)"), attemptID, invoiceID)
        }
        try log.append(db, attemptID, at: moment, status: "sending", detail: "reserved \(id) for \(recipients), handed to the transport", sha256: sha256)
        return .claimed(
            StoredAttempt(
                attemptID: attemptID, clientCode: event.clientCode, stage: event.stage ?? "", invoiceNumbers: event.invoiceNumbers,
                recipients: composed.recipients, messageID: id, bytes: composed.bytes, attemptCount: 0, createdAt: event.at))
    }

    /// Why a planned message may no longer go out: the client is paused, or an invoice is no
    /// longer open, was handed over, is paid (for every stage but the thank-you), is paused or,
    /// with `checksNegotiations`, is under an open negotiation other than the one the message is
    /// about (a broken promise's notice may be written before the pass records the break).
    static func noLongerDue(
        client: Client, invoices: [InvoiceSummary], stage: String, on day: CalendarDate, tolerance: (Currency) -> Int64, checksNegotiations: Bool,
        aboutNegotiation: Int64? = nil, _ db: GRDB.Database
    ) throws -> ReservationRefusal? {
        if let pause = client.pause, pause.isActive(on: day) {
            return .noLongerDue("client \(client.code) is paused")
        }
        if let bad = try SQLiteRow.first(db.cachedStatement(sql: "SELECT address FROM bad_address WHERE client_id = ? ORDER BY address LIMIT 1"), client.id, decode: { $0.text(0) }) {
            return .badAddress(bad)
        }
        for summary in invoices {
            let number = summary.invoice.number
            if summary.invoice.status != .open { return .noLongerDue("invoice \(number) is \(summary.invoice.status.rawValue)") }
            if summary.handedOver { return .noLongerDue("invoice \(number) was handed over") }
            if summary.balance.minorUnits <= tolerance(summary.balance.currency) && stage != "thank-you" {
                return .noLongerDue("invoice \(number) is paid")
            }
            if let pause = summary.invoice.pause, pause.isActive(on: day) { return .noLongerDue("invoice \(number) is paused") }
            if checksNegotiations, let negotiation = try Self.openNegotiationID(covering: summary.invoice.id!, except: aboutNegotiation, db) {
                return .noLongerDue("invoice \(number) is under negotiation #\(negotiation)")
            }
        }
        return nil
    }

    /// Claims a stored attempt for the transport, just before the first byte leaves: in one
    /// write transaction it checks that the attempt is still pending or deferred (another
    /// process has not claimed it) and, as `reserve` does, that it is still due. A retry whose
    /// invoice was paid meanwhile is closed as `failed` with the reason and never sent.
    /// Returns nil when the attempt is now `sending`, else why not.
    package func markSending(
        _ attemptID: Int64, at moment: Date, day: CalendarDate, tolerance: @Sendable (Currency) -> Int64, checksNegotiations: @Sendable (String) -> Bool
    ) throws(LedgerError) -> ReservationRefusal? {
        try write { db -> ReservationRefusal? in
            guard let row = try GRDB.Row.fetchOne(db.cachedStatement(sql: Self.storedAttemptSQL), arguments: [attemptID]),
                ["pending", "deferred"].contains(row["status"] as String)
            else { return .alreadyReserved }
            if let refusal = try Self.closeIfNoLongerDue(attemptID, row, at: moment, day: day, tolerance: tolerance, checksNegotiations: checksNegotiations, db) {
                return refusal
            }
            try db.cachedStatement(sql: """
                    UPDATE contact SET status = 'sending', send_phase = 'claimed', claim_boot = ?, attempt_count = attempt_count + 1,
                        last_attempt_at = ? WHERE id = ?
                    """).execute(arguments: [Self.bootID, Timestamp.string(moment), attemptID])
            try Self.logAttempt(db, attemptID, at: moment, status: "sending", detail: "handed to the transport", sha256: nil)
            return nil
        }
    }

    /// For an attempt checked too long ago (its batch behind a slow relay), just before its
    /// body leaves: re-checks, as `markSending` does, that it is still due, closing it as
    /// `failed` when not, and notes that the relay asked for the body (354 to DATA), after
    /// which a crash leaves its fate unknown. Called between two SMTP commands with no
    /// transaction open during network I/O; the commit is not forced to disk (see
    /// `resolveInterrupted` for why that is safe). Returns nil when the body may go, else why
    /// not (also when this process no longer holds the claim); throws when it cannot be
    /// written. Either way, no answer but nil lets the body go out. (A fresh attempt notes
    /// the body in the `OutboxJournal` instead.)
    package func markBodyStarted(
        _ attemptID: Int64, at moment: Date, recheckOn day: CalendarDate, tolerance: @Sendable (Currency) -> Int64, checksNegotiations: @Sendable (String) -> Bool
    ) throws(LedgerError) -> ReservationRefusal? {
        try writeWithoutSync { db -> ReservationRefusal? in
            guard let row = try GRDB.Row.fetchOne(db.cachedStatement(sql: Self.storedAttemptSQL), arguments: [attemptID]),
                row["status"] as String == "sending", row["send_phase"] as String? == "claimed"
            else { return .alreadyReserved }
            if let refusal = try Self.closeIfNoLongerDue(attemptID, row, at: moment, day: day, tolerance: tolerance, checksNegotiations: checksNegotiations, db) {
                return refusal
            }
            try db.cachedStatement(sql: "UPDATE contact SET send_phase = 'data' WHERE id = ?").execute(arguments: [attemptID])
            return nil
        }
    }

    /// A retry closed before its time came, for the sent log: whose, which stage, why.
    package struct ClosedRetry: Sendable {
        package var clientCode: String
        package var invoiceNumbers: [String]
        package var stage: String
        package var messageID: String
        package var refusal: ReservationRefusal
    }

    /// Closes, now, every retry waiting for its time that is no longer due (its invoice paid,
    /// paused or under negotiation since, its client paused, its addresses edited), as the
    /// retry would when its time came: the ledger, `cobrador log` and the digest then say so
    /// from the pass after the change, not hours later. `timeZone` is for a client with none
    /// of its own (a pause runs to the end of a day in the client's zone).
    package func closeRetriesNoLongerDue(
        at moment: Date, timeZone: TimeZone, tolerance: @Sendable (Currency) -> Int64, checksNegotiations: @Sendable (String) -> Bool
    ) throws(LedgerError) -> [ClosedRetry] {
        try write { db in
            try GRDB.Row.fetchAll(db.cachedStatement(sql: """
                    SELECT contact.id, contact.client_id, contact.stage, contact.status, contact.send_phase, contact.message_id, client.code,
                           client.time_zone, \(Self.contactInvoiceNumbers) AS numbers
                    FROM contact JOIN client ON client.id = contact.client_id
                    WHERE contact.status = 'deferred' AND contact.message IS NOT NULL
                      AND \(Self.inFlight.replacingOccurrences(of: "status", with: "contact.status"))
                    """)
            ).compactMap { row in
                let zone = (row["time_zone"] as String?).flatMap(TimeZone.init(identifier:)) ?? timeZone
                guard let refusal = try Self.closeIfNoLongerDue(
                    row["id"], row, at: moment, day: CalendarDate(moment, in: zone), tolerance: tolerance, checksNegotiations: checksNegotiations, db)
                else { return nil }
                return ClosedRetry(
                    clientCode: row["code"], invoiceNumbers: Self.invoiceNumbers(row["numbers"]), stage: row["stage"] ?? "", messageID: row["message_id"] ?? "",
                    refusal: refusal)
            }
        }
    }

    /// A stored attempt with what the re-check needs.
    private static let storedAttemptSQL = """
        SELECT contact.client_id, contact.stage, contact.status, contact.send_phase, client.code,
               \(contactInvoiceNumbers) AS numbers
        FROM contact JOIN client ON client.id = contact.client_id WHERE contact.id = ?
        """

    /// The re-check `reserve` makes, on a stored attempt: when it is no longer due, closes it
    /// as `failed` with the reason ("not sent: invoice F-1 is paid since it was written").
    private static func closeIfNoLongerDue(
        _ attemptID: Int64, _ row: GRDB.Row, at moment: Date, day: CalendarDate, tolerance: (Currency) -> Int64, checksNegotiations: (String) -> Bool,
        _ db: GRDB.Database
    ) throws -> ReservationRefusal? {
        let stage: String = row["stage"] ?? ""
        // Written before the owner last edited the client's addresses (it was in flight then,
        // and is now a retry): written again for the addresses as they are.
        if let edited = try Int64.fetchOne(db.cachedStatement(sql: "SELECT addresses_confirmed_after FROM client WHERE id = ?"), arguments: [row["client_id"] as Int64]),
            attemptID <= edited
        {
            try withdraw(attemptID, reason: addressesChanged, at: moment, db)
            return .noLongerDue("the client's addresses changed")
        }
        guard let refusal = try noLongerDue(
            client: try Self.client(code: row["code"], db), invoices: try invoiceNumbers(row["numbers"]).map { try Self.invoice(number: $0, db) },
            stage: stage, on: day, tolerance: tolerance, checksNegotiations: checksNegotiations(stage), db)
        else { return nil }
        try closeAsFailed(attemptID, reason: "\(closedUnsent)\(refusal.description) since it was written", at: moment, db)
        return refusal
    }

    /// Closes every attempt of a client that is waiting to go (reserved, or deferred for a
    /// retry) because its addresses changed, freeing its dispatch so that the planner's next
    /// pass writes it again (the same day). An attempt being sent is left to its pass; the
    /// caller marks the client's `addresses_confirmed_after`, so that `closeIfNoLongerDue`
    /// closes it if it comes back deferred.
    static func closeWaitingAttempts(clientID: Int64, at moment: Date, _ db: GRDB.Database) throws {
        let waiting = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM contact WHERE client_id = ? AND status IN ('pending', 'deferred')"), arguments: [clientID])
        for attemptID in waiting { try withdraw(attemptID, reason: addressesChanged, at: moment, db) }
    }

    private static let addressesChanged = "the client's addresses changed since it was written; written again for the new ones"

    /// Closes an attempt that waits to go but was written from what the owner has since
    /// corrected (`reason` says what), and frees its dispatch so that it is written again.
    static func withdraw(_ attemptID: Int64, reason: String, at moment: Date, _ db: GRDB.Database) throws {
        try closeAndFreeDispatch(attemptID, reason: closedUnsent + reason, at: moment, db)
    }

    /// Closes an attempt as `failed` and frees its dispatch: the next pass writes its stage again.
    private static func closeAndFreeDispatch(_ attemptID: Int64, reason: String, at moment: Date, _ db: GRDB.Database) throws {
        try closeAsFailed(attemptID, reason: reason, at: moment, db)
        try db.cachedStatement(sql: "UPDATE contact SET dispatch_key = NULL WHERE id = ?").execute(arguments: [attemptID])
    }

    /// SQL for a `contact` (joined to its `client`) that a relay refused for good and that
    /// holds its stage until the client's addresses are edited: its error is the reply itself
    /// (a give-up after temporary failures, or a refusal of the sender's set-up, is worded
    /// apart by the pass and planned again).
    static let refusedForGood = """
        contact.status = 'failed' AND contact.server_reply IS NOT NULL AND contact.error = contact.server_reply
        AND contact.id > coalesce(client.addresses_confirmed_after, 0)
        """

    /// Notes that the owner confirmed a client's addresses (edited them, or gave them again):
    /// the relay's refusals for good before now no longer hold its stages, and their dispatches
    /// are freed, so that a stage refused today is written again by the next pass, not tomorrow.
    static func confirmAddresses(clientID: Int64, _ db: GRDB.Database) throws {
        try db.cachedStatement(sql: """
                UPDATE contact SET dispatch_key = NULL WHERE id IN (
                    SELECT contact.id FROM contact JOIN client ON client.id = contact.client_id
                    WHERE contact.client_id = ? AND contact.dispatch_key IS NOT NULL AND \(refusedForGood))
                """).execute(arguments: [clientID])
        try db.cachedStatement(sql: "UPDATE client SET addresses_confirmed_after = (SELECT max(id) FROM contact) WHERE id = ?").execute(arguments: [clientID])
    }

    /// How the error of an attempt cobrador closed without sending it begins: no longer due,
    /// or written again. The ledger says `failed` (no other status fits), but the owner has
    /// nothing to act on: the digest leaves them out of its failures.
    package static let closedUnsent = "not sent: "

    /// Closes an attempt that will not be sent as `failed`, with why, in the attempt log too.
    private static func closeAsFailed(_ attemptID: Int64, reason: String, at moment: Date, _ db: GRDB.Database) throws {
        try db.cachedStatement(sql: "UPDATE contact SET status = 'failed', error = ?, next_attempt_at = NULL, send_phase = NULL WHERE id = ?")
            .execute(arguments: [reason, attemptID])
        try logAttempt(db, attemptID, at: moment, status: "failed", detail: reason, sha256: nil)
    }

    /// Settles a message of unknown fate by the owner's word, once they have asked the
    /// client or read the relay's own log. Delivered, it is `sent` (the cadence already went
    /// on from it); not delivered, it is `failed`, and the next pass writes its stage again
    /// from the ledger as it is then. Returns the client's code and the stage.
    package func settleUnknown(messageID: String, delivered: Bool, note: String?, at moment: Date) throws(LedgerError) -> (client: String, stage: String) {
        try write { db in
            guard let row = try GRDB.Row.fetchOne(
                db, sql: "SELECT contact.id, contact.status, contact.stage, client.code FROM contact JOIN client ON client.id = contact.client_id WHERE message_id = ?",
                arguments: [messageID])
            else {
                throw LedgerError.conflict("no message has the Message-ID <\(messageID)> (see the MESSAGE-ID column of `cobrador log --status unknown`)")
            }
            guard row["status"] as String == ContactStatus.unknown.rawValue else {
                throw LedgerError.conflict("<\(messageID)> is \(row["status"] as String), not of unknown fate: only an unknown message is settled by hand")
            }
            let id: Int64 = row["id"]
            let word = (delivered ? "delivered" : "not delivered") + ", by the owner's word" + (note.map { ": \($0)" } ?? "")
            if delivered {
                try db.execute(sql: "UPDATE contact SET status = 'sent', error = NULL, sent_at = coalesce(last_attempt_at, occurred_at) WHERE id = ?", arguments: [id])
                try Self.logAttempt(db, id, at: moment, status: "sent", detail: word, sha256: nil)
            } else {
                try Self.closeAndFreeDispatch(id, reason: word + "; written again by the next pass", at: moment, db)
            }
            return (row["code"], row["stage"] ?? "")
        }
    }

    /// What became of one try of an attempt (its `attempt_count`): `nextAttempt` is set for a
    /// deferred one; `refusedAddress` is an address the relay refused for good, marked bad for
    /// the client.
    package struct Outcome: Sendable, Equatable {
        package var attemptID: Int64
        package var attempt: Int
        package var status: ContactStatus
        package var reply: String
        package var error: String?
        package var at: Date
        package var nextAttempt: Date?
        package var refusedAddress: String?

        package init(
            attemptID: Int64, attempt: Int, status: ContactStatus, reply: String, error: String?, at: Date, nextAttempt: Date?, refusedAddress: String? = nil
        ) {
            self.attemptID = attemptID
            self.attempt = attempt
            self.status = status
            self.reply = reply
            self.error = error
            self.at = at
            self.nextAttempt = nextAttempt
            self.refusedAddress = refusedAddress
        }
    }

    /// Records outcomes in one transaction. Each applies only to the try it belongs to, still
    /// `sending`: recording the same outcomes twice (a journal read again after a crash) changes
    /// nothing.
    package func recordOutcomes(_ outcomes: [Outcome]) throws(LedgerError) {
        guard !outcomes.isEmpty else { return }
        try write { db in
            var log = AttemptLogWriter()
            for outcome in outcomes { try Self.record(outcome, log: &log, db) }
        }
    }

    private static func record(_ outcome: Outcome, log: inout AttemptLogWriter, _ db: GRDB.Database) throws {
        let at = Timestamp.string(outcome.at)
        try SQLiteRow.execute(
            db.cachedStatement(sql: """
                UPDATE contact SET status = ?, server_reply = ?, error = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,
                    next_attempt_at = ? WHERE id = ? AND status = 'sending' AND attempt_count = ?
                """),
            outcome.status.rawValue, outcome.reply, outcome.error, outcome.status.rawValue, at, outcome.nextAttempt.map(Timestamp.string), outcome.attemptID,
            outcome.attempt)
        guard db.changesCount == 1 else { return }
        try log.append(db, outcome.attemptID, at: outcome.at, status: outcome.status.rawValue, detail: outcome.error ?? outcome.reply, sha256: nil)
        // Only the client's own address: a refused certification copy or blind copy to the
        // owner is the stage's problem, shown as this failure, not the client's.
        if let refusedAddress = outcome.refusedAddress {
            try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO bad_address (address, client_id, contact_id, marked_at, reply)
                    SELECT ?, contact.client_id, contact.id, ?, ? FROM contact
                    WHERE contact.id = ? AND EXISTS (
                        SELECT 1 FROM client_email WHERE client_email.client_id = contact.client_id AND client_email.address = ? COLLATE NOCASE)
                    """).execute(arguments: [refusedAddress, at, outcome.reply, outcome.attemptID, refusedAddress])
        }
    }

    /// Closes a reserved or deferred attempt as `failed` without sending it (planned too long
    /// ago to go out now), with the reason `reason` gives from the relay's last reply (nil
    /// when no relay ever answered it). Returns that reason, or nil when the attempt was no
    /// longer waiting (another process took it).
    package func giveUp(_ attemptID: Int64, at moment: Date, reason: @Sendable (_ lastReply: String?) -> String) throws(LedgerError) -> String? {
        try write { db -> String? in
            guard let row = try GRDB.Row.fetchOne(db.cachedStatement(sql: "SELECT status, server_reply FROM contact WHERE id = ?"), arguments: [attemptID]),
                ["pending", "deferred"].contains(row["status"] as String)
            else { return nil }
            let error = reason(row["server_reply"])
            try Self.closeAsFailed(attemptID, reason: error, at: moment, db)
            return error
        }
    }

    /// Gives claimed attempts back when the pass stops before sending them (SIGTERM, the
    /// relay refusing the configuration or not answering): they are `pending` again, sent by
    /// the next pass. `why` ends the attempt log's "not sent: ..." detail.
    package func release(_ attemptIDs: [Int64], at moment: Date, why: String) throws(LedgerError) {
        guard !attemptIDs.isEmpty else { return }
        try write { db in
            var log = AttemptLogWriter()
            for id in attemptIDs {
                try db.cachedStatement(sql: """
                        UPDATE contact SET status = 'pending', send_phase = NULL, attempt_count = max(0, attempt_count - 1)
                        WHERE id = ? AND status = 'sending' AND send_phase = 'claimed'
                        """).execute(arguments: [id])
                try log.append(db, id, at: moment, status: "pending", detail: "not sent: \(why); it goes with the next pass", sha256: nil)
            }
        }
    }

    /// An attempt to send again: its stored bytes, exactly.
    package struct StoredAttempt: Sendable {
        package var attemptID: Int64
        package var clientCode: String
        package var stage: String
        package var invoiceNumbers: [String]
        package var recipients: [String]
        package var messageID: String
        package var bytes: [UInt8]
        /// Tries made before this one (the backoff grows with it).
        package var attemptCount: Int
        /// When the message was first planned: retries give up `[daemon] retry_days` after it.
        package var createdAt: Date

        package init(
            attemptID: Int64, clientCode: String, stage: String, invoiceNumbers: [String], recipients: [String], messageID: String, bytes: [UInt8],
            attemptCount: Int, createdAt: Date
        ) {
            self.attemptID = attemptID
            self.clientCode = clientCode
            self.stage = stage
            self.invoiceNumbers = invoiceNumbers
            self.recipients = recipients
            self.messageID = messageID
            self.bytes = bytes
            self.attemptCount = attemptCount
            self.createdAt = createdAt
        }
    }

    /// When messages were handed to the transport since `moment`, oldest first: what the
    /// relay's quotas count, across passes and restarts.
    package func handoverTimes(since moment: Date) throws(LedgerError) -> [Date] {
        try read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT last_attempt_at FROM contact WHERE channel = 'email' AND last_attempt_at >= ? ORDER BY last_attempt_at"),
                arguments: [Timestamp.string(moment)]
            ).compactMap(Timestamp.date)
        }
    }

    /// What a crash left in flight, resolved at the start of a pass (under the pass lock, so
    /// no other process is sending). First the journal's outcomes are recorded as they came.
    /// Then an attempt claimed in this boot that never reached DATA (in the journal or the
    /// ledger) was not accepted anywhere and goes back to `pending`; one that reached DATA may
    /// have been delivered and becomes `unknown`, never resent. The journal and the phase are
    /// written without forcing them to disk, which survives the process being killed (the
    /// kernel keeps the write) but maybe not the machine stopping: so an attempt claimed in an
    /// earlier boot also becomes `unknown`. The journal is emptied once this is recorded.
    package func resolveInterrupted(at moment: Date, journal: OutboxJournal) throws(LedgerError) -> (resent: Int, unknown: Int) {
        let (started, outcomes) = try journal.entries()
        let resolved = try write { db in
            var log = AttemptLogWriter()
            // What the journal knew first: outcomes as they came, bodies that started.
            for outcome in outcomes { try Self.record(outcome, log: &log, db) }
            for (id, attempt) in started {
                try db.cachedStatement(sql: "UPDATE contact SET send_phase = 'data' WHERE id = ? AND status = 'sending' AND send_phase = 'claimed' AND attempt_count = ?")
                    .execute(arguments: [id, attempt])
            }
            var resent = 0
            var unknown = 0
            for row in try GRDB.Row.fetchAll(db.cachedStatement(sql: "SELECT id, send_phase, claim_boot FROM contact WHERE status = 'sending' AND \(Self.inFlight)")) {
                let id: Int64 = row["id"]
                let phase: String? = row["send_phase"]
                let boot: String? = row["claim_boot"]
                // Without a boot id (a hidden /proc/sys) no boot can be told from another.
                if phase == "claimed" && boot == Self.bootID && !Self.bootID.isEmpty {
                    try db.cachedStatement(sql: "UPDATE contact SET status = 'pending', send_phase = NULL WHERE id = ?").execute(arguments: [id])
                    try log.append(db, id, at: moment, status: "pending", detail: Self.interruptedBeforeData, sha256: nil)
                    resent += 1
                } else {
                    let detail = phase == "data" || boot == Self.bootID
                        ? "interrupted while sending: it may have been delivered"
                        : "the machine restarted while this message was being sent: it may have been delivered"
                    try db.cachedStatement(sql: "UPDATE contact SET status = 'unknown', error = ? WHERE id = ?").execute(arguments: [detail, id])
                    try log.append(db, id, at: moment, status: "unknown", detail: detail, sha256: nil)
                    unknown += 1
                }
            }
            return (resent, unknown)
        }
        try journal.clear()
        return resolved
    }

    /// The partial index `contact_status`'s condition, repeated in a query so that SQLite uses
    /// the index instead of scanning every contact (it does not infer it from `status = ?`).
    static let inFlight = "(\(LedgerSchema.inFlightCondition))"

    static let interruptedBeforeData = "interrupted before the relay asked for the body: nothing was delivered; it goes again"

    /// This boot of the machine (Linux's random boot id): an attempt claimed in another boot
    /// may have lost writes that were not forced to disk. Empty when /proc/sys is hidden
    /// (systemd's ProcSubset=pid): then every interrupted attempt is taken as unknown.
    package static let bootID: String = {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// When the earliest deferred message may be tried again, if any waits: the daemon wakes
    /// for it rather than at its next tick.
    package func nextRetry() throws(LedgerError) -> Date? {
        try read { db in
            Timestamp.date(try String.fetchOne(db, sql: "SELECT min(next_attempt_at) FROM contact WHERE status = 'deferred' AND message IS NOT NULL"))
        }
    }

    /// Attempts to (re)send now: reserved but never sent, and deferred ones whose time has come.
    package func attemptsDue(at moment: Date) throws(LedgerError) -> [StoredAttempt] {
        try read { db in
            try GRDB.Row.fetchAll(db.cachedStatement(sql: """
                    SELECT contact.*, client.code AS client_code,
                           \(Self.contactInvoiceNumbers) AS numbers
                    FROM contact JOIN client ON client.id = contact.client_id
                    WHERE contact.message IS NOT NULL
                      AND (contact.status = 'pending' OR (contact.status = 'deferred' AND contact.next_attempt_at <= ?))
                      AND \(Self.inFlight.replacingOccurrences(of: "status", with: "contact.status"))
                    ORDER BY contact.id
                    """), arguments: [Timestamp.string(moment)]
            ).map { row in
                StoredAttempt(
                    attemptID: row["id"], clientCode: row["client_code"], stage: row["stage"] ?? "",
                    invoiceNumbers: Self.invoiceNumbers(row["numbers"]),
                    recipients: ((row["recipients"] as String?) ?? "").split(separator: ",").map { String($0.trimmingSpaces()) },
                    messageID: row["message_id"] ?? "", bytes: Array((row["message"] as Data?) ?? Data()), attemptCount: row["attempt_count"],
                    createdAt: Timestamp.date(row["occurred_at"]) ?? moment)
            }
        }
    }

    /// Appends one step to the hash-chained attempt log, in a transaction that writes no other.
    static func logAttempt(_ db: GRDB.Database, _ attemptID: Int64, at moment: Date, status: String, detail: String, sha256: String?) throws {
        var log = AttemptLogWriter()
        try log.append(db, attemptID, at: moment, status: status, detail: detail, sha256: sha256)
    }

    /// The Message-IDs of the messages sent (or maybe sent) to a client about any of the
    /// invoices, oldest first.
    static func threadReferences(clientID: Int64, invoiceIDs: [Int64], _ db: GRDB.Database) throws -> [String] {
        guard !invoiceIDs.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: invoiceIDs.count).joined(separator: ", ")
        // Appended one by one: the initializer from a sequence instantiates a key path at
        // every call, which cost more than the query.
        var arguments: StatementArguments = []
        for id in invoiceIDs { arguments += [id] }
        arguments += [clientID]
        var references: [String] = []
        // A message about several of the invoices comes once per invoice: kept the first time
        // here rather than by DISTINCT, which builds a temporary table at every message.
        try SQLiteRow.forEach(db.cachedStatement(sql: """
                SELECT contact.message_id FROM contact_invoice
                JOIN contact ON contact.id = contact_invoice.contact_id
                WHERE contact_invoice.invoice_id IN (\(placeholders)) AND contact.client_id = ? AND contact.message_id IS NOT NULL
                  AND contact.status IN ('sent', 'unknown')
                ORDER BY contact.occurred_at, contact.id
                """), arguments: arguments
        ) { row in
            let reference = row.text(0)
            if !references.contains(reference) { references.append(reference) }
        }
        return references
    }
}
