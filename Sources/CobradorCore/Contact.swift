import Foundation

/// One contact with a client: a message the daemon sent (or tried to), or a call, letter or
/// visit the owner recorded by hand. Message fields stay nil for manual contacts.
package struct Contact: Hashable, Sendable {
    package var id: Int64?
    package var clientID: Int64
    package var invoiceIDs: [Int64]
    /// The cadence stage this contact belongs to, if any.
    package var stage: String?
    package var channel: ContactChannel
    package var recipients: [String]
    package var subject: String?
    package var messageID: String?
    /// The exact bytes sent, kept as evidence.
    package var message: [UInt8]?
    /// Lower-case hex SHA-256 of `message`.
    package var sha256: String?
    package var status: ContactStatus
    package var serverReply: String?
    package var error: String?
    package var attemptCount: Int
    /// What happened, in the owner's words (for manual contacts).
    package var summary: String?
    /// When the contact happened (manual) or was reserved (daemon).
    package var occurredAt: Date
    package var sentAt: Date?

    package init(
        id: Int64? = nil, clientID: Int64, invoiceIDs: [Int64], stage: String? = nil, channel: ContactChannel,
        recipients: [String] = [], subject: String? = nil, messageID: String? = nil, message: [UInt8]? = nil,
        sha256: String? = nil, status: ContactStatus, serverReply: String? = nil, error: String? = nil,
        attemptCount: Int = 0, summary: String? = nil, occurredAt: Date, sentAt: Date? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.invoiceIDs = invoiceIDs
        self.stage = stage
        self.channel = channel
        self.recipients = recipients
        self.subject = subject
        self.messageID = messageID
        self.message = message
        self.sha256 = sha256
        self.status = status
        self.serverReply = serverReply
        self.error = error
        self.attemptCount = attemptCount
        self.summary = summary
        self.occurredAt = occurredAt
        self.sentAt = sentAt
    }
}
