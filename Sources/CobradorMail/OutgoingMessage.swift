import Foundation

/// Everything a message says, before it becomes MIME bytes.
package struct OutgoingMessage: Hashable, Sendable {
    package var from: Mailbox
    package var replyTo: String?
    package var to: [Mailbox]
    package var cc: [Mailbox]
    /// Envelope-only recipients: never written into the message (RFC 5322 Bcc is an envelope matter).
    package var bcc: [String] = []
    package var subject: String
    package var text: String
    package var html: String
    /// Without angle brackets: `a1b2@example.com`. Derived from the attempt, so a retry reuses it.
    package var messageID: String
    /// Message-IDs of the earlier messages of this thread, oldest first.
    package var references: [String]
    /// `Auto-Submitted: auto-generated` (RFC 3834): routine reminders, not formal notices.
    package var autoSubmitted: Bool
    package var date: Date
    /// The zone the Date header is written in (the sender's).
    package var timeZone: TimeZone
    package var attachments: [MailAttachment]
    /// Names the ledger record in errors ("client ACME", "invoice F-1").
    package var record: String

    package init(
        from: Mailbox, replyTo: String? = nil, to: [Mailbox], cc: [Mailbox] = [], subject: String, text: String, html: String,
        messageID: String, references: [String] = [], autoSubmitted: Bool, date: Date, timeZone: TimeZone,
        attachments: [MailAttachment] = [], record: String
    ) {
        self.from = from
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.references = references
        self.autoSubmitted = autoSubmitted
        self.date = date
        self.timeZone = timeZone
        self.attachments = attachments
        self.record = record
    }
}
