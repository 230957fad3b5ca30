import CobradorTestSupport
import Foundation
import Testing

/// When the ledger cannot be written while a message is on its way.
@Suite(.serialized) struct UnwritableLedgerTests {
    @Test func aLedgerThatCannotRecordTheBodyLeavingHoldsTheBodyBackAndTheMessageGoesLater() throws {
        let workspace = try CobradorWorkspace()
        try workspace.succeed(["client", "add", "ACME", "--name", "Acme", "--email", "pagos@acme.example", "--country", "ES"])
        try workspace.succeed(["invoice", "add", "F-1", "--client", "ACME", "--concept", "Work", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "100"])
        let server = try SMTPTestServer(behaviour: "slow-rcpt=3")
        try workspace.setDigestTime("never")
        try workspace.useRelay(port: server.port)

        let pass = Process()
        pass.executableURL = URL(fileURLWithPath: CobradorWorkspace.binary)
        pass.arguments = ["run", "--once", "--at", "2026-11-30T10:00:00+01:00", "--config", workspace.configPath]
        let errors = workspace.directory.file("pass.err")
        #expect(FileManager.default.createFile(atPath: errors, contents: nil))
        pass.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        pass.standardOutput = FileHandle.nullDevice
        try pass.run()
        // Once the message is claimed (the relay takes 3 s per recipient), another program
        // holds the ledger's write lock for longer than cobrador waits, twice over.
        var waited = 0
        while try workspace.sqlite("SELECT count(*) FROM contact WHERE status = 'sending'").standardOutput != "1\n" && waited < 100 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        locker.arguments = [workspace.ledgerPath, "BEGIN IMMEDIATE;", ".shell sleep 24", "COMMIT;"]
        locker.standardOutput = FileHandle.nullDevice
        try locker.run()
        pass.waitUntilExit()
        locker.waitUntilExit()
        let stderr = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(pass.terminationStatus == 1)
        #expect(stderr.contains("the outcome deferred was not recorded") && stderr.contains("kept the ledger locked"), "\(stderr)")
        // The body was held back: the relay has nothing, and the ledger still knows the attempt.
        #expect(try server.received().isEmpty)
        #expect(try workspace.sqlite("SELECT status, send_phase FROM contact").standardOutput == "sending|claimed\n")

        let again = try workspace.succeed(["run", "--once", "--at", "2026-11-30T10:05:00+01:00"])
        #expect(again.hasPrefix("Pass done: 1 sent"), "\(again)")
        #expect(try server.received().count == 1)
        #expect(try workspace.sqlite("SELECT status FROM contact").standardOutput == "sent\n")
    }
}
