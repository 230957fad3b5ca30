import CobradorTestSupport
import Foundation
import Testing

/// `cobrador run --once` through the real binary: what goes out, what is kept, and what a
/// second writer changes.
@Suite(.serialized) struct PassTests {
    let workspace: CobradorWorkspace
    let monday = "2026-11-30T10:00:00+01:00"

    init() throws {
        workspace = try CobradorWorkspace()
        try workspace.seed()
        // The digest has its own test; here the Maildir holds only the clients' messages.
        try workspace.setDigestTime("never")
    }

    @Test func theOwnersDigestGoesOutOnceADayAfterItsTime() throws {
        try workspace.setDigestTime("09:30")
        // The messages of the pass that sends the digest are in it.
        let output = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        #expect(output.contains("Daily digest: digest for 2026-11-30 to cobros@lucia.example: accepted"), "\(output)")
        #expect(!(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T15:00:00+01:00"])).contains("Daily digest"))
        // The next day, not before its time.
        #expect(!(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-01T09:00:00+01:00"])).contains("Daily digest"))
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-01T09:31:00+01:00"]).contains("Daily digest: digest for 2026-12-01"))
        let digests = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }.filter { $0.contains("Resumen diario") }
        let first = try #require(digests.first { $0.contains("Date: Mon, 30 Nov 2026") })
        #expect(first.contains("Delivered-To: cobros@lucia.example"))
        #expect(first.contains("10:00  ACME  reminder-1  F-1"))
        // The next day's digest lists what went out since the first, not again what it listed.
        let next = try #require(digests.first { $0.contains("Date: Tue, 01 Dec 2026") })
        #expect(next.contains("09:00  ACME  due  F-2") && !next.contains("reminder-1  F-1"), "\(next)")
    }

    @Test func theDigestSaysWhatNeedsTheOwnerInTheOwnersLanguage() throws {
        try workspace.setDigestTime("09:30")
        try workspace.succeed(["negotiation", "open", "promise", "ACME", "--invoice", "F-2", "--until", "2026-12-02"])
        try workspace.succeed(["negotiation", "open", "dispute", "ACME", "--invoice", "F-1", "--reason", "Falta el capítulo 3", "--review", "2026-12-03"])
        try workspace.succeed(["negotiation", "open", "plan", "BRIT", "--instalment", "2026-12-01:100", "--instalment", "2027-01-04:540"])
        // A client at the end of the ladder who paid part: the hand-over states what is owed.
        try workspace.succeed(["client", "add", "OLD", "--name", "Viejo S.L.", "--email", "pagos@viejo.example", "--country", "ES"])
        try workspace.succeed(["invoice", "add", "F-9", "--client", "OLD", "--concept", "Informe", "--issued", "2026-05-01", "--due", "2026-06-01", "--amount", "1000"])
        try workspace.succeed(["payment", "add", "F-9", "--amount", "400"])
        var day = CalendarDateText(year: 2026, month: 11, day: 30)
        var digests = ""
        for _ in 0..<80 where !digests.contains("Para trasladar") {
            _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "\(day)T10:00:00+01:00"])
            digests = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }.filter { $0.contains("Resumen diario") }.map(\.quotedPrintableDecoded).joined(separator: "\n")
            day = day.next()
        }
        // Spanish words, dates and amounts for the owner (es), whatever the client's language.
        #expect(digests.contains("ACME  F-2: prometió pagar el 2 de diciembre de 2026 y sigue sin pagar"), "\(digests)")
        #expect(digests.contains("BRIT  F-3: plan de pagos: el plazo del 1 de diciembre de 2026 (100,00\u{00A0}GBP) no se pagó"), "\(digests)")
        #expect(digests.contains("ACME  F-1  (revisión prevista el 3 de diciembre de 2026): Falta el capítulo 3"), "\(digests)")
        #expect(digests.contains("OLD  F-9  600,00\u{00A0}€ pendientes"), "\(digests)")
        #expect(!digests.contains("promised for") && !digests.contains("1000.00 EUR"), "\(digests)")
    }

    /// A pause with no end date is ended only by the owner: Monday's digest lists it with what
    /// it holds back, so that a client paused "for now" is not forgotten.
    @Test func mondaysDigestListsThePausesWithNoEndDate() throws {
        try workspace.setDigestTime("09:30")
        try workspace.succeed(["client", "pause", "ACME", "--reason", "Hablando con su director financiero"])
        try workspace.succeed(["invoice", "pause", "F-3", "--reason", "Waiting for their PO", "--until", "2026-12-20"])
        try workspace.succeed(["client", "add", "NEW", "--name", "Nuevo S.L.", "--email", "ap@nuevo.example", "--country", "ES"])
        try workspace.succeed(["invoice", "add", "N-1", "--client", "NEW", "--concept", "Work", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "50"])
        try workspace.succeed(["invoice", "add", "N-2", "--client", "NEW", "--concept", "Work", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "70"])
        try workspace.succeed(["invoice", "pause", "N-1", "--reason", "Falta el pedido"])
        try workspace.succeed(["payment", "add", "N-1", "--amount", "20"])
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-01T10:00:00+01:00"])
        let digests = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }.filter { $0.contains("Resumen diario") }
        let mondays = try #require(digests.first { $0.contains("Date: Mon, 30 Nov 2026") }).quotedPrintableDecoded
        #expect(mondays.contains("Pausas sin fecha de fin"), "\(mondays)")
        #expect(mondays.contains("ACME  F-1, F-2  2115,00\u{00A0}€ pendientes; cliente en pausa desde el "), "\(mondays)")
        #expect(mondays.contains(": Hablando con su director financiero"))
        #expect(mondays.contains("NEW  N-1  30,00\u{00A0}€ pendientes; factura en pausa desde el "), "\(mondays)")
        // A pause that ends by itself, and an invoice not paused, are not pauses to recall.
        #expect(!mondays.contains("BRIT  F-3  ") && !mondays.contains("N-1, N-2"), "\(mondays)")
        let tuesdays = try #require(digests.first { $0.contains("Date: Tue, 01 Dec 2026") }).quotedPrintableDecoded
        #expect(!tuesdays.contains("Pausas sin fecha de fin"), "\(tuesdays)")
    }

    /// The machine was off on Monday: the week's first digest lists the pauses instead.
    @Test func theWeeksFirstDigestListsThePausesWhenMondaysDidNotGo() throws {
        try workspace.setDigestTime("09:30")
        try workspace.succeed(["client", "pause", "ACME", "--reason", "Hablando con su director financiero"])
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-01T10:00:00+01:00"])
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-02T10:00:00+01:00"])
        let digests = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8).quotedPrintableDecoded }.filter { $0.contains("Resumen diario") }
        let tuesdays = try #require(digests.first { $0.contains("Date: Tue, 01 Dec 2026") })
        #expect(tuesdays.contains("Pausas sin fecha de fin") && tuesdays.contains("ACME  F-1, F-2"), "\(tuesdays)")
        let wednesdays = try #require(digests.first { $0.contains("Date: Wed, 02 Dec 2026") })
        #expect(!wednesdays.contains("Pausas sin fecha de fin"), "\(wednesdays)")
    }

    /// The pass that records a broken promise also sends its notice: the notice is written
    /// (planned at the window's opening) before the break is recorded (at the pass's moment),
    /// and its own promise, still open then, must not hold it back.
    @Test func aBrokenPromisesNoticeGoesInThePassThatRecordsTheBreak() throws {
        try workspace.succeed(["negotiation", "open", "promise", "ACME", "--invoice", "F-1", "--until", "2026-12-02"])
        let pass = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-07T10:00:00+01:00"])
        #expect(pass.contains("1 recorded"), "\(pass)")
        let log = try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)
        #expect(log.contains("ACME  F-1  promise-broken  pagos@acme.example  sent") && !log.contains("cancelled"), "\(log)")
    }

    /// A message of unknown fate is never sent again by itself; once the owner knows, they
    /// settle it: delivered, the record says sent; not delivered, the stage is written again.
    @Test func theOwnerSettlesAMessageOfUnknownFate() throws {
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        // What a crash after the body left makes of the two messages (see CrashRecoveryTests).
        #expect(try workspace.sqlite("UPDATE contact SET status = 'unknown', error = 'the relay gave no final answer' WHERE stage = 'reminder-1';").status == 0)
        let ids = try workspace.sqlite("SELECT message_id FROM contact JOIN client ON client.id = contact.client_id ORDER BY client.code").standardOutput
            .split(separator: "\n").map(String.init)
        #expect(ids.count == 2)
        let delivered = try workspace.succeed(["resolve", "<\(ids[0])>", "--delivered", "--note", "ACME confirmed by phone"])
        #expect(delivered.contains("(ACME reminder-1) is recorded as sent"), "\(delivered)")
        #expect(try workspace.succeed(["resolve", ids[1], "--not-delivered"]).contains("BRIT reminder-1"))
        let log = try workspace.succeed(["log"])
        #expect(log.contains("ACME") && log.contains("reminder-1  sent") && log.contains("reminder-1  failed"), "\(log)")
        #expect(try workspace.succeed(["log", "--status", "unknown"]).contains("No message matches"))
        // Settled once: a second word, or a Message-ID the ledger never gave, is refused.
        let again = try workspace.run(["resolve", ids[0], "--not-delivered"])
        #expect(again.status != 0 && again.standardError.contains("is sent, not of unknown fate"), "\(again.standardError)")
        #expect(try workspace.run(["resolve", "nobody@nowhere.example", "--delivered"]).standardError.contains("no message has the Message-ID <nobody@nowhere.example>"))
        #expect(try workspace.run(["resolve", ids[1]]).standardError.contains("--delivered"))
        // The next pass, the same day, writes again only what did not arrive.
        let next = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T11:00:00+01:00"])
        let written = try workspace.sqlite("SELECT client.code || ' ' || stage || ' ' || status FROM contact JOIN client ON client.id = contact.client_id WHERE contact.id > 2 ORDER BY contact.id").standardOutput
        #expect(written.contains("BRIT reminder-1 sent") && !written.contains("ACME reminder-1"), "\(written) \(next)")
    }

    /// The sent log is the owner's everyday view: when its file cannot be written, the pass
    /// says so instead of losing its lines in silence; the ledger still has every attempt.
    @Test func aSentLogThatCannotBeWrittenIsReported() throws {
        try FileManager.default.createDirectory(atPath: workspace.directory.file("not-a-file"), withIntermediateDirectories: true)
        try workspace.editConfiguration { $0.replacingOccurrences(of: "# sent_log = \"/var/log/cobrador/sent.log\"", with: "sent_log = \"not-a-file\"") }
        let result = try workspace.run(["run", "--once", "--rehearsal", "--at", monday])
        #expect(result.status == 1 && result.standardOutput.hasPrefix("Pass done: 2 sent"), "\(result.standardOutput) \(result.standardError)")
        #expect(result.standardError.contains("not-a-file cannot be written (Is a directory); its lines are missing there, `cobrador log` has every attempt"), "\(result.standardError)")
        #expect(try workspace.succeed(["log", "--status", "sent"]).contains("ACME"))
    }

    /// F-2 falls due on Tuesday 1 December; ACME's reminder for F-1 takes Wednesday (one
    /// contact a day), so F-2's due-day message goes on Thursday and must say it fell due.
    @Test func aDueMessageHeldPastItsDaySaysItFellDue() throws {
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-02T10:00:00+01:00"])
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-03T10:00:00+01:00"])
        let messages = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }
        let due = try #require(messages.first { $0.contains("Date: Thu, 03 Dec 2026") && $0.contains("pagos@acme.example") }, "\(messages.map { $0.prefix(400) })")
        #expect(due.subjectDecoded == "Factura F-2 de Lucía Martín", "\(due.prefix(600))")
        #expect(due.quotedPrintableDecoded.contains("Le recuerdo que el 1 de diciembre de 2026 venció la siguiente factura:"), "\(due)")
        #expect(!due.quotedPrintableDecoded.contains("hoy,"))
    }

    @Test func aPassStoresExactlyWhatItDeliversAndNeverSendsTwice() throws {
        let first = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        #expect(first.hasPrefix("Pass done: 2 sent"))
        let files = try workspace.maildirFiles()
        #expect(files.count == 2)
        // The Maildir copy is the stored bytes after the envelope lines the transport adds.
        let stored = try workspace.sqlite("SELECT hex(message), sha256, status FROM contact ORDER BY id").standardOutput.split(separator: "\n")
        #expect(stored.count == 2 && stored.allSatisfy { $0.hasSuffix("|sent") })
        for row in stored {
            let columns = row.split(separator: "|")
            let bytes = Data(hex: String(columns[0]))
            let file = try #require(try files.first { try Data(contentsOf: URL(fileURLWithPath: $0)).suffix(bytes.count) == bytes }, "no delivered file holds the stored bytes")
            let digest = try ProcessResult.run("/bin/sh", ["-c", "tail -c \(bytes.count) '\(file)' | sha256sum"]).standardOutput.prefix(64)
            #expect(String(digest) == String(columns[1]))
        }
        // A second pass the same morning, and a rerun of the same moment, add nothing.
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday]).hasPrefix("Pass done: 0 sent"))
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-11-30T16:00:00+01:00"]).hasPrefix("Pass done: 0 sent"))
        #expect(try workspace.maildirFiles().count == 2)
        let log = try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 2)
        #expect(log.contains("ACME  F-1  reminder-1  pagos@acme.example  sent  <cobrador.1.") && log.contains("BRIT  F-3  reminder-1"))
        #expect(try workspace.succeed(["log", "--client", "ACME"]).contains("reminder-1  sent"))
    }

    @Test func theLogFiltersByInvoiceDayAndStatusAndFollowsNewSteps() throws {
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        let brit = try workspace.succeed(["log", "--invoice", "F-3"])
        let britLines = brit.split(separator: "\n").dropFirst(2)
        #expect(britLines.count == 1 && britLines.allSatisfy { $0.hasPrefix("2026-11-30 10:00") && $0.contains("BRIT") && $0.contains("F-3") }, "\(brit)")
        #expect(!(try workspace.succeed(["log", "--since", "2026-12-01"])).contains("reminder-1"))
        let json = try JSONSerialization.jsonObject(with: Data(try workspace.succeed(["log", "--status", "sent", "--json"]).utf8)) as? [[String: Any]]
        #expect(json?.count == 2 && json?.allSatisfy { $0["status"] as? String == "sent" && ($0["message_id"] as? String)?.hasPrefix("cobrador.") == true } == true)
        #expect(json?.contains { $0["recipients"] as? [String] == ["ap@thames.example"] } == true, "\(String(describing: json))")
        #expect(try workspace.run(["log", "--invoice", "F-404"]).standardError.contains("no invoice numbered \"F-404\""))

        let output = workspace.directory.file("follow.out")
        #expect(FileManager.default.createFile(atPath: output, contents: nil))
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: CobradorWorkspace.binary)
        follow.arguments = ["log", "--follow", "--client", "NEW"]
        follow.environment = ProcessInfo.processInfo.environment.merging(["COBRADOR_CONFIG": workspace.configPath]) { $1 }
        follow.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try workspace.succeed(["client", "add", "NEW", "--name", "New Client", "--email", "ap@new.example", "--country", "ES"])
        try workspace.succeed(["invoice", "add", "N-1", "--client", "NEW", "--concept", "Work", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "50"])
        try follow.run()
        // SIGKILL: a child of the test runner may inherit a mask that blocks SIGTERM.
        defer {
            kill(follow.processIdentifier, SIGKILL)
            follow.waitUntilExit()
        }
        Thread.sleep(forTimeInterval: 0.5)
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        var followed = ""
        for _ in 0..<50 where !followed.contains("  sent  ") {
            Thread.sleep(forTimeInterval: 0.1)
            followed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }
        // The reservation with the hand-over to the transport, then the outcome, of NEW only.
        #expect(followed.contains("NEW  N-1  reminder-1  sending") && followed.contains("  sent  "), "\(followed)")
        #expect(!followed.contains("ACME"))
    }

    @Test func everyAcceptedMessageIsAlsoArchivedWhenAsked() throws {
        let server = try SMTPTestServer()
        try useRelay(server)
        let text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "# archive_maildir = \"sent-archive\"", with: "archive_maildir = \"sent-archive\"")
            .write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday]).hasPrefix("Pass done: 2 sent"))
        let folder = workspace.directory.file("sent-archive/new")
        let archived = try FileManager.default.contentsOfDirectory(atPath: folder).map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }
        let received = try server.received().map(\.bytes)
        #expect(archived.count == 2 && received.count == 2)
        // Each copy ends with exactly the bytes the relay received.
        #expect(received.allSatisfy { bytes in archived.contains { $0.suffix(bytes.count) == bytes } })
    }

    @Test func aPaymentWrittenByAnotherProgramCancelsTheReminder() throws {
        #expect(try workspace.sqlite("""
            PRAGMA busy_timeout = 5000;
            BEGIN IMMEDIATE;
            INSERT INTO payment (invoice_id, amount_minor, value_date, reference)
            VALUES ((SELECT id FROM invoice WHERE number = 'F-1'), 181500, '2026-11-29', 'accounting');
            COMMIT;
            """).status == 0)
        try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        // F-1 is paid: ACME gets the note about F-2 instead, and nothing mentions F-1.
        let chased = try workspace.sqlite(
            "SELECT invoice.number FROM contact_invoice JOIN invoice ON invoice.id = contact_invoice.invoice_id ORDER BY invoice.number").standardOutput
        #expect(chased.split(separator: "\n") == ["F-2", "F-3"])
        #expect(try workspace.maildirFiles().allSatisfy { !(try String(contentsOfFile: $0, encoding: .utf8)).contains("F-1") })
    }

    @Test func theNextStageWaitsItsGapAndTheWindow() throws {
        try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        // Saturday: the window is closed.
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-05T10:00:00+01:00"]).hasPrefix("Pass done: 0 sent"))
        // reminder-1 + 8 days is 8 December: a holiday in Spain, not in Britain.
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-08T11:00:00+01:00"]).hasPrefix("Pass done: 1 sent"))
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-09T11:00:00+01:00"]).hasPrefix("Pass done: 1 sent"))
        let stages = try workspace.sqlite("SELECT stage FROM contact ORDER BY id").standardOutput.split(separator: "\n")
        #expect(stages == ["reminder-1", "reminder-1", "reminder-2", "reminder-2"])
        let threaded = try String(contentsOfFile: try workspace.maildirFiles().last!, encoding: .utf8)
        #expect(threaded.contains("In-Reply-To: <cobrador."))
    }

    @Test func theFormalNoticeClaimsWhatInterestComputesToTheCent() throws {
        // A fixed day: 60 days of interest on F-1 (ACME, EUR, due 2026-10-01).
        let interest = try JSONSerialization.jsonObject(
            with: Data(try workspace.succeed(["interest", "F-1", "--as-of", "2026-11-30", "--json"]).utf8)) as! [String: Any]
        #expect(interest["regime"] as? String == "es-business")
        let fixed = interest["lines"] as! [[String: Any]]
        #expect(fixed.count == 1 && fixed[0]["days"] as? Int == 60 && fixed[0]["provisional"] as? Bool == true)
        #expect((interest["interest"] as? [String: Any])?["amount"] as? String == "30.28")  // 1,815.00 x 10.15% x 60 / 365

        // The notice a preview makes today claims exactly what `interest` says today.
        let today = try JSONSerialization.jsonObject(with: Data(try workspace.succeed(["interest", "F-1", "--json"]).utf8)) as! [String: Any]
        let notice = try workspace.succeed(["preview", "--client", "ACME", "--stage", "formal-notice", "--format", "text"])
        for line in today["lines"] as! [[String: Any]] {
            let amount = ((line["amount"] as? [String: Any])?["amount"] as? String ?? "").replacingOccurrences(of: ".", with: ",")
            let percent = (line["percent"] as? String ?? "").replacingOccurrences(of: ".", with: ",")
            #expect(notice.contains("\(line["days"] as? Int ?? 0) días sobre 1815,00\u{00A0}€ al \(percent)\u{00A0}% anual (año de 365 días): \(amount)\u{00A0}€"), "\(notice)")
        }
        #expect(notice.contains("Indemnización por costes de cobro, factura F-1: 40,00\u{00A0}€"))
        #expect(notice.contains("30 días naturales"))
        let british = try workspace.succeed(["interest", "F-3", "--as-of", "2026-11-30"])
        #expect(british.contains("uk-business") && british.contains("Compensation:  40.00 GBP"))
        // The owner's contracts choose Spanish law: the British client's debt follows it.
        try workspace.editConfiguration { $0 + "\n[interest]\nbusiness_regime = \"es-business\"\n" }
        let chosen = try workspace.succeed(["interest", "F-3", "--as-of", "2026-11-30"])
        #expect(chosen.contains("es-business") && !chosen.contains("uk-business"), "\(chosen)")
    }

    @Test func remindersShowInterestFromTheStageTheOwnerChose() throws {
        #expect(!(try workspace.succeed(["preview", "--client", "ACME", "--stage", "reminder-2", "--format", "text"])).contains("Intereses, factura"))
        var text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        text += "\n[interest]\nshow_from = \"reminder-2\"\n"
        try text.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let reminder = try workspace.succeed(["preview", "--client", "ACME", "--stage", "reminder-2", "--format", "text"])
        #expect(reminder.contains("Intereses, factura F-1"))
        #expect(!(try workspace.succeed(["preview", "--client", "ACME", "--stage", "reminder-1", "--format", "text"])).contains("Intereses, factura"))
    }

    @Test func aStageCanCopyACertificationServiceAndBlindCopyTheOwner() throws {
        var text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "name = \"reminder-1\"\noffset_days = 7", with: "name = \"reminder-1\"\noffset_days = 7\ncertify = \"certify@cert.example\"\nbcc_owner = true")
        try text.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        let delivered = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }
        #expect(delivered.count == 2)
        for message in delivered {
            #expect(message.contains("Delivered-To: certify@cert.example\r\n") && message.contains("Delivered-To: cobros@lucia.example\r\n"))
            #expect(message.contains("Cc: <certify@cert.example>\r\n"))
            #expect(!message.contains("Bcc") && !message.contains("Cc: <cobros@lucia.example>"))
        }
    }

    @Test func theEvidenceExportMatchesWhatWentOutAndAnEditIsDetected() throws {
        try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        #expect(try workspace.succeed(["evidence", "--verify"]).contains("intact"))
        // A promise made 40 seconds after the reminder went: the same minute in the chronology.
        _ = try workspace.succeed(["negotiation", "open", "promise", "ACME", "--invoice", "F-1", "--until", "2026-12-20"])
        #expect(try workspace.sqlite("""
            UPDATE negotiation SET opened_at = (SELECT substr(sent_at, 1, 17) || '40Z' FROM contact WHERE sent_at IS NOT NULL AND client_id = negotiation.client_id);
            """).status == 0)
        let out = workspace.directory.file("acme-evidence")
        try workspace.succeed(["evidence", "ACME", "--out", out])
        let index = try String(contentsOfFile: out + "/index.txt", encoding: .utf8)
        let eml = try FileManager.default.contentsOfDirectory(atPath: out + "/messages")
        #expect(eml.count == 1)
        let digest = try ProcessResult.run("/usr/bin/sha256sum", [out + "/messages/" + eml[0]]).standardOutput.prefix(64)
        #expect(index.contains(String(digest)))
        let steps = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/attempt-log.json"))) as! [[String: Any]]
        #expect(steps.map { $0["status"] as? String } == ["sending", "sent"])
        // The page a lawyer reads first: what is owed and claimable today, and what happened when,
        // each message with the file and SHA-256 that prove it.
        let statement = try String(contentsOfFile: out + "/statement.txt", encoding: .utf8)
        #expect(statement.hasPrefix("Extracto de cuenta: Acme Ibérica S.L. (ACME)"), "\(statement)")
        #expect(statement.contains("  F-1  emitida 1 de septiembre de 2026, vencimiento 1 de octubre de 2026; 1815,00\u{00A0}€"), "\(statement)")
        #expect(statement.contains("Reclamable a") && statement.contains("F-1 (es-business): principal 1815,00\u{00A0}€"), "\(statement)")
        #expect(statement.contains("2026-09-01  factura F-1 emitida por 1815,00\u{00A0}€"), "\(statement)")
        #expect(statement.contains("mensaje reminder-1 sobre F-1 a pagos@acme.example: enviado") && statement.contains("\(eml[0]), SHA-256 \(digest)"), "\(statement)")
        let sent = try #require(statement.range(of: "mensaje reminder-1 sobre F-1"), "\(statement)")
        let promised = try #require(statement.range(of: "#1 abierta sobre F-1"), "\(statement)")
        #expect(sent.lowerBound < promised.lowerBound, "the promise reads as made before the reminder it answered: \(statement)")
        // Someone edits the record of what was sent, or the message itself: both are detected.
        #expect(try workspace.sqlite("UPDATE attempt_event SET detail = 'nothing happened' WHERE status = 'sent' AND contact_id = 1;").status == 0)
        let tampered = try workspace.run(["evidence", "--verify"])
        #expect(tampered.status == 1 && tampered.standardError.contains("its content was changed after it was written"))
        #expect(try workspace.sqlite("UPDATE contact SET message = CAST('forged' AS BLOB) WHERE id = 2;").status == 0)
        #expect(try workspace.run(["evidence", "--verify"]).standardError.contains("message 2: its bytes no longer match"))
    }

    func useRelay(_ server: SMTPTestServer) throws {
        var text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "kind = \"maildir\"", with: "kind = \"smtp\"")
            .replacingOccurrences(of: "# [transport.smtp]", with: "[transport.smtp]\nhost = \"127.0.0.1\"\nport = \(server.port)\ntls = \"none\"")
        try text.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
    }

    @Test func whatIsOverTheRelaysQuotaWaitsAndGoesOutLater() throws {
        let server = try SMTPTestServer()
        try useRelay(server)
        let text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "tls = \"none\"", with: "tls = \"none\"\nmax_per_hour = 1")
            .write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let first = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(first.hasPrefix("Pass done: 1 sent") && first.contains("quota is reached; the rest waits until 2026-11-30T10:00:00Z"), "\(first)")
        let soon = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:30:00+01:00"])
        #expect(soon.hasPrefix("Pass done: 0 sent"), "\(soon)")
        let later = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T11:00:00+01:00"])
        #expect(later.hasPrefix("Pass done: 1 sent"), "\(later)")
        #expect(try server.received().count == 2)
    }

    /// The quota holds messages back, not the rest of the pass: a call for the owner planned
    /// after the message that met the quota is still handed over.
    @Test func overTheQuotaTheOwnersTasksStillComeThrough() throws {
        let server = try SMTPTestServer()
        try useRelay(server)
        try workspace.succeed(["client", "add", "TEL", "--name", "Teléfono S.L.", "--email", "pagos@tel.example", "--country", "ES"])
        try workspace.succeed(["invoice", "add", "T-1", "--client", "TEL", "--concept", "Work", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "80"])
        try workspace.editConfiguration {
            $0.replacingOccurrences(of: "tls = \"none\"", with: "tls = \"none\"\nmax_per_hour = 1")
                + "\n[[profile]]\nname = \"phone\"\nclients = [\"TEL\"]\n[[profile.stage]]\nname = \"reminder-1\"\noffset_days = 7\nchannel = \"call\"\n"
        }
        let pass = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(pass.hasPrefix("Pass done: 1 sent") && pass.contains("1 tasks") && pass.contains("quota is reached"), "\(pass)")
        let log = try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)
        #expect(log.contains("TEL  T-1  reminder-1  -  task"), "\(log)")
    }

    @Test func aCallStageIsHandedToTheOwnerOnceAndTheCadenceMovesOn() throws {
        let text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "name = \"reminder-1\"\noffset_days = 7", with: "name = \"reminder-1\"\noffset_days = 7\nchannel = \"call\"")
        #expect(edited != text)
        try edited.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        // The digest after the pass that handed the calls over still lists them as today's tasks.
        try workspace.setDigestTime("12:00")
        var day = CalendarDateText(year: 2026, month: 11, day: 30)
        for _ in 0..<45 {
            _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "\(day)T10:00:00+01:00"])
            _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "\(day)T16:00:00+01:00"])
            day = day.next()
        }
        let lines = try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8).split(separator: "\n")
        let calls = lines.filter { $0.contains("  reminder-1  ") && $0.contains("  task  ") }
        #expect(!calls.isEmpty)
        // Each call is asked for once, not again at every pass or every day.
        let asked = calls.map { $0.components(separatedBy: "  ")[1...3].joined(separator: " ") }
        #expect(Set(asked).count == asked.count, "\(calls)")
        let digests = try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8) }.filter { $0.contains("Resumen diario") }
        let first = try #require(digests.first { $0.contains("30 de noviembre") } ?? digests.first)
        #expect(first.contains("Tareas para hoy:") && first.contains("Llamar  ACME  reminder-1  F-1") && first.contains("Llamar  BRIT  reminder-1  F-3"), "\(first)")
        // After the call, the next reminder follows by e-mail.
        #expect(lines.contains { $0.contains("  reminder-2  ") && $0.contains("  sent  ") }, "\(lines.joined(separator: "\n"))")
    }

    @Test func aRecipientTheRelayRefusesIsNotTriedAgainUntilTheAddressChanges() throws {
        let server = try SMTPTestServer(behaviour: "rcpt-550")
        try useRelay(server)
        try workspace.setDigestTime("09:30")
        let monday = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(monday.hasPrefix("Pass done: 0 sent, 0 deferred, 2 failed"), "\(monday)")
        // The owner's digest is refused too: once a day, not at every pass.
        #expect(monday.contains("Daily digest: digest for 2026-11-30 to cobros@lucia.example: permanent-failure"), "\(monday)")
        #expect(!(try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T11:00:00+01:00"])).contains("Daily digest"))
        // The next days plan the same reminders; the ledger knows the relay refused them.
        for day in ["2026-12-01T10:00:00+01:00", "2026-12-02T10:00:00+01:00"] {
            let again = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", day])
            #expect(again.hasPrefix("Pass done: 0 sent, 0 deferred, 0 failed"), "\(again)")
        }
        #expect(try workspace.sqlite("SELECT count(*) FROM contact WHERE status = 'failed'").standardOutput == "2\n")
        // The owner sees why: in the pass, the plan, the client's page and the digest.
        let held = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-12-02T11:00:00+01:00"])
        #expect(held.contains("Held, as the relay refused their address, or this very message, before: ACME, BRIT"), "\(held)")
        let plan = try workspace.succeed(["plan", "--days", "2", "--at", "2026-12-02T10:00:00+01:00"])
        #expect(plan.contains("held: the relay refused ap@thames.example (550 5.1.1"), "\(plan)")
        #expect(try workspace.succeed(["plan", "--explain", "F-3", "--at", "2026-12-02T10:00:00+01:00"]).contains("no e-mail goes out: held: the relay refused"))
        #expect(try workspace.succeed(["client", "show", "BRIT"]).contains("no e-mail goes to this client until you run client edit BRIT --email"))
        #expect(try workspace.succeed(["client", "show", "BRIT", "--json"]).contains("\"refused_addresses\""))
        #expect(try workspace.succeed(["client", "list"]).contains("ap@thames.example (refused: ap@thames.example)"))
        let status = try workspace.succeed(["status", "--as-of", "2026-12-02"])
        #expect(status.split(separator: "\n").contains { $0.hasPrefix("BRIT") && $0.contains(" R ") }, "\(status)")
        // A corrected address is worth a new try.
        let edited = try workspace.succeed(["client", "edit", "BRIT", "--email", "payables@thames.example"])
        #expect(edited.contains("ap@thames.example, which the relay refused, is replaced: e-mails to BRIT resume."), "\(edited)")
        let corrected = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-12-03T10:00:00+01:00"])
        #expect(corrected.hasPrefix("Pass done: 0 sent, 0 deferred, 1 failed"), "\(corrected)")
    }

    /// The owner corrects an address the relay refused this morning: the forecast says the
    /// reminder goes now, and the next pass sends it, not the next day's.
    @Test func aCorrectedAddressIsTriedAgainTheSameDay() throws {
        let server = try SMTPTestServer(behaviour: "rcpt-550-for=ap@thames.example")
        try useRelay(server)
        let refused = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(refused.hasPrefix("Pass done: 1 sent, 0 deferred, 1 failed"), "\(refused)")
        try workspace.succeed(["client", "edit", "BRIT", "--email", "payables@thames.example"])
        let corrected = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T11:00:00+01:00"])
        #expect(corrected.hasPrefix("Pass done: 1 sent, 0 deferred, 0 failed"), "\(corrected)")
        #expect(try server.received().count == 2)
        #expect(try workspace.sqlite("SELECT recipients FROM contact WHERE status = 'sent' ORDER BY id DESC LIMIT 1").standardOutput == "payables@thames.example\n")
    }

    @Test func sendingThroughARealRelayKeepsTheBytes() throws {
        let server = try SMTPTestServer()
        var text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "kind = \"maildir\"", with: "kind = \"smtp\"")
            .replacingOccurrences(of: "# [transport.smtp]", with: "[transport.smtp]\nhost = \"127.0.0.1\"\nport = \(server.port)\ntls = \"none\"")
        try text.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday]).hasPrefix("Pass done: 2 sent"))
        let received = try server.received().map(\.bytes)
        let stored = try workspace.sqlite("SELECT hex(message) FROM contact ORDER BY id").standardOutput.split(separator: "\n").map { Data(hex: String($0)) }
        #expect(received == stored)
        let replies = try workspace.sqlite("SELECT server_reply FROM contact ORDER BY id").standardOutput
        #expect(replies.contains("250 2.0.0 Ok: queued as Q1"))
    }
}

/// A day as `run --at` spells it, stepped one at a time.
struct CalendarDateText: CustomStringConvertible {
    var year: Int, month: Int, day: Int
    var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
    func next() -> CalendarDateText {
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        if day < lengths[month - 1] { return CalendarDateText(year: year, month: month, day: day + 1) }
        return month == 12 ? CalendarDateText(year: year + 1, month: 1, day: 1) : CalendarDateText(year: year, month: month + 1, day: 1)
    }
}

extension String {
    /// The Subject header, unfolded, its RFC 2047 base64 words decoded.
    var subjectDecoded: String? {
        guard let start = range(of: "\r\nSubject: ") else { return nil }
        var value = ""
        for (index, line) in self[start.upperBound...].components(separatedBy: "\r\n").enumerated() {
            guard index == 0 || line.hasPrefix(" ") || line.hasPrefix("\t") else { break }
            value += line.trimmingCharacters(in: .whitespaces)
        }
        return value.replacing(/=\?UTF-8\?B\?([^?]*)\?=/) { match in
            String(decoding: Data(base64Encoded: String(match.output.1)) ?? Data(), as: UTF8.self)
        }
    }

    /// The text of a quoted-printable body: soft line breaks joined, "=C3=B3" turned into "ó".
    var quotedPrintableDecoded: String {
        let joined = Array(replacingOccurrences(of: "=\r\n", with: "").utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < joined.count {
            if joined[index] == UInt8(ascii: "="), index + 2 < joined.count, let byte = UInt8(String(decoding: joined[index + 1...index + 2], as: UTF8.self), radix: 16) {
                bytes.append(byte)
                index += 3
            } else {
                bytes.append(joined[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Data {
    /// Bytes from the hex sqlite3 prints for `hex(blob)`.
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self.init(bytes)
    }
}
