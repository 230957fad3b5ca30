import CobradorTestSupport
import Foundation
import Testing

/// When the ledger or its outbox journal cannot be written while a message is on its way.
@Suite(.serialized) struct UnwritableLedgerTests {
    let workspace: CobradorWorkspace

    init() throws {
        workspace = try CobradorWorkspace()
        try workspace.succeed(["client", "add", "ACME", "--name", "Acme", "--email", "pagos@acme.example", "--country", "ES"])
        try workspace.succeed(["invoice", "add", "F-1", "--client", "ACME", "--concept", "Work", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "100"])
        try workspace.setDigestTime("never")
    }

    @Test func anOutcomeTheLockedLedgerCannotTakeIsRecordedAtTheNextStartAndNeverResent() throws {
        let server = try SMTPTestServer(behaviour: "slow-rcpt=3")
        try workspace.useRelay(port: server.port)
        let pass = Process()
        pass.executableURL = URL(fileURLWithPath: CobradorWorkspace.binary)
        pass.arguments = ["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:00:00+01:00", "--config", workspace.configPath]
        let errors = workspace.directory.file("pass.err")
        #expect(FileManager.default.createFile(atPath: errors, contents: nil))
        pass.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        pass.standardOutput = FileHandle.nullDevice
        try pass.run()
        // Once the message is claimed (the relay takes 3 s per recipient), another program
        // holds the ledger's write lock for longer than cobrador waits, twice over.
        #expect(try waitFor(5) { try workspace.sqlite("SELECT count(*) FROM contact WHERE status = 'sending'").standardOutput == "1\n" })
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        locker.arguments = [workspace.ledgerPath, "BEGIN IMMEDIATE;", ".shell sleep 24", "COMMIT;"]
        locker.standardOutput = FileHandle.nullDevice
        try locker.run()
        pass.waitUntilExit()
        locker.waitUntilExit()
        let stderr = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(pass.terminationStatus == 1)
        #expect(stderr.contains("1 outcome was not recorded yet") && stderr.contains("kept the ledger locked"), "\(stderr)")
        // The relay has the message; the ledger does not know yet, the journal does.
        #expect(try server.received().count == 1)
        #expect(try workspace.sqlite("SELECT status FROM contact").standardOutput == "sending\n")

        let again = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:05:00+01:00"])
        #expect(again.hasPrefix("Pass done: 0 sent, 0 deferred, 0 failed, 0 unknown"), "\(again)")
        #expect(try server.received().count == 1)
        #expect(try workspace.sqlite("SELECT status, server_reply FROM contact").standardOutput.hasPrefix("sent|250 "))
        #expect(try workspace.succeed(["evidence", "--verify"]).contains("intact"))
    }

    /// A full disk, where the outbox journal lives: /dev/full takes no byte (ENOSPC).
    @Test func aJournalThatCannotNoteTheBodyLeavingHoldsTheBodyBackAndTheMessageGoesLater() throws {
        let server = try SMTPTestServer()
        try workspace.useRelay(port: server.port)
        let journal = workspace.ledgerPath + ".outbox"
        try FileManager.default.createSymbolicLink(atPath: journal, withDestinationPath: "/dev/full")
        let output = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:00:00+01:00"])
        #expect(output.hasPrefix("Pass done: 0 sent, 1 deferred"), "\(output)")
        #expect(try server.received().isEmpty)
        #expect(try workspace.sqlite("SELECT status, error FROM contact").standardOutput.contains("deferred|not sent: the ledger could not record"))

        try FileManager.default.removeItem(atPath: journal)
        let again = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:10:00+01:00"])
        #expect(again.hasPrefix("Pass done: 1 sent"), "\(again)")
        #expect(try server.received().count == 1)
    }
}
