import CobradorTestSupport
import Foundation
import Testing

/// What a trial that read every message of 90 rehearsed days, as the clients and the owner,
/// found wrong; each reproduced through the real binary and guarded here.
@Suite(.serialized) struct ClientTrialFindingsTests {
    let workspace: CobradorWorkspace
    let monday = CobradorWorkspace.monday

    init() throws {
        workspace = try .seeded()
    }

    func messages(to address: String) throws -> [String] {
        try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8).quotedPrintableDecoded }.filter { $0.contains("To: ") && $0.contains(address) }
    }

    /// The formal notice invites a client in Spain to negotiate within 30 days of receipt (LO
    /// 1/2025). The final notice, 15 days later, asked for payment within 14 days "before
    /// handing the matter over", and the hand-over came on the 30th day: inside the window.
    @Test func theFinalNoticeToASpanishClientGivesTheWholeNegotiationWindow() throws {
        // F-1's ladder as far as a formal notice sent on Sunday 15 November: its final notice is due on Monday 30.
        #expect(try workspace.sqlite("""
            INSERT INTO contact (id, client_id, stage, channel, status, occurred_at, sent_at, message_id) VALUES
                (101, 1, 'reminder-1', 'email', 'sent', '2026-10-08T08:00:00Z', '2026-10-08T08:00:00Z', 'r1@test'),
                (102, 1, 'reminder-2', 'email', 'sent', '2026-10-16T08:00:00Z', '2026-10-16T08:00:00Z', 'r2@test'),
                (103, 1, 'formal-notice', 'email', 'sent', '2026-11-15T09:00:00Z', '2026-11-15T09:00:00Z', 'fn@test');
            INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (101, 1), (102, 1), (103, 1);
            """).status == 0)
        let pass = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        #expect(pass.contains("2 sent"), "\(pass)")  // and BRIT's reminder
        let notice = try #require(try messages(to: "pagos@acme.example").first)
        #expect(notice.contains("Último aviso") || notice.contains("final"), "\(notice)")
        // 14 days would be Monday 14 December; the window ends 30 days after 15 November.
        #expect(notice.contains("15 de diciembre de 2026") && !notice.contains("14 de diciembre de 2026"), "\(notice)")
        let handOver = try workspace.succeed(["plan", "--days", "20", "--at", "2026-12-01T10:00:00+01:00"])
        #expect(handOver.contains("2026-12-16 00:00 Europe/Madrid  ACME    hand over") && handOver.contains("its deadline, 2026-12-15, passed"), "\(handOver)")
        #expect(!handOver.contains("2026-12-15 00:00"), "\(handOver)")
    }

    /// A mistyped year on the real ledger (the Maildir transport is the default) recorded a
    /// year's messages as sent in 2027: nothing was planned until then.
    @Test func aPassFarFromTheClockNeedsToBeNamedARehearsal() throws {
        for moment in ["2027-12-07T10:00:00+01:00", "2025-12-07T10:00:00+01:00"] {
            let refused = try workspace.run(["run", "--once", "--at", moment])
            #expect(refused.status == 1 && refused.standardError.contains("the clock: the pass would record its messages in"), "\(refused.standardError)")
            #expect(refused.standardError.contains("add --rehearsal"), "\(refused.standardError)")
        }
        #expect(try workspace.sqlite("SELECT count(*) FROM contact").standardOutput == "0\n")
        #expect(try workspace.run(["run", "--once", "--rehearsal"]).standardError.contains("--rehearsal goes with --at"))
        // Named so, on a copy, it goes; and a pass now needs no name.
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2027-12-07T10:00:00+01:00"]).hasPrefix("Pass done:"))
        #expect(try workspace.run(["run", "--once", "--at", Date().addingTimeInterval(600).formatted(.iso8601)]).status == 0)
        #expect(try workspace.run(["run", "--once", "--at", Date().addingTimeInterval(86_400).formatted(.iso8601)]).standardError.contains("--at is 24 hours ahead of the clock"))
        #expect(try workspace.run(["run", "--rehearsal"]).standardError.contains("--rehearsal goes with --once"))
    }

    /// "cobrador paymnet add F-1 --amount 10" said "Unknown option '--amount'".
    @Test func aMistypedCommandIsNamedWithTheOneMeant() throws {
        let mistyped = try workspace.run(["paymnet", "add", "F-1", "--amount", "10"])
        #expect(mistyped.status == 64 && mistyped.standardError.contains("\"paymnet\" is not a command of cobrador; did you mean \"payment\"?"), "\(mistyped.standardError)")
        let nested = try workspace.run(["invoice", "shwo", "F-1"])
        #expect(nested.status == 64 && nested.standardError.contains("did you mean \"show\"?") && nested.standardError.contains("cobrador invoice --help"), "\(nested.standardError)")
        #expect(try workspace.run(["frobnicate"]).standardError.contains("\"frobnicate\" is not a command of cobrador (see `cobrador --help`)"))
        #expect(try workspace.succeed(["help", "payment"]).contains("Record, list, correct and remove payments"))
    }

    /// A client paid the principal months late: the invoice left `status`, and nothing told the
    /// owner that interest and compensation were still theirs to claim (or to lose by accepting
    /// the payment without reservation).
    @Test func theDigestListsWhatWasPaidInFullAndWhatALatePaymentStillAllowsToClaim() throws {
        // F-1's reminder goes out on Monday; both invoices are paid that day.
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday])
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "1815", "--date", "2026-11-30"])
        _ = try workspace.succeed(["payment", "add", "F-2", "--amount", "300", "--date", "2026-11-30"])
        // Recorded before the rehearsed digest, whatever the clock says.
        #expect(try workspace.sqlite("UPDATE payment SET created_at = '2026-11-30T10:30:00Z'").status == 0)
        try workspace.setDigestTime("09:30")
        _ = try workspace.succeed(["run", "--once", "--rehearsal", "--at", "2026-12-01T10:00:00+01:00"])
        let digest = try #require(try workspace.maildirFiles().map { try String(contentsOfFile: $0, encoding: .utf8).quotedPrintableDecoded }.first { $0.contains("Resumen diario") })
        #expect(digest.contains("Pagadas (del todo, o salvo un resto dentro de su tolerancia) desde el último resumen, tras recordárselas:"), "\(digest)")
        let interest = try workspace.succeed(["interest", "F-1", "--as-of", "2026-11-30", "--json"])
        let owed = try #require(((try JSONSerialization.jsonObject(with: Data(interest.utf8)) as? [String: Any])?["interest"] as? [String: Any])?["amount"] as? String)
        let spanish = owed.replacingOccurrences(of: ".", with: ",")
        #expect(
            digest.contains("ACME  F-1  1815,00\u{00A0}€ recibidos, el último pago el 30 de noviembre de 2026; pagada con retraso: puede reclamar aún \(spanish)\u{00A0}€ de intereses y 40,00\u{00A0}€ de indemnización"),
            "\(owed) \(digest)")
        // F-2 was paid before cobrador wrote about it: no news.
        #expect(!digest.contains("F-2  300,00"), "\(digest)")
        #expect(digest.contains("art. 1110 del Código Civil") && !digest.contains("Hoy no hay nada que requiera su atención"), "\(digest)")
    }

    /// A German company's formal notice was headed "Letter before claim", English law's term,
    /// and companies were greeted "Dear Thames Ltd,".
    @Test func anEnglishNoticeIsALetterBeforeClaimOnlyInTheUKAndCompaniesAreNotGreetedByName() throws {
        _ = try workspace.succeed(["client", "add", "KLEIN", "--name", "Klein Verlag GmbH", "--email", "buchhaltung@klein.example", "--country", "DE", "--language", "en"])
        _ = try workspace.succeed(["invoice", "add", "K-1", "--client", "KLEIN", "--concept", "Translation", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "900"])
        let german = try workspace.succeed(["preview", "--client", "KLEIN", "--stage", "formal-notice", "--format", "text"])
        #expect(german.hasPrefix("Formal demand for payment\n\nDear Sir or Madam,\n") && !german.contains("efore claim"), "\(german)")
        let british = try workspace.succeed(["preview", "--client", "BRIT", "--stage", "formal-notice", "--format", "text"])
        #expect(british.hasPrefix("Letter before claim\n\nDear Sir or Madam,\n"), "\(british)")
        // A letter's heading comes before its greeting (trial finding); a company is greeted in the singular the body speaks in.
        let spanish = try workspace.succeed(["preview", "--client", "ACME", "--stage", "formal-notice", "--format", "text"])
        #expect(spanish.hasPrefix("Requerimiento de pago y solicitud de negociación\n\nEstimado cliente:\n"), "\(spanish)")
        // "Dear Sir or Madam" closes "Yours faithfully".
        #expect(german.contains("Yours faithfully,") && !german.contains("Yours sincerely"), "\(german)")
        #expect(try workspace.succeed(["preview", "--client", "KLEIN", "--stage", "final-notice", "--format", "text"]).contains("most recently with a formal demand for payment"))
        _ = try workspace.succeed(["client", "add", "ANNA", "--name", "Anna Smith", "--email", "anna@smith.example", "--country", "GB", "--kind", "consumer"])
        _ = try workspace.succeed(["invoice", "add", "P-1", "--client", "ANNA", "--concept", "Tutoring", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "90", "--currency", "GBP"])
        #expect(try workspace.succeed(["preview", "--client", "ANNA", "--stage", "reminder-1", "--format", "text"]).hasPrefix("Dear Anna Smith,\n"))
    }

    /// An individual in the UK got a letter before claim with 14 days, where the Pre-Action
    /// Protocol for Debt Claims gives 30 days to reply; a company keeps the 14.
    @Test func aLetterBeforeClaimToAnIndividualInTheUKGivesThirtyDays() throws {
        _ = try workspace.succeed(["client", "add", "ANNA", "--name", "Anna Smith", "--email", "anna@smith.example", "--country", "GB", "--kind", "self-employed"])
        _ = try workspace.succeed(["invoice", "add", "P-1", "--client", "ANNA", "--concept", "Tutoring", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "90", "--currency", "GBP"])
        /// Calendar days from today (the configuration's time zone) to a pay-by date as the
        /// English messages write it ("30 December 2026").
        func daysUntil(_ written: Substring) throws -> Int {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_GB")
            formatter.timeZone = TimeZone(identifier: "Europe/Madrid")
            formatter.dateFormat = "d MMMM yyyy"
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = formatter.timeZone
            let payBy = try #require(formatter.date(from: String(written)))
            return try #require(calendar.dateComponents([.day], from: calendar.startOfDay(for: Date()), to: payBy).day)
        }
        let individual = try workspace.succeed(["preview", "--client", "ANNA", "--stage", "formal-notice", "--format", "text"])
        #expect(individual.contains("you have 30 days from the date of this letter to\nreply"), "\(individual)")
        // The pay-by date itself gives the 30 days, moved on past closed days and holidays (a week at most).
        let payBy = try daysUntil(try #require(individual.firstMatch(of: /by (\d+ \w+ \d{4}), quoting/)?.1))
        #expect((30...37).contains(payBy), "\(payBy) days")
        let company = try workspace.succeed(["preview", "--client", "BRIT", "--stage", "formal-notice", "--format", "text"])
        #expect(!company.contains("Pre-Action Protocol"))
        let companyPayBy = try daysUntil(try #require(company.firstMatch(of: /by (\d+ \w+ \d{4}), quoting/)?.1))
        #expect((14...21).contains(companyPayBy), "\(companyPayBy) days")
        // In Scotland the Protocol does not apply.
        _ = try workspace.succeed(["client", "edit", "ANNA", "--region", "GB-SCT"])
        #expect(!(try workspace.succeed(["preview", "--client", "ANNA", "--stage", "formal-notice", "--format", "text"])).contains("Pre-Action Protocol"))
        _ = try workspace.succeed(["client", "edit", "ANNA", "--region", ""])
        let check = try workspace.succeed(["check"])
        #expect(check.contains("Warning: ANNA: an individual in the UK gets the formal notice as a letter before claim"), "\(check)")
    }

    /// Ley 3/2004 caps the payment term two businesses may agree at 60 days: `check` says when
    /// an invoice gives more.
    @Test func checkWarnsOfATermLongerThanTheSpanishLawAllows() throws {
        _ = try workspace.succeed(["invoice", "add", "F-9", "--client", "ACME", "--concept", "Work", "--issued", "2026-06-01", "--due", "2026-09-30", "--amount", "100"])
        let check = try workspace.succeed(["check"])
        #expect(check.contains("Warning: invoice F-9 (ACME) gives 121 days to pay"), "\(check)")
        #expect(!check.contains("invoice F-1 "), "\(check)")
    }

    /// `init` asked for no tax id or address, which a Spanish formal notice must name, and
    /// set no tolerance for sterling.
    @Test func initTakesTheTaxIDAndAddressAFormalNoticeNames() throws {
        let folder = TemporaryDirectory()
        let config = folder.file("own/cobrador.toml")
        _ = try workspace.succeed([
            "init", "--config", config, "--sender-name", "Lucía \"La Traductora\" Martín", "--sender-email", "cobros@lucia.example",
            "--iban", "ES91 2100 0418 4502 0005 1332", "--tax-id", "12345678Z", "--address", "Calle Mayor 1, 28013 Madrid",
        ])
        let text = try String(contentsOfFile: config, encoding: .utf8)
        #expect(text.contains("legal_name = \"Lucía \\\"La Traductora\\\" Martín\"") && text.contains("tax_id = \"12345678Z\""), "\(text)")
        #expect(text.contains("address = \"Calle Mayor 1, 28013 Madrid\"") && text.contains("GBP = \"1.00\""), "\(text)")
        _ = try workspace.succeed(["client", "add", "ACME", "--name", "Acme", "--email", "pagos@acme.example", "--country", "ES", "--config", config])
        _ = try workspace.succeed(["invoice", "add", "F-1", "--client", "ACME", "--concept", "Work", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "100", "--config", config])
        let notice = try workspace.succeed(["preview", "--client", "ACME", "--stage", "formal-notice", "--format", "text", "--config", config])
        #expect(notice.contains("Lucía \"La Traductora\" Martín, NIF 12345678Z") && notice.contains("Calle Mayor 1, 28013 Madrid"), "\(notice)")
    }

    /// Only the formal and final notices said how the client's data is processed; whichever
    /// message comes first must (data-protection note). A part received was thanked without
    /// reserving interest and costs (Civil Code 1110).
    @Test func everyMessageCarriesThePrivacyNoticeAndAPartPaymentReservesInterest() throws {
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "500", "--date", "2026-11-20"])
        for (client, stage, privacy) in [
            ("ACME", "before-due", "trata sus datos para gestionar la facturación y el cobro"), ("ACME", "reminder-1", "trata sus datos"),
            ("BRIT", "due", "Your details are processed by"), ("BRIT", "thank-you", "Your details are processed by"),
        ] {
            for format in ["text", "html"] {
                let message = try workspace.succeed(["preview", "--client", client, "--stage", stage, "--format", format])
                #expect(message.contains(privacy), "\(client) \(stage) \(format): \(message)")
            }
        }
        for format in ["text", "html"] {
            let reminder = try workspace.succeed(["preview", "--client", "ACME", "--stage", "reminder-1", "--format", format])
            #expect(reminder.contains("recibidos 500,00") && reminder.contains("sin renuncia a los intereses de demora"), "\(reminder)")
        }
        #expect(!(try workspace.succeed(["preview", "--client", "BRIT", "--stage", "reminder-1", "--format", "text"])).contains("on account"))
    }

    /// A dispute the client partly won (the owner was late too) could not end without the 40 €
    /// compensation, which the law does not give when the debtor is not to blame.
    @Test func aDisputeCanCloseWaivingTheCompensation() throws {
        _ = try workspace.succeed(["negotiation", "open", "dispute", "ACME", "--invoice", "F-1", "--reason", "Chapter 3 late"])
        let closed = try workspace.succeed(["negotiation", "close", "1", "--outcome", "resolved", "--waive-compensation"])
        #expect(closed.contains("No compensation is claimed on F-1 from now on."), "\(closed)")
        let interest = try workspace.succeed(["interest", "F-1", "--as-of", "2026-11-30"])
        #expect(interest.contains("compensation waived in a negotiation") && !interest.contains("40.00 EUR"), "\(interest)")
        #expect(try workspace.succeed(["preview", "--client", "ACME", "--stage", "formal-notice", "--format", "text"]).contains("Intereses"))
    }

    /// A negotiation opened by mistake and withdrawn never took effect: its waiver does not
    /// cost the owner the interest and compensation the law grants.
    @Test func aWithdrawnNegotiationsWaiverDoesNotHold() throws {
        _ = try workspace.succeed(["negotiation", "open", "promise", "ACME", "--invoice", "F-1", "--until", "2026-12-20", "--waive-interest", "--waive-compensation"])
        #expect(try workspace.succeed(["interest", "F-1", "--as-of", "2026-11-30"]).contains("interest waived in a negotiation"))
        _ = try workspace.succeed(["negotiation", "close", "1", "--outcome", "withdrawn", "--note", "opened on the wrong client"])
        let interest = try workspace.succeed(["interest", "F-1", "--as-of", "2026-11-30"])
        #expect(!interest.contains("waived") && interest.contains("Compensation:  40.00 EUR"), "\(interest)")
    }

    /// A waiver of interest given with a plan the client then broke held for ever; the law
    /// lets interest run on the instalments missed (here the second, 1,000.00 due 15 November).
    @Test func aBrokenPlansWaiverLeavesTheInterestOnTheMissedInstalments() throws {
        _ = try workspace.succeed([
            "negotiation", "open", "plan", "ACME", "--invoice", "F-1", "--instalment", "2026-10-15:815.00", "--instalment", "2026-11-15:1000.00",
            "--waive-interest",
        ])
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "815.00", "--date", "2026-10-15"])
        #expect(try workspace.succeed(["interest", "F-1", "--as-of", "2026-11-30"]).contains("interest waived in a negotiation"))
        _ = try workspace.succeed(["negotiation", "close", "1", "--outcome", "broken"])
        let interest = try workspace.succeed(["interest", "F-1", "--as-of", "2026-11-30"])
        // 1,000.00 x 10.15% x 15 days (16 to 30 November) / 365 = 4.17
        #expect(interest.contains("2026-11-16  2026-11-30    15  1000.00 EUR   10.15") && interest.contains("Interest:      4.17 EUR"), "\(interest)")
        #expect(interest.contains("it runs on the agreed payments that fell due and were not made"), "\(interest)")
    }

    /// A rehearsal could not date a negotiation: a dispute resolved "between the 15th and the
    /// 16th" was stamped with the real day, and the passes after it went on from that.
    @Test func aRehearsalRecordsANegotiationOnTheRehearsedDay() throws {
        _ = try workspace.succeed([
            "negotiation", "open", "dispute", "ACME", "--invoice", "F-1", "--reason", "Hours", "--at", "2026-12-15T10:00:00+01:00", "--rehearsal",
        ])
        _ = try workspace.succeed(["negotiation", "close", "1", "--outcome", "resolved", "--at", "2026-12-15T18:30:00+01:00", "--rehearsal"])
        #expect(try workspace.sqlite("SELECT opened_at, closed_at FROM negotiation").standardOutput == "2026-12-15T09:00:00Z|2026-12-15T17:30:00Z\n")
        // A payment on the rehearsed day is not "in the future" there.
        #expect(try workspace.run(["payment", "add", "F-1", "--amount", "100", "--date", "2026-12-15"]).standardError.contains("cannot be in the future"))
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "100", "--date", "2026-12-15", "--at", "2026-12-15T19:00:00+01:00", "--rehearsal"])
        // Recorded then, too: the digest reports payments from when they were recorded.
        #expect(try workspace.sqlite("SELECT value_date, created_at FROM payment").standardOutput == "2026-12-15|2026-12-15T18:00:00Z\n")
    }

    /// An invoice paid in full, but late, still owes its interest and compensation: the
    /// evidence statement left it out of what is claimable, as if paying settled them.
    @Test func theEvidenceStatementClaimsWhatAnInvoicePaidLateStillOwes() throws {
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "1815.00", "--date", "2026-11-20"])
        let out = workspace.directory.file("acme-evidence")
        _ = try workspace.succeed(["evidence", "ACME", "--out", out])
        let statement = try String(contentsOfFile: out + "/statement.txt", encoding: .utf8)
        // 1,815.00 x 10.15% x 50 days (2 October to 20 November) / 365 = 25.24
        #expect(statement.contains("F-1 (es-business): principal 0,00\u{00A0}€, intereses 25,24\u{00A0}€, indemnización 40,00\u{00A0}€"), "\(statement)")
    }

    /// In a rehearsal the statement said "as of" the real day, with the interest to then.
    @Test func aRehearsedEvidenceExportIsAsOfTheRehearsedDay() throws {
        let out = workspace.directory.file("acme-evidence")
        #expect(try workspace.run(["evidence", "ACME", "--out", out, "--at", "2026-12-31T12:00:00+01:00"]).standardError.contains("add --rehearsal there"))
        _ = try workspace.succeed(["evidence", "ACME", "--out", out, "--at", "2026-12-31T12:00:00+01:00", "--rehearsal"])
        let statement = try String(contentsOfFile: out + "/statement.txt", encoding: .utf8)
        let interest = try workspace.succeed(["interest", "F-1", "--as-of", "2026-12-31", "--json"])
        let owed = try #require(((try JSONSerialization.jsonObject(with: Data(interest.utf8)) as? [String: Any])?["interest"] as? [String: Any])?["amount"] as? String)
        // 1,815.00 x 10.15% x 91 days (2 October to 31 December) / 365 = 45.93
        #expect(owed == "45.93")
        #expect(statement.contains("A fecha de 31 de diciembre de 2026"), "\(statement)")
        #expect(statement.contains("F-1 (es-business): principal 1815,00\u{00A0}€, intereses 45,93\u{00A0}€, indemnización 40,00\u{00A0}€"), "\(statement)")
        // The index, like the statement, in the owner's language (trial finding: it was in English).
        let index = try String(contentsOfFile: out + "/index.txt", encoding: .utf8)
        // It says when it was really made, and the moment the statement is as of.
        #expect(index.contains(", a fecha de 2026-12-31T11:00:00Z") && !index.contains("exportadas el 2026-12-31"), "\(index)")
        #expect(index.contains("Mensajes (archivo, estado, Message-ID, SHA-256):"), "\(index)")
    }

    /// An installation's templates are the copy `init` made: an older copy lacks what later
    /// versions say to clients, and nothing told the owner.
    @Test func checkSaysWhenTheTemplatesPredateThePrivacyNotice() throws {
        #expect(!(try workspace.succeed(["check"])).contains("copied from an earlier cobrador"))
        try FileManager.default.removeItem(atPath: workspace.directory.file("templates/es/partials/privacy.text.mustache"))
        // The copy as an earlier version made it: no partial, and no template naming it.
        for name in ["before-due", "due", "reminder-1", "reminder-2", "formal-notice", "final-notice", "instalment-reminder", "plan-broken", "promise-broken", "thank-you"] {
            let path = workspace.directory.file("templates/es/\(name).text.mustache")
            try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "{{> es/partials/privacy.text}}", with: "").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let old = try workspace.run(["check"])
        #expect(old.standardOutput.contains("was copied from an earlier cobrador") && old.standardOutput.contains("diff -r"), "\(old.standardOutput) \(old.standardError)")
    }
}
