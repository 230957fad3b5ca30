import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The record of every message cobrador sent or tried to send.",
        discussion: """
            The same attempts are in the sent log file (`sent_log`, default next to the ledger),
            which you can follow with `tail -f`.
            Examples:
              cobrador log
              cobrador log --client ACME --status unknown --json
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this client's messages.") var client: String?
    @Option(help: "Only attempts with this status: pending, sending, sent, deferred, failed, unknown.") var status: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (_, ledger) = try global.openLedger()
        let status = try CommandInput.parseIfGiven("--status", status) { try FieldRules.choice($0, as: ContactStatus.self) }
        let codes = try client.map { [try ledger.client(code: $0).code] } ?? ledger.clients().map(\.code)
        var rows: [(code: String, contact: Contact)] = []
        for code in codes {
            rows += try ledger.contacts(clientCode: code).filter { $0.messageID != nil && (status == nil || $0.status == status) }.map { (code, $0) }
        }
        rows.sort { $0.contact.occurredAt > $1.contact.occurredAt }
        if output.json { return try Terminal.printJSON(rows.map { ContactCommand.JSONView($0.contact) }) }
        Terminal.printTable(
            ["WHEN (UTC)", "CLIENT", "STAGE", "STATUS", "TO", "REPLY"],
            rows.map { row in
                [
                    row.contact.occurredAt.formatted(.iso8601), row.code, row.contact.stage ?? "", row.contact.status.rawValue,
                    row.contact.recipients.joined(separator: ", "), row.contact.serverReply ?? row.contact.error ?? "",
                ]
            })
    }
}
