import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The record of every message cobrador sent or tried to send.",
        discussion: HelpText.flowing("""
            One line per message with its latest status, newest first, times in the
            owner's time zone ([policy] time_zone). --follow prints them oldest first, as
            `tail -f` would, then each new step (reserved, sending, sent, deferred...) as
            a running daemon writes it, until Ctrl-C. The same attempts are in the sent
            log file (`sent_log`, default next to the ledger), which `tail -f` follows.
            Examples:
              cobrador log
              cobrador log --client ACME --status unknown --json
              cobrador log --invoice 2026-041 --since 2026-11-01
              cobrador log --follow
            """))

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this client's messages.") var client: String?
    @Option(help: "Only messages about this invoice.") var invoice: String?
    @Option(help: "Only from this day (YYYY-MM-DD, in the owner's time zone) or moment (ISO 8601) on.") var since: String?
    @Option(help: "Only attempts with this status: \(Ledger.shownStatuses.joined(separator: ", ")) (cancelled: closed unsent, as paid or paused meanwhile).") var status: String?
    @Flag(help: "Keep printing new steps as they are written (JSON: one object per line).") var follow = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (configuration, ledger) = try global.openLedger()
        let zone = TimeZone(identifier: configuration.policy.timeZone) ?? .current
        var filter = Ledger.AttemptFilter(clientCode: client, invoiceNumber: invoice)
        filter.status = try CommandInput.parseIfGiven("--status", status) { text in
            guard Ledger.shownStatuses.contains(text) else {
                // Tasks and the planner's transitions are in the sent log, not among the messages.
                throw CoreError.invalidValue(
                    field: nil, value: text,
                    reason: "the log lists messages, whose statuses are \(Ledger.shownStatuses.joined(separator: ", "))"
                        + (text == ContactStatus.recorded.rawValue ? "; tasks and transitions are in the sent log" : ""))
            }
            return text
        }
        filter.since = try CommandInput.parseIfGiven("--since", since) { text in
            if let moment = try? Date(text, strategy: .iso8601) { return moment }
            let day = try FieldRules.date(text)
            return SendWindow(policy: configuration.policy, timeZone: zone, country: "").startOfDay(day)
        }
        // Read where the attempt log ends before listing, so that following misses nothing.
        var last = try ledger.attemptLogEnd()
        let lines = try ledger.attemptLines(filter)
        guard follow else {
            if output.json { return try Terminal.printJSON(lines) }
            guard !lines.isEmpty else { return print("No message matches.") }
            return Terminal.printTable(
                ["WHEN (\(zone.identifier))", "CLIENT", "INVOICES", "STAGE", "STATUS", "TO", "MESSAGE-ID", "REPLY"], lines.map { Self.cells($0, zone) })
        }
        // Like `tail -f`: what is there, oldest first, then each new step below it.
        var pending = Array(lines.reversed())
        while true {
            for line in pending {
                if output.json { try Self.printJSONLine(line) } else { print(Self.cells(line, zone).joined(separator: "  ")) }
            }
            fflush(nil)
            Thread.sleep(forTimeInterval: 1)
            let steps = try ledger.attemptSteps(after: last, filter)
            last = steps.last
            pending = steps.lines
        }
    }

    static func cells(_ line: Ledger.AttemptLine, _ zone: TimeZone) -> [String] {
        [
            String(Planner.localTime(line.at, in: zone).dropLast(zone.identifier.count + 1)), line.client, line.invoices.joined(separator: ","), line.stage,
            line.status, line.recipients.joined(separator: ", "), line.messageID.map { "<\($0)>" } ?? "", line.reply,
        ]
    }

    static func printJSONLine(_ line: Ledger.AttemptLine) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(line), as: UTF8.self))
    }
}
