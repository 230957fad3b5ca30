import ArgumentParser
import CobradorCore
import CobradorDaemon
import CobradorLedger
import CobradorMail
import Foundation
import Logging

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pass: send what is due now, record every attempt and write the sent log.",
        discussion: HelpText.flowing("""
            Without --once, cobrador stays running: a pass at start, then every `[daemon]
            tick_seconds` (300), as soon as another program changes the ledger, and when
            the next planned message is due. SIGTERM or Ctrl-C stops it after the message
            in flight; SIGHUP reloads the configuration and templates (a broken one is
            refused and the last good one kept). With --once: one pass, then exit (for
            cron or a systemd timer; exit status 75 when another process is in a pass on
            the same ledger). A pass first resolves what a crash left in flight (not yet
            at the relay's DATA: sent again; past it: unknown, never resent), sends
            reserved and retry-due messages, then what the planner says goes out now
            (`cobrador plan --days 0`).
            Examples:
              cobrador run
              cobrador run --once
            """))

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Run one pass and exit.") var once = false
    @Option(help: "Run the pass as of this moment (ISO 8601), for rehearsals on a copy of the ledger with the Maildir transport.") var at: String?
    @Flag(help: "With --at and the SMTP transport: send through the relay anyway (a test relay; real clients would get messages dated --at).")
    var throughRelay = false
    @Flag(help: "With --at more than an hour from now: this ledger is a copy for a rehearsal, and may keep that day's messages.")
    var rehearsal = false

    /// How far from the clock `--at` may go without `--rehearsal`: a pass run a little early or
    /// late, not a rehearsal of another day.
    static let rehearsalDistance: TimeInterval = 3_600

    func run() throws {
        if !once {
            guard at == nil, !rehearsal else { throw CommandFailure("\(at == nil ? "--rehearsal" : "--at") goes with --once") }
            let global = self.global
            LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
            let daemon = Daemon(load: { Daemon.Setup(pass: try Self.pass(global)) }, logger: Logger(label: "cobrador"))
            throw ExitCode(daemon.run())
        }
        guard at != nil || !throughRelay else { throw CommandFailure("--through-relay goes with --at") }
        guard at != nil || !rehearsal else { throw CommandFailure("--rehearsal goes with --at") }
        var now = Date()
        if let at { now = try MomentOptions.parse(at) }
        let pass = try Self.pass(global)
        let hours = Int((abs(now.timeIntervalSinceNow) / 3_600).rounded())
        if at != nil, abs(now.timeIntervalSinceNow) > Self.rehearsalDistance, !rehearsal {
            let distance = hours < 48 ? "\(hours) hours" : "\(hours / 24) days"
            throw CommandFailure(
                "--at is \(distance) \(now > Date() ? "ahead of" : "behind") the clock: the pass would record its messages in \(pass.ledger.path) "
                    + "as sent that day, and cobrador would go on from them as if they had gone out. Rehearse on a copy of the ledger "
                    + "(README, \"To rehearse\") and add --rehearsal there")
        }
        if let at, case .smtp = pass.configuration.transport, !throughRelay {
            throw CommandFailure(
                "--at with the SMTP transport would send real messages dated \(at) to your clients and record that date as evidence; "
                    + "rehearse on a copy whose [transport] kind is \"maildir\" (README, \"To rehearse\"), or add --through-relay if the relay is a test one")
        }
        guard let passLock = try PassLock.acquire(ledgerPath: pass.ledger.path) else {
            FileHandle.standardError.write(Data("cobrador: another cobrador process is running a pass on this ledger; nothing was done, try again later\n".utf8))
            throw ExitCode(Self.busyExitStatus)
        }
        defer { withExtendedLifetime(passLock) {} }
        let summary = try pass.run(at: now)
        print(
            "Pass done: \(summary.sent) sent, \(summary.deferred) deferred, \(summary.failed) failed, \(summary.unknown) unknown, "
                + "\(summary.skipped) cancelled or already reserved, \(summary.transitions) recorded, \(summary.tasks) tasks. Sent log: \(pass.configuration.sentLogPath)")
        if !summary.held.isEmpty {
            print(
                "Held, as the relay refused their address, or this very message, before: \(Set(summary.held).sorted().joined(separator: ", ")) "
                    + "(see `cobrador client show CODE` and `cobrador log --client CODE --status failed`; `cobrador client edit CODE --email ...` lets them go).")
        }
        if let reply = summary.lastDeferral {
            print("Put off for a retry after their backoff; the last answer: \(reply)")
        }
        if let until = summary.quotaReachedUntil {
            print("The relay's quota is reached; the rest waits until \(until.formatted(.iso8601)) and goes out then.")
        }
        if summary.relayUnavailable != nil {
            print("The relay could not be reached or stopped answering, so the pass stopped sending; the rest goes with the next pass.")
        }
        if let problem = summary.configurationError {
            throw CommandFailure("the relay refused the configuration; the pass stopped and will retry: \(problem)")
        }
        // A relay that does not answer would not take the digest either (and may hang on it).
        if summary.relayUnavailable == nil, let digest = try DigestSender(pass: pass).sendIfDue(at: now, problems: summary.problems) {
            print("Daily digest: \(digest.report)")
        }
        for problem in summary.problems { FileHandle.standardError.write(Data("error: the pass needs your attention: \(problem)\n".utf8)) }
        if !summary.problems.isEmpty { throw ExitCode(1) }
    }

    /// Another process is running a pass (EX_TEMPFAIL): nothing was done.
    static let busyExitStatus: Int32 = 75

    /// Everything a pass needs, from the configuration file: read at start and on each reload,
    /// refused whole when a template or the sender is not fit to write to clients.
    static func pass(_ global: GlobalOptions) throws -> Pass {
        let configuration = try global.loadConfiguration(checkTemplates: true)
        let templates = try TemplateSet(folder: configuration.templatesPath)
        let problems = SendingReadiness.runProblems(templates, configuration)
        guard problems.isEmpty else { throw CommandFailure("not fit to write to clients (`cobrador check` lists the same):\n" + problems.joined(separator: "\n")) }
        return Pass(
            configuration: configuration, ledger: try Ledger.open(path: configuration.ledgerPath), transport: try global.transport(configuration),
            templates: templates, sentLog: SentLog(path: configuration.sentLogPath, ledgerPath: configuration.ledgerPath),
            rates: try ShippedRates.table(for: configuration), readFile: { FileManager.default.contents(atPath: $0).map { Array($0) } })
    }
}
