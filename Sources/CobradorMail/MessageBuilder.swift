import CobradorCore
import Foundation

/// Renders one planned message for one client and composes it: the bridge between the
/// planner's decision, the templates and the MIME composer.
package struct MessageBuilder: Sendable {
    package let configuration: Configuration
    package let templates: TemplateSet

    package init(configuration: Configuration, templates: TemplateSet) {
        self.configuration = configuration
        self.templates = templates
    }

    /// The message, with the invoices' PDFs read from disk (`readFile` returns nil for a file
    /// that cannot be read, which is an error naming the invoice).
    /// `stage`, when given, adds its certification copy and the owner's blind copy.
    package func message(
        _ facts: MessageFacts, template: String, messageID: String, references: [String], date: Date, stage: Configuration.Stage? = nil,
        readFile: (String) -> [UInt8]?
    ) throws(MailError) -> OutgoingMessage {
        let rendered = try templates.render(template, language: facts.client.language, context: MessageContext.context(facts))
        var attachments: [MailAttachment] = []
        for item in facts.invoices {
            guard let path = item.invoice.attachment else { continue }
            guard let data = readFile(path) else {
                throw .template(file: path, line: nil, message: "the PDF of invoice \(item.invoice.number) cannot be read")
            }
            attachments.append(MailAttachment(fileName: (path as NSString).lastPathComponent, contentType: "application/pdf", data: data))
        }
        let recipients = facts.client.emails.map { Mailbox(name: facts.client.name, address: $0) }
        let certification = stage?.certify.map { [Mailbox(name: nil, address: $0)] } ?? []
        var message = OutgoingMessage(
            from: Mailbox(name: configuration.sender.legalName, address: configuration.sender.email), replyTo: configuration.sender.replyTo,
            to: Array(recipients.prefix(1)), cc: Array(recipients.dropFirst()) + certification, subject: rendered.subject, text: rendered.text,
            html: rendered.html, messageID: messageID, references: references,
            // Routine reminders ask auto-responders to stay quiet; formal notices welcome an out-of-office reply as evidence.
            autoSubmitted: !["formal-notice", "final-notice"].contains(facts.stage), date: date,
            timeZone: TimeZone(identifier: configuration.policy.timeZone) ?? .current, attachments: attachments,
            record: "client \(facts.client.code)")
        if stage?.bccOwner == true { message.bcc = [configuration.sender.replyTo ?? configuration.sender.email] }
        return message
    }
}
