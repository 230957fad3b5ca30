import Foundation

/// Message-IDs on the sender's domain. A message's id is made once, when its attempt is
/// reserved, and stored with it: a retry sends the same id, so the recipient's mail system
/// can recognise the duplicate.
package enum MessageID {
    /// "cobrador.42.1796025600@luciamartin.es" for attempt 42 reserved at that second.
    package static func make(attempt: Int64, reservedAt: Date, senderAddress: String) -> String {
        let domain = senderAddress.lastIndex(of: "@").map { senderAddress[senderAddress.index(after: $0)...] } ?? "localhost"
        return "cobrador.\(attempt).\(Int64(reservedAt.timeIntervalSince1970))@\(domain)"
    }
}
