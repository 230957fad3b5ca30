import CobradorCore
import Foundation
import GRDB

/// The record `cobrador log` reads: automatic messages with their latest state, and, to
/// follow a running daemon, each step of the attempt log as it is written.
extension Ledger {
    /// Which attempts to show; nil fields do not filter.
    package struct AttemptFilter: Sendable {
        package var clientCode: String?
        package var invoiceNumber: String?
        package var since: Date?
        /// One of `shownStatuses`.
        package var status: String?

        package init(clientCode: String? = nil, invoiceNumber: String? = nil, since: Date? = nil, status: String? = nil) {
            self.clientCode = clientCode
            self.invoiceNumber = invoiceNumber
            self.since = since
            self.status = status
        }
    }

    /// One line of the record.
    package struct AttemptLine: Sendable, Encodable {
        /// The attempt (contact) id.
        package var attempt: Int64
        package var at: Date
        package var client: String
        package var invoices: [String]
        package var stage: String
        package var status: String
        package var recipients: [String]
        package var messageID: String?
        /// The relay's reply or what went wrong.
        package var reply: String

        /// Snake case, as every other JSON cobrador prints.
        private enum CodingKeys: String, CodingKey {
            case attempt, at, client, invoices, stage, status, recipients, reply
            case messageID = "message_id"
        }
    }

    /// The statuses the record shows: the ledger's, and `cancelled` for a `failed` attempt
    /// cobrador closed unsent (paid, paused or readdressed meanwhile; its error begins with
    /// `closedUnsent`), as the sent log calls it.
    package static let shownStatuses = ContactStatus.allCases.filter { $0 != .recorded }.map(\.rawValue) + ["cancelled"]

    /// SQL for the status shown of a row whose status and error (or step detail) are these columns.
    static func shownStatus(_ status: String, reason: String) -> String {
        "(CASE WHEN \(status) = 'failed' AND substr(coalesce(\(reason), ''), 1, \(closedUnsent.count)) = '\(closedUnsent)' THEN 'cancelled' ELSE \(status) END)"
    }

    /// When a message's line is dated: its latest step in the attempt log (it went out, was
    /// tried, given up...), not when it was planned: a retry that went out days later shows
    /// the day it went out.
    private static let attemptMoment = "coalesce((SELECT max(at) FROM attempt_event WHERE attempt_event.contact_id = contact.id), contact.occurred_at)"

    /// Automatic messages matching `filter`, newest first, each with its current status.
    package func attemptLines(_ filter: AttemptFilter) throws(LedgerError) -> [AttemptLine] {
        try read { db in
            let shown = Self.shownStatus("contact.status", reason: "contact.error")
            let (conditions, arguments) = try Self.conditions(filter, status: shown, timeColumn: Self.attemptMoment, db)
            return try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT contact.id, \(Self.attemptMoment) AS at, \(shown) AS status,
                           CASE WHEN contact.status = 'failed' THEN coalesce(contact.error, contact.server_reply, '')
                                ELSE coalesce(contact.server_reply, contact.error, '') END AS reply,
                           contact.stage, contact.recipients, contact.message_id, client.code, \(Self.contactInvoiceNumbers) AS numbers
                    FROM contact JOIN client ON client.id = contact.client_id
                    WHERE contact.message_id IS NOT NULL \(conditions)
                    ORDER BY at DESC, contact.id DESC
                    """, arguments: arguments
            ).map(Self.attemptLine)
        }
    }

    /// The id of the attempt log's last step: follow on from there.
    package func attemptLogEnd() throws(LedgerError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM attempt_event") ?? 0 }
    }

    /// Steps of the attempt log written after step `stepID` that match `filter`, oldest
    /// first, with the id of the last step read (pass it back to follow on).
    package func attemptSteps(after stepID: Int64, _ filter: AttemptFilter) throws(LedgerError) -> (lines: [AttemptLine], last: Int64) {
        try read { db in
            let last = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM attempt_event") ?? 0
            let shown = Self.shownStatus("attempt_event.status", reason: "attempt_event.detail")
            let (conditions, arguments) = try Self.conditions(filter, status: shown, timeColumn: "attempt_event.at", db)
            let lines = try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT contact.id, attempt_event.at, \(shown) AS status, attempt_event.detail AS reply,
                           contact.stage, contact.recipients, contact.message_id, client.code, \(Self.contactInvoiceNumbers) AS numbers
                    FROM attempt_event JOIN contact ON contact.id = attempt_event.contact_id JOIN client ON client.id = contact.client_id
                    WHERE attempt_event.id > ? AND attempt_event.id <= ? \(conditions)
                    ORDER BY attempt_event.id
                    """, arguments: [stepID, last] + arguments
            ).map(Self.attemptLine)
            return (lines, last)
        }
    }

    private static func conditions(_ filter: AttemptFilter, status shown: String, timeColumn: String, _ db: GRDB.Database) throws -> (String, StatementArguments) {
        var sql = ""
        var arguments = StatementArguments()
        if let code = filter.clientCode {
            sql += " AND contact.client_id = ?"
            arguments += [try client(code: code, db).id]
        }
        if let number = filter.invoiceNumber {
            sql += " AND EXISTS (SELECT 1 FROM contact_invoice WHERE contact_invoice.contact_id = contact.id AND contact_invoice.invoice_id = ?)"
            arguments += [try invoice(number: number, db).invoice.id]
        }
        if let since = filter.since {
            sql += " AND \(timeColumn) >= ?"
            arguments += [Timestamp.string(since)]
        }
        if let status = filter.status {
            sql += " AND \(shown) = ?"
            arguments += [status]
        }
        return (sql, arguments)
    }

    private static func attemptLine(_ row: GRDB.Row) -> AttemptLine {
        AttemptLine(
            attempt: row["id"], at: Timestamp.date(row["at"]) ?? .distantPast, client: row["code"], invoices: invoiceNumbers(row["numbers"]),
            stage: row["stage"] ?? "", status: row["status"],
            recipients: ((row["recipients"] as String?) ?? "").split(separator: ",").map { String($0.trimmingSpaces()) }.filter { !$0.isEmpty },
            messageID: row["message_id"], reply: row["reply"])
    }
}
