/// What became of one message handed to a transport. Every outcome carries the relay's
/// words, so the owner can read exactly what happened, and a transcript without credentials.
package struct DeliveryOutcome: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable {
        /// The relay took responsibility for the message (or it was written to the Maildir).
        case accepted
        /// Refused for now (4xx, network): nothing was accepted; try again later.
        case temporaryFailure = "temporary-failure"
        /// Refused for good (5xx): do not try again without a change.
        case permanentFailure = "permanent-failure"
        /// The body went out and no final reply came: it may have been delivered. Never resend
        /// automatically.
        case unknown
        /// Our side is wrong (login refused, TLS failed, no STARTTLS): the owner must act.
        case configurationError = "configuration-error"
    }

    package var kind: Kind
    /// The last SMTP reply code, when there was one.
    package var code: Int?
    /// The RFC 3463 enhanced status code ("5.1.1"), when the reply had one.
    package var enhancedCode: String?
    /// The relay's reply, or what went wrong, in words.
    package var reply: String
    /// The session, one line per command or reply, credentials redacted.
    package var transcript: [String]
    /// The recipient the relay refused for good (5xx to RCPT TO): a bad address.
    package var refusedRecipient: String?
    /// The relay could not be reached, stopped answering or said it is closing (421): the next
    /// message would fare no better, and a relay that hangs costs its timeout each time.
    package var relayUnavailable: Bool

    package init(
        kind: Kind, code: Int? = nil, enhancedCode: String? = nil, reply: String, transcript: [String] = [], refusedRecipient: String? = nil,
        relayUnavailable: Bool = false
    ) {
        self.kind = kind
        self.code = code
        self.enhancedCode = enhancedCode
        self.reply = reply
        self.transcript = transcript
        self.refusedRecipient = refusedRecipient
        self.relayUnavailable = relayUnavailable
    }
}
