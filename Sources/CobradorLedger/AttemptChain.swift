import CobradorCore

/// The hash chain of the attempt log: each step's hash is the SHA-256 of the previous hash and
/// the step's fields, so changing, removing or reordering any step breaks every hash after it.
package enum AttemptChain {
    /// The "previous hash" of the first step.
    package static let origin = String(repeating: "0", count: 64)

    package static func hash(previous: String, attemptID: Int64, at: String, status: String, detail: String, sha256: String?) -> String {
        // "length:field" joined by "|": lengths first, so no choice of field contents can
        // collide with another split.
        var record: [UInt8] = []
        record.reserveCapacity(previous.utf8.count + at.utf8.count + status.utf8.count + detail.utf8.count + 128)
        for (index, field) in [previous, String(attemptID), at, status, detail, sha256 ?? ""].enumerated() {
            if index > 0 { record.append(UInt8(ascii: "|")) }
            record.append(contentsOf: String(field.utf8.count).utf8)
            record.append(UInt8(ascii: ":"))
            record.append(contentsOf: field.utf8)
        }
        return SHA256.hex(record)
    }
}
