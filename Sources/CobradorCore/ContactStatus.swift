/// Where a contact attempt stands. Manual contacts are `recorded`; the daemon moves its own
/// attempts from `pending` to `sent`, `failed` or `unknown`.
package enum ContactStatus: String, CaseIterable, Codable, Sendable {
    /// Reserved, bytes stored, not yet handed to the transport.
    case pending
    /// Handed to the transport; the outcome is not known yet.
    case sending
    /// Accepted by the relay (or written to the Maildir).
    case sent
    /// Failed for now; retried later.
    case deferred
    /// Refused for good, or expired after retries.
    case failed
    /// The body went out and no final reply came: never resent automatically.
    case unknown
    /// A contact the owner recorded by hand (a call, a letter, a visit).
    case recorded
}
