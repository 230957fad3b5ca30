import CobradorTestSupport
import Foundation
import Testing

/// What a new user found wrong when trying cobrador from a clean clone, each reproduced
/// through the real binary and guarded here.
@Suite(.serialized) struct UserTrialFindingsTests {
    let workspace: CobradorWorkspace
    let monday = "2026-11-30T10:00:00+01:00"

    init() throws {
        workspace = try CobradorWorkspace()
        try workspace.seed()
        try workspace.setDigestTime("never")
    }

    /// A typo in a template name (`{{client.nmae}}`) went out to clients as "Dear ,":
    /// `check` caught it but `run` did not look.
    @Test func aTemplateNamingWhatTheContextLacksStopsThePassBeforeAnythingIsSent() throws {
        let template = workspace.directory.file("templates/en/reminder-1.text.mustache")
        let text = try String(contentsOfFile: template, encoding: .utf8)
        #expect(text.contains("{{client.name}}"))
        try text.replacingOccurrences(of: "{{client.name}}", with: "{{client.nmae}}").write(toFile: template, atomically: true, encoding: .utf8)
        let refused = try workspace.run(["run", "--once", "--rehearsal", "--at", monday])
        #expect(refused.status == 1, "\(refused.standardOutput)")
        #expect(refused.standardError.contains("templates/en/reminder-1.text.mustache:") && refused.standardError.contains("{{client.nmae}}"), "\(refused.standardError)")
        #expect(try workspace.sqlite("SELECT count(*) FROM contact").standardOutput == "0\n")
        let delivered = workspace.directory.file("maildir/new")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: delivered))?.isEmpty ?? true)
    }

    /// After `init` without the sender's details, the example sender and its IBAN
    /// "XX00 0000..." went to clients through the relay.
    @Test func theExampleSenderNeverLeavesThroughARelay() throws {
        try workspace.editConfiguration {
            $0.replacingOccurrences(of: #"iban = "[^"]*""#, with: "iban = \"XX00 0000 0000 0000 0000 0000\"", options: .regularExpression)
                .replacingOccurrences(of: "kind = \"maildir\"", with: "kind = \"smtp\"")
                .replacingOccurrences(of: "# [transport.smtp]", with: "[transport.smtp]\nhost = \"127.0.0.1\"\nport = 9\ntls = \"none\"")
        }
        let refused = try workspace.run(["run", "--once", "--rehearsal", "--at", monday])
        #expect(refused.status == 1 && refused.standardError.contains("still has the example sender"), "\(refused.standardError)")
        #expect(try workspace.sqlite("SELECT count(*) FROM contact").standardOutput == "0\n")
    }

    /// `run --once --at` on the real configuration sent real mail dated in the future to
    /// clients, and recorded that date as evidence.
    @Test func aRehearsalMomentNeverReachesClientsThroughARelay() throws {
        let server = try SMTPTestServer()
        try workspace.editConfiguration {
            $0.replacingOccurrences(of: "kind = \"maildir\"", with: "kind = \"smtp\"")
                .replacingOccurrences(of: "# [transport.smtp]", with: "[transport.smtp]\nhost = \"127.0.0.1\"\nport = \(server.port)\ntls = \"none\"")
        }
        let refused = try workspace.run(["run", "--once", "--rehearsal", "--at", "2027-01-08T09:30:00+01:00"])
        #expect(refused.status == 1 && refused.standardError.contains("--at with the SMTP transport would send real messages dated 2027-01-08"), "\(refused.standardError)")
        #expect(try server.received().isEmpty)
        #expect(try workspace.sqlite("SELECT count(*) FROM contact").standardOutput == "0\n")
        // A pass now goes through the relay as usual.
        #expect(try workspace.succeed(["run", "--once"]).hasPrefix("Pass done:"))
    }

    /// `check` said all was well with a password file that does not exist; `run` then failed.
    @Test func checkReadsThePasswordFile() throws {
        try workspace.editConfiguration {
            $0.replacingOccurrences(of: "kind = \"maildir\"", with: "kind = \"smtp\"")
                .replacingOccurrences(of: "# [transport.smtp]", with: "[transport.smtp]\nhost = \"127.0.0.1\"\nport = 9\ntls = \"starttls\"\nusername = \"lucia\"\npassword_file = \"/nonexistent/pw\"")
        }
        let check = try workspace.run(["check"])
        #expect(check.status == 1 && check.standardError.contains("/nonexistent/pw: cannot read the SMTP password file"), "\(check.standardOutput) \(check.standardError)")
    }

    /// `interest` claimed 1,869.64 on an invoice the owner had voided.
    @Test func aVoidInvoiceAccruesNoInterest() throws {
        _ = try workspace.succeed(["invoice", "void", "F-1"])
        let interest = try workspace.run(["interest", "F-1", "--as-of", "2026-12-31", "--json"])
        #expect(interest.status == 1 && interest.standardError.contains("invoice F-1 is void"), "\(interest.standardOutput)")
    }

    /// An empty file named as the ledger was silently made a new, empty ledger by `status`
    /// ("Nothing is owed."); a folder gave only "disk I/O error".
    @Test func anEmptyFileOrAFolderIsNotTakenForALedger() throws {
        let empty = workspace.directory.file("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: nil))
        try FileManager.default.createDirectory(atPath: workspace.directory.file("folder.sqlite"), withIntermediateDirectories: false)
        for (path, reason) in [(empty, "the file is empty"), (workspace.directory.file("folder.sqlite"), "it is a folder")] {
            try workspace.editConfiguration { $0.replacingOccurrences(of: #"(?m)^ledger = "[^"]*""#, with: "ledger = \"\(path)\"", options: .regularExpression) }
            let status = try workspace.run(["status"])
            #expect(status.status == 1 && status.standardError.contains("\(path) is not a cobrador ledger (\(reason)"), "\(status.standardOutput) \(status.standardError)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
    }

    /// A missing option of `client add` exited 1, as a refused value does, not 64 as every
    /// other usage error; `plan --days 0` spoke of "the next 0 days".
    @Test func aMissingOptionIsAUsageErrorAndAnEmptyPlanForNowSaysSo() throws {
        let missing = try workspace.run(["client", "add", "X", "--email", "a@b.example", "--country", "ES"])
        #expect(missing.status == 64 && missing.standardError.contains("--name is required"), "\(missing.standardError)")
        let now = try workspace.succeed(["plan", "--days", "0", "--at", "2026-11-30T20:00:00+01:00"])
        #expect(now.contains("Nothing goes out now."), "\(now)")
    }

    /// The final notice gave the interest as one sum: the README promises the formal notice's
    /// lines, which a debtor or a judge can recompute. Its deadline is the client's whole day.
    @Test func theFinalNoticeCarriesTheInterestLinesAndAWholeDayToPay() throws {
        let notice = try workspace.succeed(["preview", "--client", "ACME", "--stage", "final-notice", "--format", "text"])
        #expect(notice.contains("Intereses, factura F-1: del ") && notice.contains("Indemnización por costes de cobro, factura F-1: 40,00"), "\(notice)")
        #expect(notice.contains("a más tardar el") && !notice.contains("antes del\n"), "\(notice)")
        // The sum added to what is outstanding says where it comes from.
        #expect(notice.contains("€, más ") && notice.contains(" según el detalle siguiente ("), "\(notice)")
    }

    /// A handed-over invoice was explained as "not open, or nothing is owed"; a pause past its
    /// end was still shown as a pause.
    @Test func invoiceShowAndExplainTellAHandOverAndNoLongerShowAnEndedPause() throws {
        #expect(try workspace.sqlite("""
            UPDATE invoice SET handed_over_at = '2026-11-20T00:00:00Z' WHERE number = 'F-1';
            UPDATE invoice SET paused_at = '2026-10-01T00:00:00Z', pause_reason = 'Waiting for the PO', paused_until = '2026-11-01' WHERE number = 'F-2';
            """).status == 0)
        let explained = try workspace.succeed(["plan", "--explain", "F-1"])
        #expect(explained.contains("not chased: handed over to you") && explained.contains("1815.00 EUR unpaid"), "\(explained)")
        #expect(try workspace.succeed(["invoice", "show", "F-1"]).contains("Handed over: yes"))
        #expect(try workspace.succeed(["invoice", "list"]).contains("open, handed over"))
        let status = try JSONSerialization.jsonObject(with: Data(try workspace.succeed(["status", "--json"]).utf8)) as! [String: Any]
        let acme = (status["clients"] as! [[String: Any]]).first { $0["client"] as? String == "ACME" }
        #expect(acme?["handed_over"] as? Bool == true)
        #expect(!(try workspace.succeed(["invoice", "show", "F-2"])).contains("Waiting for the PO"))
    }

    /// After a partial payment the reminders showed only the balance, as if nothing had come.
    @Test func aPartialPaymentIsAcknowledgedInTheReminders() throws {
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "815.00", "--date", "2026-10-20"])
        let text = try workspace.succeed(["preview", "--client", "ACME", "--stage", "reminder-2", "--format", "text"])
        #expect(text.contains("Factura F-1") && text.contains("1000,00") && text.contains("(de 1815,00") && text.contains("recibidos 815,00"), "\(text)")
        let html = try workspace.succeed(["preview", "--client", "ACME", "--stage", "reminder-2", "--format", "html"])
        #expect(html.contains("<small>de 1815,00"), "\(html)")
    }

    /// The on-the-day reminder of an instalment due on a Sunday goes on Monday: it spoke of the
    /// plan's next instalment ("vence el 4 de enero") instead of the one that fell due.
    @Test func anInstalmentReminderNamesItsInstalmentAndSaysWhenItFellDue() throws {
        _ = try workspace.succeed(["negotiation", "open", "plan", "ACME", "--instalment", "2026-12-06:1000", "--instalment", "2027-01-04:1115"])
        _ = try workspace.succeed(["negotiation", "open", "plan", "BRIT", "--instalment", "2026-12-03:640"])
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-03T10:00:00+01:00"])
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-07T10:00:00+01:00"])
        let folder = workspace.directory.file("maildir/new")
        let reminders = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            .map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8).quotedPrintableDecoded }
            .filter { $0.contains("plan de pagos") || $0.contains("payment plan") }
        #expect(reminders.contains { $0.contains("Date: Thu, 03 Dec 2026") && $0.contains("is due today, 3 December 2026.") }, "\(reminders)")
        let before = try #require(reminders.first { $0.contains("Date: Thu, 03 Dec 2026") })
        #expect(before.contains("el próximo plazo de 1000,00\u{00A0}€ de nuestro plan") && before.contains("vence el 6 de diciembre de 2026."), "\(before)")
        let after = try #require(reminders.first { $0.contains("Date: Mon, 07 Dec 2026") })
        #expect(after.contains("el plazo de 1000,00\u{00A0}€ de nuestro plan") && after.contains("venció el 6 de diciembre de 2026 y aún no me consta su pago."), "\(after)")
        #expect(!after.contains("4 de enero") && !after.contains("Gracias por cumplir con el plan"), "\(after)")
    }

    /// The messages said "las facturas siguientes" of one invoice and "factura F-1, F-2
    /// pendiente" of two.
    @Test func theMessagesAgreeWithTheNumberOfInvoices() throws {
        func preview(_ client: String, _ stage: String) throws -> String {
            try workspace.succeed(["preview", "--client", client, "--stage", stage, "--format", "text"])
        }
        // A second invoice past due: a reminder is about both.
        _ = try workspace.succeed(["invoice", "add", "F-5", "--client", "ACME", "--concept", "Glossary", "--issued", "2026-09-15", "--due", "2026-10-15", "--amount", "300"])
        #expect(try preview("ACME", "reminder-2").contains("Ya le escribí sobre las facturas siguientes, que siguen pendientes de pago:"))
        _ = try workspace.succeed(["payment", "add", "F-5", "--amount", "300"])
        let one = try preview("ACME", "reminder-2")
        #expect(one.contains("Ya le escribí sobre la factura siguiente, que sigue pendiente de pago:") && one.contains("pagarla, o prefiere"), "\(one)")
        let notice = try preview("ACME", "formal-notice")
        #expect(notice.contains("la siguiente factura sigue sin pagarse:") && notice.contains("el número de factura (F-1)."), "\(notice)")
        #expect(try preview("BRIT", "reminder-2").contains("I have written to you before about the invoice below, which remains unpaid:"))
        // Several invoices fall due on their own days: each line says which.
        _ = try workspace.succeed(["invoice", "add", "F-4", "--client", "BRIT", "--concept", "Subtitles", "--issued", "2026-06-01", "--due", "2026-07-15", "--amount", "100", "--currency", "GBP"])
        let due = try preview("BRIT", "due")
        #expect(due.contains("A reminder of the due dates of the following invoices:") && due.contains("due on 15 July 2026"), "\(due)")
    }

    /// Previewing a promise-broken message for a client without a promise printed "El  me
    /// indicó que lo siguiente quedaría pagado...", blanks where the dates go.
    @Test func aNegotiationMessageIsPreviewedOnlyForANegotiationOfItsKind() throws {
        let refused = try workspace.run(["preview", "--client", "ACME", "--stage", "promise-broken", "--format", "text"])
        #expect(refused.status == 1 && refused.standardError.contains("ACME has no promise to pay, and promise-broken is written about one"), "\(refused.standardError)")
        _ = try workspace.succeed(["negotiation", "open", "plan", "ACME", "--instalment", "2026-12-15:1000", "--instalment", "2027-01-15:1115"])
        #expect(try workspace.run(["preview", "--client", "ACME", "--stage", "promise-broken"]).status == 1)
        let reminder = try workspace.succeed(["preview", "--client", "ACME", "--stage", "instalment-reminder", "--format", "text"])
        #expect(reminder.contains("plazo de 1000,00\u{00A0}€ de nuestro plan") && reminder.contains("vence el 15 de diciembre de 2026."), "\(reminder)")
    }

    /// A wrong payment, void or write-off could not be undone, and the bank's export counted
    /// a payment entered by hand a second time.
    @Test func mistakesCanBeUndoneAndTheBanksRowIsThePaymentEnteredByHand() throws {
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "1815.00", "--date", "2026-11-25"])
        #expect(try workspace.succeed(["plan", "--explain", "F-1", "--at", monday]).contains("not chased today: paid"))
        let list = try workspace.succeed(["payment", "list", "--invoice", "F-1"])
        let id = try #require(list.split(separator: "\n").dropFirst(2).first?.split(separator: " ").first.map(String.init))
        let removed = try workspace.succeed(["payment", "remove", id])
        #expect(removed.contains("Removed payment #\(id) of 1815.00 EUR dated 2026-11-25 from invoice F-1: now 1815.00 EUR owed, and chased again"), "\(removed)")
        #expect(!(try workspace.succeed(["plan", "--explain", "F-1", "--at", monday])).contains("not chased today"))
        #expect(try workspace.run(["payment", "remove", id]).standardError.contains("no payment #\(id)"))
        // A wrong amount is corrected in one step, checked like a new payment, and noted.
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "1000", "--date", "2026-11-25"])
        let wrong = try #require(try workspace.succeed(["payment", "list", "--invoice", "F-1"]).split(separator: "\n").dropFirst(2).first?.split(separator: " ").first.map(String.init))
        #expect(try workspace.run(["payment", "edit", wrong, "--amount", "2000"]).standardError.contains("more than the 1815.00 EUR still owed"))
        #expect(try workspace.sqlite("UPDATE payment SET created_at = '2026-11-25T10:00:00Z' WHERE id = \(wrong)").status == 0)
        #expect(try workspace.succeed(["payment", "edit", wrong, "--amount", "800"]) == "Corrected payment #\(wrong) on invoice F-1: now 1015.00 EUR owed.\n")
        // It keeps when it was recorded: the digest does not report it again.
        #expect(try workspace.sqlite("SELECT created_at FROM payment WHERE id = \(wrong)").standardOutput == "2026-11-25T10:00:00Z\n")
        let history = try workspace.succeed(["client", "show", "ACME"])
        #expect(history.contains("payment #\(id) of 1815.00 EUR dated 2026-11-25 removed from invoice F-1"), "\(history)")
        #expect(history.contains("payment #\(wrong) on invoice F-1 corrected: 1000.00 EUR dated 2026-11-25 is now 800.00 EUR dated 2026-11-25"), "\(history)")

        // By hand, then the bank's export with its reference: one payment, with that reference.
        _ = try workspace.succeed(["payment", "add", "F-2", "--amount", "100", "--date", "2026-11-25"])
        let csv = workspace.directory.write("bank.csv", "invoice,amount,date,method,reference\nF-2,100.00,2026-11-25,transfer,TRF 9\n")
        #expect(try workspace.succeed(["import", "payments", csv]).contains("1 updated"))
        #expect(try workspace.succeed(["import", "payments", csv]).contains("1 unchanged"))
        #expect(try workspace.sqlite("SELECT count(*), reference, method FROM payment WHERE invoice_id = 2").standardOutput == "1|TRF 9|transfer\n")

        // What keeps an open invoice from being chased is in its status.
        _ = try workspace.succeed(["payment", "add", "F-2", "--amount", "200"])
        #expect(try workspace.succeed(["invoice", "show", "F-2"]).contains("Status:      open, paid"))
        #expect(try workspace.run(["payment", "add", "F-2", "--amount", "1"]).standardError.contains("invoice F-2 is paid in full already"))
        let paidList = try workspace.succeed(["payment", "list", "--invoice", "F-2"])
        let last = try #require(paidList.split(separator: "\n").dropFirst(2).first?.split(separator: " ").first.map(String.init))
        _ = try workspace.succeed(["payment", "remove", last])
        #expect(try workspace.succeed(["invoice", "void", "F-2"]) == "Voided invoice F-2; 100.00 EUR received on it stays recorded (refund it if due).\n")
        #expect(try workspace.succeed(["invoice", "reopen", "F-2"]) == "Reopened invoice F-2: 200.00 EUR owed.\n")
        _ = try workspace.succeed(["invoice", "write-off", "F-2"])
        _ = try workspace.succeed(["invoice", "reopen", "F-2"])
        #expect(try workspace.run(["invoice", "reopen", "F-2"]).standardError.contains("invoice F-2 is open already"))
    }

    /// A plan broken by its first instalment was said, to the client and in the digest, to be
    /// broken by the last instalment due before the break (one still in its grace days).
    @Test func aBrokenPlanNamesTheInstalmentThatBrokeIt() throws {
        try workspace.setDigestTime("09:30")
        _ = try workspace.succeed(["negotiation", "open", "plan", "BRIT", "--instalment", "2026-12-01:300", "--instalment", "2026-12-03:340"])
        var day = CalendarDateText(year: 2026, month: 12, day: 1)
        for _ in 0..<7 {
            _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "\(day)T10:00:00+01:00"])
            day = day.next()
        }
        let folder = workspace.directory.file("maildir/new")
        let mail = try FileManager.default.contentsOfDirectory(atPath: folder).map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8).quotedPrintableDecoded }
        let broken = try #require(mail.first { $0.contains("so the plan has lapsed") })
        #expect(broken.contains("due on 1 December 2026 has not been paid"), "\(broken)")
        #expect(mail.contains { $0.contains("BRIT  F-3: plan de pagos: el plazo del 1 de diciembre de 2026 (300,00\u{00A0}GBP) no se pagó") }, "\(mail.filter { $0.contains("Resumen") })")
    }

    /// Previewing a stage showed every unpaid invoice: a formal notice threatening court over
    /// an invoice not yet due, a courtesy reminder calling one 60 days late "due shortly".
    @Test func aPreviewedStageIsAboutTheInvoicesAtThatStage() throws {
        let notice = try workspace.succeed(["preview", "--client", "ACME", "--stage", "formal-notice", "--format", "text"])
        #expect(notice.contains("F-1") && !notice.contains("F-2"), "\(notice)")
        let courtesy = try workspace.succeed(["preview", "--client", "ACME", "--stage", "before-due", "--format", "text"])
        #expect(courtesy.contains("F-2") && !courtesy.contains("F-1"), "\(courtesy)")
    }

    /// The letter before claim to a UK company cited Spain's prior-negotiation rule.
    @Test func onlyADebtorInSpainIsToldOfSpainsPriorNegotiationRule() throws {
        let spanish = try workspace.succeed(["preview", "--client", "ACME", "--stage", "formal-notice", "--format", "text"])
        #expect(spanish.contains("invitación a negociar") && spanish.contains("Ley Orgánica 1/2025"), "\(spanish)")
        let british = try workspace.succeed(["preview", "--client", "BRIT", "--stage", "formal-notice", "--format", "text"])
        #expect(british.contains("Letter before claim") && !british.contains("invitation to negotiate") && !british.contains("1/2025"), "\(british)")
        // A Spanish client written to in English still gets it.
        _ = try workspace.succeed(["client", "edit", "ACME", "--language", "en"])
        #expect(try workspace.succeed(["preview", "--client", "ACME", "--stage", "formal-notice", "--format", "text"]).contains("Spanish Organic Law 1/2025"))
    }
}
