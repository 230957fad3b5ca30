import CobradorCore
import Foundation
import GRDB

extension Ledger {
    /// One step of the attempt log, as exported.
    package struct AttemptStep: Sendable, Codable {
        package var contactID: Int64
        package var at: String
        package var status: String
        package var detail: String
        package var messageSHA256: String?
        package var previousHash: String
        package var hash: String

        enum CodingKeys: String, CodingKey {
            case at, status, detail, hash
            case contactID = "contact_id"
            case messageSHA256 = "message_sha256"
            case previousHash = "previous_hash"
        }
    }

    /// The steps of the attempt log of `clientCode`'s messages, in order.
    package func attemptSteps(clientCode: String) throws(LedgerError) -> [AttemptStep] {
        try read { db in
            let client = try Self.client(code: clientCode, db)
            return try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT attempt_event.* FROM attempt_event JOIN contact ON contact.id = attempt_event.contact_id
                    WHERE contact.client_id = ? ORDER BY attempt_event.id
                    """, arguments: [client.id]
            ).map { row in
                AttemptStep(
                    contactID: row["contact_id"], at: row["at"], status: row["status"], detail: row["detail"], messageSHA256: row["message_sha256"],
                    previousHash: row["previous_hash"], hash: row["hash"])
            }
        }
    }

    /// Checks the whole attempt log and every stored message: each step's hash recomputes and
    /// follows the one before; each message's bytes still hash to the SHA-256 stored when it was
    /// reserved. Returns what does not hold; empty means intact.
    package func verifyEvidence() throws(LedgerError) -> [String] {
        try read { db in
            var problems: [String] = []
            var previous = AttemptChain.origin
            for row in try GRDB.Row.fetchAll(db, sql: "SELECT * FROM attempt_event ORDER BY id") {
                let id: Int64 = row["id"]
                let stored: String = row["previous_hash"]
                if stored != previous { problems.append("attempt log step \(id): does not follow the step before it (a step was removed, added or reordered)") }
                let expected = AttemptChain.hash(
                    previous: stored, attemptID: row["contact_id"], at: row["at"], status: row["status"], detail: row["detail"], sha256: row["message_sha256"])
                if expected != row["hash"] { problems.append("attempt log step \(id): its content was changed after it was written") }
                previous = row["hash"]
            }
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT contact.id, contact.message, contact.sha256,
                           (SELECT message_sha256 FROM attempt_event WHERE contact_id = contact.id AND message_sha256 IS NOT NULL ORDER BY id LIMIT 1) AS logged
                    FROM contact WHERE contact.message IS NOT NULL
                    """)
            {
                let id: Int64 = row["id"]
                let actual = SHA256.hex(Array((row["message"] as Data?) ?? Data()))
                if actual != row["sha256"] { problems.append("message \(id): its bytes no longer match the SHA-256 stored with it") }
                if let logged: String = row["logged"], logged != actual { problems.append("message \(id): its bytes no longer match the SHA-256 in the attempt log") }
            }
            return problems
        }
    }

    /// The stored messages of `clientCode`: id, stage, status, Message-ID, SHA-256, bytes.
    package func storedMessages(clientCode: String) throws(LedgerError) -> [(id: Int64, stage: String, status: String, messageID: String, sha256: String, bytes: Data)] {
        try read { db in
            let client = try Self.client(code: clientCode, db)
            return try GRDB.Row.fetchAll(
                db, sql: "SELECT id, stage, status, message_id, sha256, message FROM contact WHERE client_id = ? AND message IS NOT NULL ORDER BY id",
                arguments: [client.id]
            ).map { ($0["id"], $0["stage"] ?? "", $0["status"], $0["message_id"] ?? "", $0["sha256"] ?? "", $0["message"] ?? Data()) }
        }
    }
}
