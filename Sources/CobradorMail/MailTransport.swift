/// Where composed messages go. `send` blocks (network or disk): call it from a thread of its
/// own, never from the cooperative pool.
package protocol MailTransport: Sendable {
    /// Delivers `message` (CRLF line ends, exactly the stored bytes) from the envelope sender
    /// to the envelope recipients, and says what became of it. `beforeBody` is called once,
    /// when the relay has accepted the envelope and asked for the body (354 to DATA), before
    /// any byte of it leaves: until then nothing can have been delivered. When it returns
    /// false the body is not sent and the outcome is a temporary failure. `keepWaiting` is
    /// asked about once a second while the relay has not answered: false abandons the
    /// transfer (a stop requested while the relay hangs), which is then a temporary failure,
    /// or of unknown fate once the whole body went.
    func send(_ message: [UInt8], from sender: String, to recipients: [String], beforeBody: () -> Bool, keepWaiting: () -> Bool) -> DeliveryOutcome
}

extension MailTransport {
    /// Delivers a message nobody needs to follow phase by phase (a test message, the digest).
    package func send(_ message: [UInt8], from sender: String, to recipients: [String]) -> DeliveryOutcome {
        send(message, from: sender, to: recipients, beforeBody: { true }, keepWaiting: { true })
    }
}
