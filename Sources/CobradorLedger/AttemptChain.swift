import CobradorCore

/// The hash chain of the attempt log: each step's hash is the SHA-256 of the previous hash and
/// the step's fields, so changing, removing or reordering any step breaks every hash after it.
package enum AttemptChain {
    /// The "previous hash" of the first step.
    package static let origin = String(repeating: "0", count: 64)

    package static func hash(previous: String, attemptID: Int64, at: String, status: String, detail: String, sha256: String?) -> String {
        let fields = [previous, String(attemptID), at, status, detail, sha256 ?? ""]
        // Lengths first, so no choice of field contents can collide with another split.
        let record = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return SHA256.hex(Array(record.utf8))
    }
}
