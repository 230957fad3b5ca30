import CobradorCore
import Foundation
import GRDB

/// The outbox protocol: reserve (one write transaction that re-checks everything and stores
/// the exact bytes before any leave), send with no transaction open, record the outcome.
extension Ledger {
    /// What the ledger stores for a reserved message.
    package struct ReservedMessage: Sendable {
        package var attemptID: Int64
        package var messageID: String
        package var bytes: [UInt8]
        package var recipients: [String]
        package var subject: String
    }

    /// Why a planned message was not reserved.
    package enum ReservationRefusal: Error, Equatable, CustomStringConvertible {
        /// The same dispatch was reserved before (a retry of the pass, a second daemon).
        case alreadyReserved
        /// Something changed since the plan: paid, paused, under negotiation, voided.
        case noLongerDue(String)
        /// The relay refused this stage for these invoices for good (or it was given up after
        /// days of temporary failures) and the recipients have not changed since: sending it
        /// again would fail again. Editing the client's addresses lets it go out.
        case failedBefore

        package var description: String {
            switch self {
            case .alreadyReserved: "already reserved"
            case .noLongerDue(let reason): reason
            case .failedBefore: "the relay refused this message to the same recipients before"
            }
        }
    }

    /// Rolls the reservation back when what `compose` made was refused before.
    private struct RefusedAfterComposing: Error {
        let refusal: ReservationRefusal
    }

    /// Reserves one planned message. In a single BEGIN IMMEDIATE transaction it re-checks that
    /// every invoice is still open, owes more than the tolerance, is not paused nor (for a
    /// cadence stage) under an open negotiation, and that the client is not paused; inserts
    /// the attempt; asks `compose` for the bytes with the attempt's Message-ID; and stores
    /// them with their SHA-256. Nothing is sent here.
    package func reserve(
        _ event: PlannedEvent, dispatchKey: String, day: CalendarDate, tolerance: @Sendable (Currency) -> Int64, checksNegotiations: Bool,
        messageID: @Sendable (Int64) -> String, compose: @Sendable (String, [String]) throws -> (bytes: [UInt8], subject: String, recipients: [String])
    ) throws -> Result<ReservedMessage, ReservationRefusal> {
        do {
            return try database.write { db -> Result<ReservedMessage, ReservationRefusal> in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM contact WHERE dispatch_key = ?", arguments: [dispatchKey]) == true {
                    return .failure(.alreadyReserved)
                }
                if let refusal = try Self.noLongerDue(
                    clientID: event.clientID, clientCode: event.clientCode, invoiceNumbers: event.invoiceNumbers, stage: event.stage ?? "", on: day,
                    tolerance: tolerance, checksNegotiations: checksNegotiations, db)
                {
                    return .failure(refusal)
                }
                let references = try Self.threadReferences(clientID: event.clientID, invoiceNumbers: event.invoiceNumbers, db)
                try db.execute(
                    sql: "INSERT INTO contact (client_id, stage, channel, status, occurred_at, dispatch_key) VALUES (?, ?, 'email', 'pending', ?, ?)",
                    arguments: [event.clientID, event.stage, Timestamp.string(event.at), dispatchKey])
                let attemptID = db.lastInsertedRowID
                let id = messageID(attemptID)
                let composed = try compose(id, references)
                let recipients = composed.recipients.joined(separator: ", ")
                let sameDispatch = dispatchKey.split(separator: "|").prefix(2).joined(separator: "|") + "|%"
                // A relay's verdict (server_reply set) on the same stage, invoices and recipients.
                if try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT 1 FROM contact WHERE client_id = ? AND dispatch_key LIKE ? AND status = 'failed'
                          AND server_reply IS NOT NULL AND recipients = ?
                        """, arguments: [event.clientID, sameDispatch, recipients]) == true
                {
                    throw RefusedAfterComposing(refusal: .failedBefore)
                }
                try db.execute(
                    sql: "UPDATE contact SET message_id = ?, message = ?, sha256 = ?, subject = ?, recipients = ? WHERE id = ?",
                    arguments: [id, Data(composed.bytes), SHA256.hex(composed.bytes), composed.subject, recipients, attemptID])
                for invoiceID in event.invoiceIDs {
                    try db.execute(sql: "INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (?, ?)", arguments: [attemptID, invoiceID])
                }
                try Self.logAttempt(
                    db, attemptID, at: event.at, status: "pending",
                    detail: "reserved \(id) for \(composed.recipients.joined(separator: ", "))", sha256: SHA256.hex(composed.bytes))
                return .success(ReservedMessage(attemptID: attemptID, messageID: id, bytes: composed.bytes, recipients: composed.recipients, subject: composed.subject))
            }
        } catch let refused as RefusedAfterComposing {
            return .failure(refused.refusal)
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Why a planned message may no longer go out: the client is paused, or an invoice is no
    /// longer open, was handed over, is paid (for every stage but the thank-you), is paused or,
    /// for a cadence stage, is under an open negotiation.
    static func noLongerDue(
        clientID: Int64, clientCode: String, invoiceNumbers: [String], stage: String, on day: CalendarDate, tolerance: (Currency) -> Int64,
        checksNegotiations: Bool, _ db: GRDB.Database
    ) throws -> ReservationRefusal? {
        let client = try GRDB.Row.fetchOne(db, sql: "SELECT * FROM client WHERE id = ?", arguments: [clientID])
        if let client, let pause = Pause(row: client), pause.isActive(on: day) {
            return .noLongerDue("client \(clientCode) is paused")
        }
        for number in invoiceNumbers {
            let summary = try Self.invoice(number: number, db)
            if summary.invoice.status != .open { return .noLongerDue("invoice \(number) is \(summary.invoice.status.rawValue)") }
            if try String.fetchOne(db, sql: "SELECT handed_over_at FROM invoice WHERE id = ?", arguments: [summary.invoice.id]) != nil {
                return .noLongerDue("invoice \(number) was handed over")
            }
            if summary.balance.minorUnits <= tolerance(summary.balance.currency) && stage != "thank-you" {
                return .noLongerDue("invoice \(number) is paid")
            }
            if let pause = summary.invoice.pause, pause.isActive(on: day) { return .noLongerDue("invoice \(number) is paused") }
            if checksNegotiations, let negotiation = try Self.openNegotiationID(covering: summary.invoice.id!, db) {
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
            guard let row = try GRDB.Row.fetchOne(
                db,
                sql: """
                    SELECT contact.client_id, contact.stage, contact.status, client.code,
                           \(Self.contactInvoiceNumbers) AS numbers
                    FROM contact JOIN client ON client.id = contact.client_id WHERE contact.id = ?
                    """, arguments: [attemptID]),
                ["pending", "deferred"].contains(row["status"] as String)
            else { return .alreadyReserved }
            let stage: String = row["stage"] ?? ""
            if let refusal = try Self.noLongerDue(
                clientID: row["client_id"], clientCode: row["code"], invoiceNumbers: Self.invoiceNumbers(row["numbers"]),
                stage: stage, on: day, tolerance: tolerance, checksNegotiations: checksNegotiations(stage), db)
            {
                let reason = "not sent: \(refusal.description) since it was written"
                try db.execute(sql: "UPDATE contact SET status = 'failed', error = ?, next_attempt_at = NULL WHERE id = ?", arguments: [reason, attemptID])
                try Self.logAttempt(db, attemptID, at: moment, status: "failed", detail: reason, sha256: nil)
                return refusal
            }
            try db.execute(
                sql: "UPDATE contact SET status = 'sending', attempt_count = attempt_count + 1, last_attempt_at = ? WHERE id = ?",
                arguments: [Timestamp.string(moment), attemptID])
            try Self.logAttempt(db, attemptID, at: moment, status: "sending", detail: "handed to the transport", sha256: nil)
            return nil
        }
    }

    /// Records what became of an attempt. `nextAttempt` is set for a deferred one.
    package func recordOutcome(
        _ attemptID: Int64, status: ContactStatus, reply: String, error: String?, at moment: Date, nextAttempt: Date?
    ) throws(LedgerError) {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE contact SET status = ?, server_reply = ?, error = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,
                        next_attempt_at = ? WHERE id = ?
                    """,
                arguments: [status.rawValue, reply, error, status.rawValue, Timestamp.string(moment), nextAttempt.map(Timestamp.string), attemptID])
            try Self.logAttempt(db, attemptID, at: moment, status: status.rawValue, detail: error ?? reply, sha256: nil)
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
        package var attemptCount: Int
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
            try String.fetchAll(
                db, sql: "SELECT last_attempt_at FROM contact WHERE channel = 'email' AND last_attempt_at >= ? ORDER BY last_attempt_at",
                arguments: [Timestamp.string(moment)]
            ).compactMap(Timestamp.date)
        }
    }

    /// At start: attempts left `sending` by a crash become `unknown` (the message may have gone
    /// out; never resend automatically). Returns how many.
    package func resolveInterrupted() throws(LedgerError) -> Int {
        try write { db in
            let interrupted = try Int64.fetchAll(db, sql: "SELECT id FROM contact WHERE status = 'sending'")
            try db.execute(
                sql: "UPDATE contact SET status = 'unknown', error = 'interrupted while sending: it may have been delivered' WHERE status = 'sending'")
            for id in interrupted {
                try Self.logAttempt(db, id, at: Date(), status: "unknown", detail: "interrupted while sending: it may have been delivered", sha256: nil)
            }
            return interrupted.count
        }
    }

    /// Attempts to (re)send now: reserved but never sent, and deferred ones whose time has come.
    package func attemptsDue(at moment: Date) throws(LedgerError) -> [StoredAttempt] {
        try read { db in
            try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT contact.*, client.code AS client_code,
                           \(Self.contactInvoiceNumbers) AS numbers
                    FROM contact JOIN client ON client.id = contact.client_id
                    WHERE contact.message IS NOT NULL
                      AND (contact.status = 'pending' OR (contact.status = 'deferred' AND contact.next_attempt_at <= ?))
                    ORDER BY contact.id
                    """, arguments: [Timestamp.string(moment)]
            ).map { row in
                StoredAttempt(
                    attemptID: row["id"], clientCode: row["client_code"], stage: row["stage"] ?? "",
                    invoiceNumbers: Self.invoiceNumbers(row["numbers"]),
                    recipients: ((row["recipients"] as String?) ?? "").split(separator: ",").map { String($0.trimmingSpaces()) },
                    messageID: row["message_id"] ?? "", bytes: Array((row["message"] as Data?) ?? Data()), attemptCount: row["attempt_count"],
                    createdAt: Timestamp.date(row["created_at"]) ?? moment)
            }
        }
    }

    /// Appends one step to the hash-chained attempt log.
    static func logAttempt(_ db: GRDB.Database, _ attemptID: Int64, at moment: Date, status: String, detail: String, sha256: String?) throws {
        let previous = try String.fetchOne(db, sql: "SELECT hash FROM attempt_event ORDER BY id DESC LIMIT 1") ?? AttemptChain.origin
        let at = Timestamp.string(moment)
        let hash = AttemptChain.hash(previous: previous, attemptID: attemptID, at: at, status: status, detail: detail, sha256: sha256)
        try db.execute(
            sql: "INSERT INTO attempt_event (contact_id, at, status, detail, message_sha256, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [attemptID, at, status, detail, sha256, previous, hash])
    }

    static func threadReferences(clientID: Int64, invoiceNumbers: [String], _ db: GRDB.Database) throws -> [String] {
        guard !invoiceNumbers.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: invoiceNumbers.count).joined(separator: ", ")
        return try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT contact.message_id FROM contact
                JOIN contact_invoice ON contact_invoice.contact_id = contact.id
                JOIN invoice ON invoice.id = contact_invoice.invoice_id
                WHERE contact.client_id = ? AND contact.message_id IS NOT NULL AND contact.status IN ('sent', 'unknown')
                  AND invoice.number IN (\(placeholders))
                ORDER BY contact.occurred_at, contact.id
                """, arguments: StatementArguments([clientID] + invoiceNumbers))
    }
}
