import Foundation
import GRDB

/// Appends steps to the hash-chained attempt log within one write transaction: the chain's
/// last hash is read once, at the first step, then carried from step to step (reading it
/// back for every step of a batch cost more than hashing it). Every step of the transaction
/// must go through the same writer, and it must not outlive the transaction.
struct AttemptLogWriter {
    /// The hash of the last step written, once known.
    private var previous: String?

    mutating func append(_ db: GRDB.Database, _ attemptID: Int64, at moment: Date, status: String, detail: String, sha256: String?) throws {
        let previous = try self.previous ?? String.fetchOne(db.cachedStatement(sql: "SELECT hash FROM attempt_event ORDER BY id DESC LIMIT 1")) ?? AttemptChain.origin
        let at = Timestamp.string(moment)
        let hash = AttemptChain.hash(previous: previous, attemptID: attemptID, at: at, status: status, detail: detail, sha256: sha256)
        try SQLiteRow.execute(
            db.cachedStatement(sql: "INSERT INTO attempt_event (contact_id, at, status, detail, message_sha256, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            attemptID, at, status, detail, sha256, previous, hash)
        self.previous = hash
    }
}
