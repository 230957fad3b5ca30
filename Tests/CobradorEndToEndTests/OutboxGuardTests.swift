import CobradorTestSupport
import Foundation
import Testing

/// What the outbox must never do: send a retry that is no longer due or outside the send
/// window, let one bad message stop the others, or make the daemon spin.
@Suite(.serialized) struct OutboxGuardTests {
    let workspace: CobradorWorkspace
    let monday = "2026-11-30T10:00:00+01:00"

    init() throws {
        workspace = try CobradorWorkspace()
        try workspace.seed()
        try workspace.setDigestTime("never")
    }

    /// Makes the Maildir unwritable (a plain file where the folder should be): temporary failures.
    func breakMaildir() throws {
        #expect(FileManager.default.createFile(atPath: workspace.directory.file("maildir"), contents: Data("x".utf8)))
    }

    func fixMaildir() throws { try FileManager.default.removeItem(atPath: workspace.directory.file("maildir")) }

    @Test func aDeferredRetryIsNotSentAfterTheInvoiceWasPaid() throws {
        try breakMaildir()
        let first = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        #expect(first.hasPrefix("Pass done: 0 sent, 2 deferred"), "\(first)")
        // The client pays F-1 in full; the owner also pauses BRIT.
        #expect(try workspace.sqlite("""
            INSERT INTO payment (invoice_id, amount_minor, value_date) VALUES ((SELECT id FROM invoice WHERE number = 'F-1'), 181500, '2026-11-30');
            UPDATE client SET paused_at = '2026-11-30T09:30:00Z', pause_reason = 'payment plan agreed' WHERE code = 'BRIT';
            """).status == 0)
        try fixMaildir()
        let second = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T11:00:00+01:00"])
        let delivered = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }
        // Only F-2's own reminder (due tomorrow) goes out; the stored F-1 and BRIT messages do not.
        #expect(delivered.count == 1 && delivered.allSatisfy { $0.subjectDecoded?.hasPrefix("Factura F-2 ") == true }, "\(second) \(delivered.map { $0.prefix(300) })")
        #expect(second.hasPrefix("Pass done: 1 sent, 0 deferred, 0 failed, 0 unknown, 2 cancelled"), "\(second)")
        let log = try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)
        #expect(log.contains("cancelled") && log.contains("invoice F-1 is paid") && log.contains("client BRIT is paused"), "\(log)")
        // Nothing comes back later: the closed attempts are not retried.
        let third = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T16:00:00+01:00"])
        #expect(try workspace.maildirFiles().count == 1, "\(third)")
        // The record calls it what the sent log does, and tells it apart from failures.
        let cancelled = try workspace.succeed(["log", "--status", "cancelled"])
        #expect(cancelled.contains("ACME") && cancelled.contains("not sent: invoice F-1 is paid since it was written"), "\(cancelled)")
        #expect(try workspace.succeed(["log", "--status", "failed"]).contains("No message matches"))
        // A cancellation is no failure: the owner's digest raises no alarm about it.
        try workspace.setDigestTime("17:00")
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T17:30:00+01:00"])
        let digest = try #require(try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }.first { $0.contains("Resumen diario") })
        #expect(!digest.contains("Fallidos") && !digest.contains("is paid since it was written"), "\(digest)")
    }

    /// A payment closes the retry waiting for its time at the next pass, not when the retry's
    /// time comes: the record says so at once.
    @Test func aPaymentClosesAWaitingRetryAtTheNextPass() throws {
        try breakMaildir()
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday]).hasPrefix("Pass done: 0 sent, 2 deferred"))
        #expect(try workspace.sqlite(
            "INSERT INTO payment (invoice_id, amount_minor, value_date) VALUES ((SELECT id FROM invoice WHERE number = 'F-1'), 181500, '2026-11-30');"
        ).status == 0)
        // A minute later: both retries wait five minutes, ACME's is closed all the same.
        let next = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T10:01:00+01:00"])
        #expect(next.contains("1 cancelled"), "\(next)")
        let cancelled = try workspace.succeed(["log", "--status", "cancelled"])
        #expect(cancelled.contains("ACME") && cancelled.contains("not sent: invoice F-1 is paid since it was written"), "\(cancelled)")
        #expect(try workspace.succeed(["log", "--status", "deferred"]).contains("BRIT"))
        let sentLog = try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)
        #expect(sentLog.contains("ACME  F-1  reminder-1  -  cancelled") && sentLog.contains("not sent: invoice F-1 is paid since it was written"), "\(sentLog)")
    }

    /// The relay down for days: what was written on the first day must not arrive days late,
    /// dated then and out of step with the cadence. It fails, and the owner is told.
    @Test(arguments: [(retryDays: 3, goesOut: false), (retryDays: 10, goesOut: true)])
    func aRetryIsSentOnlyWithinTheRetryDays(retryDays: Int, goesOut: Bool) throws {
        try workspace.editConfiguration { $0.replacingOccurrences(of: "retry_days = 3", with: "retry_days = \(retryDays)") }
        try breakMaildir()
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday]).contains("2 deferred"))
        try fixMaildir()
        try workspace.setDigestTime("09:30")
        let late = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-09T10:00:00+01:00"])
        let delivered = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }
        let written = delivered.filter { $0.contains("Date: Mon, 30 Nov 2026 10:00:00 +0100") }
        let errors = try workspace.sqlite("SELECT error FROM contact WHERE occurred_at < '2026-12-01' ORDER BY id").standardOutput
        if goesOut {
            #expect(written.count == 2, "\(late)")
            // The record dates it the day it went out, not the day it was written.
            let log = try workspace.succeed(["log", "--client", "ACME"])
            #expect(log.split(separator: "\n").contains { $0.hasPrefix("2026-12-09 10:00") && $0.contains("reminder-1  sent") }, "\(log)")
        } else {
            #expect(written.isEmpty, "written on 30 November, sent on 9 December: \(late)")
            #expect(late.contains("2 failed"), "\(late)")
            #expect(errors.split(separator: "\n").count == 2 && errors.split(separator: "\n").allSatisfy { $0.hasPrefix("given up after 3 days of temporary failures: ") }, "\(errors)")
            let log = try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)
            #expect(log.contains("ACME  F-1  reminder-1  pagos@acme.example  failed"), "\(log)")
            // The owner hears of it the same day, dated the day it was given up.
            let digest = try #require(delivered.first { $0.contains("Resumen diario") })
            // In the owner's language where cobrador wrote the words; the relay's follow as they came.
            let decoded = digest.quotedPrintableDecoded
            #expect(decoded.contains("ACME  reminder-1  F-1: abandonado tras 3 días de fallos temporales: cannot store the message"), "\(decoded)")
            // ... and that the pass wrote it again and sent it: nothing is left for the owner to do.
            #expect(decoded.contains("(escrito de nuevo y enviado, 10:00: no tiene que hacer nada)"), "\(decoded)")
            #expect(decoded.contains("Hoy no hay nada que requiera su atención."), "\(decoded)")
            #expect(digest.subjectDecoded == "cobrador, 9 de diciembre de 2026. Enviados: 2")
            let record = try workspace.succeed(["log", "--client", "ACME", "--status", "failed"])
            #expect(record.contains("2026-12-09 10:00") && record.contains("given up after 3 days"), "\(record)")
            // A give-up is not a refusal: the stage is written again from today's ledger, dated today.
            let fresh = delivered.filter { $0.contains("Date: Wed, 09 Dec 2026 10:00:00 +0100") && !$0.contains("Resumen diario") }
            #expect(fresh.count == 2 && fresh.contains { $0.contains("Delivered-To: pagos@acme.example") }, "\(late)")
        }
    }

    @Test func aDeferredRetryWaitsForTheSendWindow() throws {
        try breakMaildir()
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T17:58:00+01:00"]).contains("2 deferred"))
        try fixMaildir()
        let night = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T23:30:00+01:00"])
        #expect(try workspace.maildirFiles().isEmpty, "sent at 23:30 with the window 09:00-18:00: \(night)")
        let morning = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-01T09:05:00+01:00"])
        let delivered = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }
        #expect(delivered.contains { $0.contains("Delivered-To: ap@thames.example") } && delivered.contains { $0.contains("Delivered-To: pagos@acme.example") }, "\(morning)")
    }

    @Test func oneUnreadableAttachmentDoesNotStopOtherClients() throws {
        #expect(try workspace.sqlite("UPDATE invoice SET attachment = '/nonexistent/F-1.pdf' WHERE number = 'F-1';").status == 0)
        let result = try workspace.run(["run", "--once", "--rehearsal", "--at", monday])
        let files = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }
        #expect(files.contains { $0.contains("Delivered-To: ap@thames.example") }, "BRIT got nothing: status \(result.status) \(result.standardOutput) \(result.standardError)")
        #expect(result.status == 1)
        #expect(result.standardError.contains("error: the pass needs your attention: ACME") && result.standardError.contains("/nonexistent/F-1.pdf"), "\(result.standardError)")
        // The owner reads it in the digest too, not only in a log they may never open.
        try workspace.setDigestTime("09:30")
        _ = try workspace.run(["run", "--once", "--rehearsal", "--at", "2026-11-30T11:00:00+01:00"])
        let digest = try #require(try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }.first { $0.contains("Resumen diario") })
        #expect(digest.quotedPrintableDecoded.contains("Problemas desde el último resumen") && digest.quotedPrintableDecoded.contains("/nonexistent/F-1.pdf"), "\(digest)")
    }

    @Test func aTaskStageDoesNotMakeTheDaemonSpin() throws {
        try workspace.openWindowAroundTheClock()
        try workspace.editConfiguration {
            $0.replacingOccurrences(of: "name = \"reminder-1\"\noffset_days = 7", with: "name = \"reminder-1\"\noffset_days = 7\nchannel = \"call\"")
                .replacingOccurrences(of: "tick_seconds = 300", with: "tick_seconds = 60")
        }
        let log = workspace.directory.file("daemon.err")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CobradorWorkspace.binary)
        process.arguments = ["run", "--config", workspace.configPath]
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 8)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let passes = (try String(contentsOfFile: log, encoding: .utf8)).components(separatedBy: "last pass").count - 1
        let tasks = (try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)).components(separatedBy: "  task  ").count - 1
        #expect(passes <= 2, "\(passes) passes in 8 s with tick 60 s; \(tasks) task lines in the sent log")
    }
}
