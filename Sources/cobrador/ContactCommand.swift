import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct ContactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact", abstract: "Record contacts you made by hand.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a call, letter, visit or e-mail you made yourself, with its outcome.",
            discussion: HelpText.flowing("""
                Example:
                  cobrador contact add ACME --channel phone \\
                      --summary "Spoke to Marta in accounts; payment run is on Friday" \\
                      --invoice F-2026-041
                """))

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The client's code.") var client: String
        @Option(help: "phone, letter, email or other (a visit).") var channel: String
        @Option(help: "What was said or sent, and what came of it.") var summary: String
        @Option(help: "When it happened, YYYY-MM-DD (default: now).") var date: String?
        @Option(help: "An invoice it was about; repeat for several.") var invoice: [String] = []

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            let channel = try CommandInput.parse("--channel", channel) { try FieldRules.choice($0, as: ContactChannel.self) }
            let summary = try CommandInput.parse("--summary", summary) { try FieldRules.freeText($0) }
            guard let summary else { throw CommandFailure("--summary must say what happened") }
            var occurredAt = Date()
            if let day = try CommandInput.parseIfGiven("--date", date, { try FieldRules.date($0) }) {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: configuration.policy.timeZone) ?? .current
                occurredAt = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12)) ?? occurredAt
            }
            let contact = Contact(clientID: 0, invoiceIDs: [], channel: channel, status: .recorded, summary: summary, occurredAt: occurredAt)
            try ledger.recordContact(contact, clientCode: client, invoiceNumbers: invoice)
            print("Recorded a \(channel.rawValue) contact with \(client).")
        }
    }

    /// The contacts, their times in `zone` (the owner's) as every other table shows them.
    static func printTable(_ contacts: [Contact], zone: TimeZone) {
        Terminal.printTable(
            ["WHEN", "CHANNEL", "STAGE", "STATUS", "SUMMARY"],
            contacts.map { contact in
                [
                    String(Planner.localTime(contact.occurredAt, in: zone).dropLast(zone.identifier.count + 1)), contact.channel.rawValue, contact.stage ?? "", contact.status.rawValue,
                    contact.summary ?? contact.subject ?? "",
                ]
            })
    }

    /// A contact as JSON (without the message bytes: `cobrador log` and `evidence` export those).
    struct JSONView: Encodable {
        var id: Int64
        var occurredAt: Date
        var channel: String
        var stage: String?
        var status: String
        var recipients: [String]
        var subject: String?
        var messageID: String?
        var sha256: String?
        var summary: String?

        init(_ contact: Contact) {
            id = contact.id ?? 0
            occurredAt = contact.occurredAt
            channel = contact.channel.rawValue
            stage = contact.stage
            status = contact.status.rawValue
            recipients = contact.recipients
            subject = contact.subject
            messageID = contact.messageID
            sha256 = contact.sha256
            summary = contact.summary
        }

        enum CodingKeys: String, CodingKey {
            case id, channel, stage, status, recipients, subject, sha256, summary
            case occurredAt = "occurred_at"
            case messageID = "message_id"
        }
    }
}
