import CobradorTestSupport
import Foundation
import Testing

/// The resident daemon as systemd would run it: the real binary, started, signalled, stopped.
@Suite(.serialized) struct DaemonTests {
    let workspace: CobradorWorkspace

    init() throws {
        workspace = try CobradorWorkspace()
        try workspace.seed()
        try workspace.openWindowAroundTheClock()
        try workspace.editConfiguration { $0.replacingOccurrences(of: "tick_seconds = 300", with: "tick_seconds = 60") }
    }

    /// The daemon running in the workspace, its stderr in a file.
    final class Running {
        let process = Process()
        let log: String

        init(_ workspace: CobradorWorkspace) throws {
            log = workspace.directory.file("daemon.err")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: CobradorWorkspace.binary)
            process.arguments = ["run", "--config", workspace.configPath]
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        var stderr: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }
    }

    /// The sqlite3 tool adds client NEW with an invoice long overdue, as accounting software would.
    func addOverdueClientAsAnotherProgram() throws -> ProcessResult {
        try workspace.sqlite("""
            PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;
            BEGIN IMMEDIATE;
            INSERT INTO client (code, name, language, country) VALUES ('NEW', 'New Client', 'en', 'GB');
            INSERT INTO client_email (client_id, address) VALUES ((SELECT id FROM client WHERE code = 'NEW'), 'ap@new.example');
            INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency)
            VALUES ('N-1', (SELECT id FROM client WHERE code = 'NEW'), 'Work', '2026-08-01', '2026-09-01', 50000, 'GBP');
            COMMIT;
            """)
    }

    func sentLines() -> Int {
        ((try? String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test func itSendsAtStartNoticesAnotherWriterReloadsAndStopsCleanly() throws {
        let daemon = try Running(workspace)
        #expect(waitFor(20) { sentLines() == 2 }, "\(daemon.stderr)")

        // Another program adds an overdue invoice for a new client: the daemon sees it within seconds.
        #expect(try addOverdueClientAsAnotherProgram().status == 0)
        #expect(waitFor(10) { sentLines() == 3 }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("the ledger changed"))

        // A broken configuration on reload is refused; the daemon goes on with the good one.
        let good = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        try (good + "\nthis is not toml\n").write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(waitFor(10) { daemon.stderr.contains("reload failed; still running on the last good configuration") })
        #expect(daemon.process.isRunning)
        try good.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(waitFor(10) { daemon.stderr.contains("configuration and templates reloaded") })

        daemon.signal(SIGTERM)
        #expect(waitFor(10) { !daemon.process.isRunning })
        #expect(daemon.process.terminationStatus == 0)
        #expect(daemon.stderr.contains("stopped"))
        #expect(sentLines() == 3)
    }

    /// With a long tick, the digest still goes at its minute: the daemon wakes for it.
    @Test func theDaemonWakesForTheDigestRatherThanItsNextTick() throws {
        try workspace.editConfiguration { $0.replacingOccurrences(of: "tick_seconds = 60", with: "tick_seconds = 3600") }
        // The next minute in the owner's time zone (at least 20 seconds away, so the start's pass is before it).
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Europe/Madrid")
        formatter.dateFormat = "HH:mm"
        let minute = formatter.string(from: Date().addingTimeInterval(80))
        try workspace.setDigestTime(minute)
        let daemon = try Running(workspace)
        defer {
            daemon.signal(SIGTERM)
            _ = waitFor(10) { !daemon.process.isRunning }
        }
        #expect(waitFor(20) { sentLines() == 2 }, "\(daemon.stderr)")
        #expect(!daemon.stderr.contains("daily digest"))
        #expect(waitFor(150) { daemon.stderr.contains("daily digest") }, "no digest at \(minute): \(daemon.stderr)")
    }

    @Test func aChangeWrittenWhileAPassRunsIsSeenRightAfterIt() throws {
        // A relay taking a second per recipient keeps the first pass busy for two seconds.
        let server = try SMTPTestServer(behaviour: "slow-rcpt=1")
        try workspace.useRelay(port: server.port)
        let daemon = try Running(workspace)
        defer { daemon.signal(SIGKILL) }
        #expect(try waitFor(20) { try workspace.sqlite("SELECT count(*) FROM contact WHERE status = 'sending'").standardOutput == "1\n" })
        #expect(try addOverdueClientAsAnotherProgram().status == 0)
        // Not at the next tick (a minute here) but as soon as the pass that was running ends.
        #expect(try waitFor(15) { try server.received().count == 3 }, "\(daemon.stderr)")
    }

    /// SIGTERM while the relay hangs on the message in flight: the daemon waits a few seconds
    /// for its answer, not the relay's timeout, and the message's fate is unknown, never lost.
    @Test func aStopDoesNotWaitOnAHungRelay() throws {
        let server = try SMTPTestServer(behaviour: "final-hang")
        try workspace.useRelay(port: server.port)
        let daemon = try Running(workspace)
        defer { daemon.signal(SIGKILL) }
        // The outbox journal notes the body of the first message leaving.
        let journal = workspace.ledgerPath + ".outbox"
        #expect(waitFor(20) { ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").contains("\nD\t") }, "\(daemon.stderr)")
        let stopped = Date()
        daemon.signal(SIGTERM)
        #expect(waitFor(15) { !daemon.process.isRunning }, "\(daemon.stderr)")
        #expect(Date().timeIntervalSince(stopped) < 12 && daemon.process.terminationStatus == 0)
        // The one in flight may have been delivered; the other, claimed, goes with the next pass.
        #expect(try workspace.sqlite("SELECT status FROM contact ORDER BY status").standardOutput == "pending\nunknown\n", "\(daemon.stderr)")
    }

    /// An address the relay refuses for good needs the owner: it shows at `journalctl -p err`.
    @Test func aMessageRefusedForGoodIsLoggedAsAnError() throws {
        let server = try SMTPTestServer(behaviour: "rcpt-550-for=ap@thames.example")
        try workspace.useRelay(port: server.port)
        let daemon = try Running(workspace)
        defer { daemon.signal(SIGKILL) }
        #expect(waitFor(20) { daemon.stderr.contains("error: the relay refused messages for good; see cobrador log --status failed refused=1") }, "\(daemon.stderr)")
    }

    @Test func aBrokenConfigurationAtStartExitsWithTheStatusSystemdDoesNotRestart() throws {
        try "ledger = 5\n".write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let daemon = try Running(workspace)
        #expect(waitFor(10) { !daemon.process.isRunning })
        #expect(daemon.process.terminationStatus == 78)
        #expect(daemon.stderr.contains("cannot start") && daemon.stderr.contains("ledger"))
    }

    @Test func aMissingOrNewerLedgerAtStartExitsWithTheStatusSystemdDoesNotRestart() throws {
        try FileManager.default.moveItem(atPath: workspace.ledgerPath, toPath: workspace.ledgerPath + ".away")
        let missing = try Running(workspace)
        #expect(waitFor(10) { !missing.process.isRunning })
        #expect(missing.process.terminationStatus == 78)
        #expect(missing.stderr.contains("cannot start") && missing.stderr.contains("no ledger at \(workspace.ledgerPath)"), "\(missing.stderr)")

        try FileManager.default.moveItem(atPath: workspace.ledgerPath + ".away", toPath: workspace.ledgerPath)
        #expect(try workspace.sqlite("PRAGMA user_version = 9;").status == 0)
        let before = workspace.ledgerBytes()
        let newer = try Running(workspace)
        #expect(waitFor(10) { !newer.process.isRunning })
        #expect(newer.process.terminationStatus == 78)
        #expect(newer.stderr.contains("was written by a newer cobrador (ledger schema 9"), "\(newer.stderr)")
        #expect(workspace.ledgerBytes() == before)
    }
}
