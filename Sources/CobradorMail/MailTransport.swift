/// Where composed messages go. `send` blocks (network or disk): call it from a thread of its
/// own, never from the cooperative pool.
package protocol MailTransport: Sendable {
    /// Delivers `message` (CRLF line ends, exactly the stored bytes) from the envelope sender
    /// to the envelope recipients, and says what became of it.
    func send(_ message: [UInt8], from sender: String, to recipients: [String]) -> DeliveryOutcome
}
