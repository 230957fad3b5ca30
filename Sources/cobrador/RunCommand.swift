import ArgumentParser
import CobradorCore
import CobradorDaemon
import CobradorLedger
import CobradorMail
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pass: send what is due now, record every attempt and write the sent log.",
        discussion: """
            Only --once exists for now: one pass, then exit (for cron or a systemd timer); the
            resident daemon is not built yet. A pass first marks attempts a crash left in flight as
            unknown (never resent), sends reserved and retry-due messages, then what the planner
            says goes out now (see `cobrador plan --days 0`).
            Example:
              cobrador run --once
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Run one pass and exit.") var once = false
    @Option(help: "Run the pass as of this moment (ISO 8601), for rehearsals on a copy of the ledger.") var at: String?

    func run() throws {
        guard once else { throw CommandFailure("only `cobrador run --once` exists yet: run it from cron or a systemd timer") }
        let configuration = try global.loadConfiguration(checkTemplates: true)
        let ledger = try Ledger.open(path: configuration.ledgerPath)
        var now = Date()
        if let at {
            guard let parsed = try? Date(at, strategy: .iso8601) else {
                throw CommandFailure("--at: \"\(at)\" is not valid: expected an ISO 8601 moment such as 2026-12-01T09:00:00+01:00")
            }
            now = parsed
        }
        let pass = Pass(
            configuration: configuration, ledger: ledger, transport: try global.transport(configuration),
            templates: try TemplateSet(folder: configuration.templatesPath), sentLog: SentLog(path: configuration.sentLogPath),
            rates: try ShippedRates.table(for: configuration),
            readFile: { FileManager.default.contents(atPath: $0).map { Array($0) } })
        let summary = try pass.run(at: now)
        print(
            "Pass done: \(summary.sent) sent, \(summary.deferred) deferred, \(summary.failed) failed, \(summary.unknown) unknown, "
                + "\(summary.skipped) cancelled or already reserved, \(summary.transitions) recorded, \(summary.tasks) tasks. Sent log: \(configuration.sentLogPath)")
        if let problem = summary.configurationError {
            throw CommandFailure("the relay refused the configuration; the pass stopped and will retry: \(problem)")
        }
    }
}
