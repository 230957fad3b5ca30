import CobradorCore
import Foundation
import GRDB

extension Ledger {
    /// Records a contact the owner made by hand (a call, a letter, a visit). The invoices, if
    /// named, must belong to the client.
    @discardableResult
    package func recordContact(_ contact: Contact, clientCode: String, invoiceNumbers: [String]) throws(LedgerError) -> Contact {
        try write { db in
            let client = try Self.client(code: clientCode, db)
            var stored = contact
            stored.clientID = client.id!
            stored.invoiceIDs = try invoiceNumbers.map { number in
                let summary = try Self.invoice(number: number, db)
                guard summary.invoice.clientID == client.id else {
                    throw LedgerError.conflict("invoice \(number) belongs to client \(summary.clientCode), not \(client.code)")
                }
                return summary.invoice.id!
            }
            try db.execute(
                sql: """
                    INSERT INTO contact (client_id, stage, channel, recipients, subject, status, attempt_count, summary, occurred_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    stored.clientID, stored.stage, stored.channel.rawValue,
                    stored.recipients.isEmpty ? nil : stored.recipients.joined(separator: ", "), stored.subject,
                    stored.status.rawValue, stored.attemptCount, stored.summary, Timestamp.string(stored.occurredAt),
                ])
            stored.id = db.lastInsertedRowID
            for invoiceID in stored.invoiceIDs {
                try db.execute(sql: "INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (?, ?)", arguments: [stored.id, invoiceID])
            }
            return stored
        }
    }

    /// Records that a task stage (a call, a letter) fell due and was handed to the owner, once
    /// per dispatch: the cadence then moves past it as it does past a sent message. Returns
    /// false when this dispatch was recorded before.
    package func recordTask(_ event: PlannedEvent, channel: ContactChannel, dispatchKey: String, summary: String) throws(LedgerError) -> Bool {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO contact (client_id, stage, channel, status, summary, occurred_at, dispatch_key)
                    VALUES (?, ?, ?, 'recorded', ?, ?, ?)
                    """,
                arguments: [event.clientID, event.stage, channel.rawValue, summary, Timestamp.string(event.at), dispatchKey])
            guard db.changesCount == 1 else { return false }
            let contactID = db.lastInsertedRowID
            for invoiceID in event.invoiceIDs {
                try db.execute(sql: "INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (?, ?)", arguments: [contactID, invoiceID])
            }
            return true
        }
    }

    /// Task stages handed to the owner between `start` and `end`: client code, stage and
    /// invoice numbers, oldest first.
    package func recordedTasks(from start: Date, to end: Date) throws(LedgerError) -> [(client: String, stage: String, invoices: [String])] {
        try read { db in
            try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT client.code, contact.stage,
                           \(Self.contactInvoiceNumbers) AS numbers
                    FROM contact JOIN client ON client.id = contact.client_id
                    WHERE contact.status = 'recorded' AND contact.stage IS NOT NULL AND contact.occurred_at >= ? AND contact.occurred_at < ?
                    ORDER BY contact.occurred_at, contact.id
                    """, arguments: [Timestamp.string(start), Timestamp.string(end)]
            ).map { row in
                (client: row["code"], stage: row["stage"], invoices: Self.invoiceNumbers(row["numbers"]))
            }
        }
    }

    /// SQL for the invoice numbers a `contact` row was about, joined by the unit separator
    /// (U+001F): a number may hold ", ", never a control character.
    static let contactInvoiceNumbers = """
        (SELECT group_concat(invoice.number, char(31)) FROM contact_invoice JOIN invoice ON invoice.id = contact_invoice.invoice_id
         WHERE contact_invoice.contact_id = contact.id)
        """

    /// The numbers `contactInvoiceNumbers` joined.
    static func invoiceNumbers(_ joined: String?) -> [String] {
        (joined ?? "").split(separator: "\u{1F}").map(String.init)
    }

    /// A client's contacts, newest first.
    package func contacts(clientCode: String) throws(LedgerError) -> [Contact] {
        try read { db in
            let client = try Self.client(code: clientCode, db)
            return try GRDB.Row.fetchAll(db, sql: "SELECT * FROM contact WHERE client_id = ? ORDER BY occurred_at DESC, id DESC", arguments: [client.id])
                .map { row in
                    Contact(
                        id: row["id"], clientID: row["client_id"],
                        invoiceIDs: try Int64.fetchAll(db, sql: "SELECT invoice_id FROM contact_invoice WHERE contact_id = ?", arguments: [row["id"]]),
                        stage: row["stage"], channel: ContactChannel(rawValue: row["channel"]) ?? .other,
                        recipients: (row["recipients"] as String?)?.split(separator: ",").map { String($0.trimmingSpaces()) } ?? [],
                        subject: row["subject"], messageID: row["message_id"], message: (row["message"] as Data?).map { Array($0) },
                        sha256: row["sha256"], status: ContactStatus(rawValue: row["status"]) ?? .recorded,
                        serverReply: row["server_reply"], error: row["error"], attemptCount: row["attempt_count"],
                        summary: row["summary"], occurredAt: Timestamp.date(row["occurred_at"]) ?? .distantPast,
                        sentAt: Timestamp.date(row["sent_at"]))
                }
        }
    }
}

extension Ledger {
    /// The Message-IDs of the earlier messages to `clientCode` about any of `invoiceNumbers`,
    /// oldest first: a new reminder replies to the last of them, so the client's mail program
    /// shows the whole conversation as one thread.
    package func threadReferences(clientCode: String, invoiceNumbers: [String]) throws(LedgerError) -> [String] {
        try read { db in
            let ids = try invoiceNumbers.compactMap { try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM invoice WHERE number = ?"), arguments: [$0]) }
            return try Self.threadReferences(clientID: try Self.client(code: clientCode, db).id!, invoiceIDs: ids, db)
        }
    }
}
