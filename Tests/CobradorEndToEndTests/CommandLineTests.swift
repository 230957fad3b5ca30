import CobradorTestSupport
import Foundation
import Testing

/// The real binary, run as an owner would run it.
@Suite struct CommandLineTests {
    let workspace: CobradorWorkspace

    init() throws {
        workspace = try CobradorWorkspace()
        try workspace.seed()
    }

    @Test func initNeverOverwrites() throws {
        let before = workspace.ledgerBytes()
        let again = try workspace.run(["init"])
        #expect(again.status != 0)
        #expect(again.standardError.contains("nothing was written"))
        #expect(again.standardError.contains(workspace.configPath))
        #expect(workspace.ledgerBytes() == before)
    }

    /// A London agency sets up in one command: its payment page and its language, not Spanish.
    @Test func initTakesThePaymentLinkAndTheOwnersLanguage() throws {
        let config = workspace.directory.file("london/cobrador.toml")
        try workspace.succeed([
            "init", "--config", config, "--sender-name", "Hollis & Finch Ltd", "--sender-email", "accounts@hollis.example", "--time-zone", "Europe/London",
            "--currency", "EUR", "--iban", "GB82 WEST 1234 5698 7654 32", "--payment-link", "https://pay.example.com/hollis", "--language", "en",
        ])
        let text = try String(contentsOfFile: config, encoding: .utf8)
        #expect(text.contains("payment_link = \"https://pay.example.com/hollis\"") && text.contains("language = \"en\""), "\(text)")
        #expect(try workspace.run(["init", "--config", workspace.directory.file("x/cobrador.toml"), "--language", "fr"]).standardError.contains("--language"))
    }

    /// The ledger moved or lost, the configuration kept: the error says how to start afresh,
    /// and that way works without touching the configuration.
    @Test func aMissingLedgerIsCreatedAloneForTheConfigurationThatNamesIt() throws {
        let ledger = workspace.directory.file("ledger.sqlite")
        try FileManager.default.removeItem(atPath: ledger)
        let status = try workspace.run(["status"])
        #expect(status.status != 0 && status.standardError.contains("no ledger at \(ledger)") && status.standardError.contains("`cobrador init --ledger-only`"), "\(status.standardError)")
        let configuration = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        #expect(try workspace.succeed(["init", "--ledger-only"]).contains("Created \(ledger) (an empty ledger)"))
        #expect(try String(contentsOfFile: workspace.configPath, encoding: .utf8) == configuration)
        #expect(try workspace.succeed(["status"]).contains("Nothing is owed"))
        #expect(try workspace.run(["init", "--ledger-only"]).standardError.contains("already exists; cobrador never overwrites a ledger"))
    }

    @Test func checkPassesOnWhatInitWrote() throws {
        try workspace.succeed(["client", "add", "EIRE", "--name", "Éire Ltd", "--email", "ap@eire.example", "--country", "IE"])
        try workspace.succeed(["client", "add", "VLC", "--name", "Taller València", "--email", "ap@vlc.example", "--country", "ES", "--region", "ES-VC"])
        let output = try workspace.succeed(["check"])
        // Init lists Spain's and Britain's holidays; a client in Ireland would get mail on Christmas Day,
        // one in Valencia on its own holidays.
        #expect(output.contains("Warning: no [policy.holidays] for IE (EIRE): messages may go out on its public holidays"), "\(output)")
        #expect(output.contains("Warning: no [policy.holidays] for ES-VC (VLC): messages may go out on its public holidays"), "\(output)")
        #expect(!output.contains("holidays] for ES (") && !output.contains("holidays] for GB ("))
        #expect(output.contains("schema 5, 4 clients, 3 unpaid open invoices"))
        #expect(output.contains("every e-mail stage has a subject and a text in es and en"))
    }

    /// The long help is wrapped once, at the terminal's width: no sentence broken in two
    /// where the source happened to wrap it ("the empty ledger" / "an existing configuration").
    @Test func helpReadsInWholeLines() throws {
        let help = try workspace.succeed(["init", "--help"])
        #expect(help.contains("--ledger-only creates just the empty"), "\(help)")
        #expect(!help.contains("ledger\nan existing configuration names"), "\(help)")
        #expect(help.contains("\nExamples:\n  cobrador init --config"), "\(help)")
    }

    @Test func checkNamesLineAndKeyOfABadConfiguration() throws {
        var text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "minimum_gap_days = 1", with: "minimum_gap_dayz = 1")
        try text.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("minimum_gap_dayz") }! + 1
        let result = try workspace.run(["check"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(workspace.configPath):\(line): policy.minimum_gap_dayz: unknown key; did you mean \"minimum_gap_days\"?"))
    }

    @Test func aStageWithoutItsTemplateIsReportedAtItsLine() throws {
        var text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "name = \"reminder-2\"", with: "name = \"reminder-3\"")
        try text.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0 == "name = \"reminder-3\"" }! + 1
        let result = try workspace.run(["check"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(workspace.configPath):\(line): cadence.stage[3].name: no template \"reminder-3\""))
        // Commands that send nothing still work.
        #expect(try workspace.run(["client", "list"]).status == 0)
    }

    /// A negotiation message is no cadence stage, but a missing one would hold that client's
    /// escalation back on the day it is due: `run` refuses to start without it, as `check` says.
    @Test func aMissingTemplateIsReportedByPathAndStopsARun() throws {
        let path = workspace.directory.file("templates/es/promise-broken.text.mustache")
        try FileManager.default.removeItem(atPath: path)
        let result = try workspace.run(["check"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(path): missing: the promise-broken message"), "\(result.standardError)")
        let run = try workspace.run(["run", "--once", "--rehearsal", "--at", "2026-11-30T10:00:00+01:00"])
        #expect(run.status != 0 && run.standardError.contains("\(path): missing: the promise-broken message"), "\(run.standardError)")
        let delivered = (try? FileManager.default.contentsOfDirectory(atPath: workspace.directory.file("maildir/new"))) ?? []
        #expect(delivered.isEmpty, "sent with a template missing: \(delivered)")
    }

    @Test(arguments: [
        (["client", "add", "EVIL", "--name", "Evil\r\nBcc: x@y.example", "--email", "a@b.example", "--country", "ES"], "--name: "),
        (["client", "add", "X1", "--name", "X", "--email", "not-an-email", "--country", "ES"], "--email: \"not-an-email\" is not valid"),
        (["client", "add", "ACME", "--name", "X", "--email", "a@b.example", "--country", "ES"], "a client with code \"ACME\" already exists"),
        (["client", "add", "X2", "--name", "X", "--email", "a@b.example", "--country", "XX"], "--country: "),
        (["invoice", "add", "F-1", "--client", "ACME", "--concept", "x", "--due", "2026-12-01", "--amount", "5"], "an invoice numbered \"F-1\" already exists"),
        (["invoice", "add", "F-9", "--client", "NOPE", "--concept", "x", "--due", "2026-12-01", "--amount", "5"], "no client with code \"NOPE\""),
        (["invoice", "add", "F-9", "--client", "ACME", "--concept", "x", "--due", "2026-12-01", "--amount=-5"], "--amount: \"-5\" is not valid: the amount must be greater than zero"),
        (["invoice", "add", "F-9", "--client", "ACME", "--concept", "x", "--due", "2026-12-01", "--amount", "five"], "--amount: \"five\" is not valid"),
        (["invoice", "add", "F-9", "--client", "ACME", "--concept", "x", "--due", "2026-12-01", "--amount", "5", "--currency", "EUT"], "--currency: \"EUT\" is not valid"),
        (["invoice", "add", "F-9", "--client", "ACME", "--concept", "x", "--due", "2026-02-30", "--amount", "5"], "--due: \"2026-02-30\" is not valid"),
        (["invoice", "add", "F-9", "--client", "ACME", "--concept", "x\ny", "--due", "2026-12-01", "--amount", "5"], "--concept: "),
        (["invoice", "add", "F-9", "--client", "ACME", "--concept", "x", "--due", "2026-12-01", "--amount", "-5"], "--amount: \"-5\" is not valid: the amount must be greater than zero"),
        (["payment", "add", "F-1", "--amount", "-10"], "--amount: \"-10\" is not valid: the amount must be greater than zero"),
        (["payment", "add", "F-1", "--amount", "2000"], "more than the 1815.00 EUR still owed"),
        (["payment", "add", "F-404", "--amount", "1"], "no invoice numbered \"F-404\""),
        (["negotiation", "open", "promise", "ACME"], "a promise needs --until"),
        (["negotiation", "close", "99", "--outcome", "kept"], "no negotiation #99"),
        (["negotiation", "close", "1", "--outcome", "kept", "--at", "2027-01-01T10:00:00Z"], "--at is more than an hour from the clock"),
        (["negotiation", "open", "promise", "ACME", "--until", "2027-01-20", "--at", "tomorrow", "--rehearsal"], "--at: \"tomorrow\" is not valid"),
        (["negotiation", "close", "1", "--outcome", "withdrawn", "--waive-compensation"], "a withdrawn negotiation never took effect, so no waiver goes with it"),
        (["negotiation", "close", "1", "--outcome", "broken", "--waive-interest"], "a broken agreement's interest runs on what it left unpaid"),
        (["contact", "add", "ACME", "--channel", "pigeon", "--summary", "x"], "--channel: \"pigeon\" is not valid: expected one of: email, phone, letter, other"),
        (["payment", "add", "F-1", "--amount", "1", "--date", "2026-08-01"], "before invoice F-1 was issued"),
        (["payment", "add", "F-1", "--amount", "1", "--date", "2099-01-01"], "a payment's value date cannot be in the future"),
        (["invoice", "add", "F-9", "--client", "ACME", "--concept", "x", "--due", "9999-12-30", "--amount", "5"], "expected a date between 2000-01-01 and 2099-12-31"),
        (["negotiation", "open", "promise", "ACME", "--until", "2020-01-01"], "a promised date cannot be before"),
        (["negotiation", "open", "dispute", "ACME", "--reason", "x", "--review", "2020-01-01"], "a review date cannot be before"),
        (["client", "pause", "ACME", "--reason", "x", "--until", "2020-01-01"], "the end of a pause cannot be before"),
        (["client", "edit", "ACME"], "nothing to change"),
        (["client", "resume", "ACME"], "client ACME is not paused; there is nothing to resume"),
        (["log", "--status", "recorded"], "tasks and transitions are in the sent log"),
        (["client", "edit", "ACME", "--region", "GB-SCT"], "--region: \"GB-SCT\" is not valid: expected a region code of ES"),
        (["client", "add", "X3", "--email", "a@b.example", "--country", "ES"], "--name is required"),
    ])
    func badInputIsRefusedWithItsReasonAndTheLedgerStaysAsItWas(arguments: [String], message: String) throws {
        let before = try workspace.sqlite("SELECT count(*) FROM client; SELECT count(*) FROM client_email; SELECT count(*) FROM invoice; SELECT count(*) FROM payment; SELECT count(*) FROM negotiation; SELECT count(*) FROM contact;").standardOutput
        let result = try workspace.run(arguments)
        #expect(result.status != 0)
        #expect(result.standardError.contains(message), "stderr was: \(result.standardError)")
        let after = try workspace.sqlite("SELECT count(*) FROM client; SELECT count(*) FROM client_email; SELECT count(*) FROM invoice; SELECT count(*) FROM payment; SELECT count(*) FROM negotiation; SELECT count(*) FROM contact;").standardOutput
        #expect(after == before)
    }

    @Test func theOwnersDayOfWork() throws {
        try workspace.succeed(["payment", "add", "F-1", "--amount", "815.00", "--date", "2026-10-20", "--reference", "TRF 1"])
        try workspace.succeed(["client", "edit", "ACME", "--email", "facturas@acme.example", "--email", "cfo@acme.example", "--region", "es-md"])
        try workspace.succeed(["client", "pause", "BRIT", "--reason", "Call in January", "--until", "2027-01-10"])
        let plan = try workspace.succeed(["negotiation", "open", "plan", "ACME", "--instalment", "2026-12-15:600", "--instalment", "2027-01-15:700"])
        #expect(plan.contains("covering F-1, F-2"))
        try workspace.succeed(["contact", "add", "ACME", "--channel", "phone", "--summary", "Agreed two instalments with Marta", "--date", "2026-11-28"])

        let client = try JSONSerialization.jsonObject(with: Data(try workspace.succeed(["client", "show", "ACME", "--json"]).utf8)) as! [String: Any]
        #expect(client["emails"] as? [String] == ["facturas@acme.example", "cfo@acme.example"])
        #expect(client["region"] as? String == "ES-MD")
        #expect((client["negotiations"] as? [[String: Any]])?.first?["kind"] as? String == "plan")
        #expect((client["contacts"] as? [[String: Any]])?.first?["summary"] as? String == "Agreed two instalments with Marta")
        // In the table, in the owner's time zone like every other table (a day's contact is at its noon).
        #expect(try workspace.succeed(["client", "show", "ACME"]).contains("2026-11-28 12:00  phone"))

        let invoice = try JSONSerialization.jsonObject(with: Data(try workspace.succeed(["invoice", "show", "F-1", "--json"]).utf8)) as! [String: Any]
        #expect((invoice["balance"] as? [String: Any])?["amount"] as? String == "1000.00")
        #expect((invoice["payments"] as? [[String: Any]])?.first?["reference"] as? String == "TRF 1")

        let status = try JSONSerialization.jsonObject(with: Data(try workspace.succeed(["status", "--as-of", "2026-11-29", "--json"]).utf8)) as! [String: Any]
        let lines = status["clients"] as! [[String: Any]]
        let acme = lines.first { $0["client"] as? String == "ACME" }!
        #expect(acme["negotiations"] as? [String] == ["plan"])
        #expect(((acme["buckets"] as? [String: Any])?["31-60"] as? [String: Any])?["amount"] as? String == "1000.00")
        #expect(((acme["buckets"] as? [String: Any])?["current"] as? [String: Any])?["amount"] as? String == "300.00")
        let brit = lines.first { $0["client"] as? String == "BRIT" }!
        #expect(brit["paused"] as? Bool == true)
        #expect(((brit["buckets"] as? [String: Any])?["90+"] as? [String: Any])?["amount"] as? String == "640.00")

        let table = try workspace.succeed(["status", "--as-of", "2026-11-29"])
        #expect(table.contains("TOTAL") && table.contains("1300.00") && table.contains("640.00"))
    }

    @Test func aLedgerFromTheFutureIsRefusedByEveryCommand() throws {
        #expect(try workspace.sqlite("PRAGMA user_version = 7;").status == 0)
        let before = workspace.ledgerBytes()
        for command in [["status"], ["client", "list"], ["check"], ["payment", "add", "F-1", "--amount", "1"]] {
            let result = try workspace.run(command)
            #expect(result.status != 0)
            #expect(result.standardError.contains("was written by a newer cobrador (ledger schema 7; this version knows up to 5). It was not touched"))
        }
        #expect(workspace.ledgerBytes() == before)
    }

    @Test func importIsAllOrNothingThroughTheBinary() throws {
        let csv = workspace.directory.write("invoices.csv", """
            number,client,concept,issue_date,due_date,amount
            N-1,ACME,Fine,2026-10-01,2026-11-01,100.00
            N-2,ACME,Bad date,2026-10-01,2026-11-31,100.00

            """)
        let result = try workspace.run(["import", "invoices", csv])
        #expect(result.status == 1)
        #expect(result.standardError.contains("nothing was imported; 1 problem to fix"))
        #expect(result.standardError.contains("line 3, column due_date: \"2026-11-31\" is not valid"))
        #expect(!(try workspace.succeed(["invoice", "list"])).contains("N-1"))
        let fixed = try String(contentsOfFile: csv, encoding: .utf8).replacingOccurrences(of: "2026-11-31", with: "2026-11-30")
        try fixed.write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try workspace.succeed(["import", "invoices", csv]).contains("2 rows, 2 added"))
        #expect(try workspace.succeed(["import", "invoices", csv]).contains("2 rows, 0 added, 0 updated, 2 unchanged"))

        // A changed amount is not applied: the rest is imported and the exit status says to look.
        let changed = try String(contentsOfFile: csv, encoding: .utf8).replacingOccurrences(of: "N-1,ACME,Fine,2026-10-01,2026-11-01,100.00", with: "N-1,ACME,Fine,2026-10-01,2026-11-01,120.00")
            + "N-3,ACME,New,2026-10-01,2026-11-01,50.00\n"
        try changed.write(toFile: csv, atomically: true, encoding: .utf8)
        let partial = try workspace.run(["import", "invoices", csv])
        #expect(partial.status == 2)
        #expect(partial.standardOutput.contains("3 rows, 1 added, 0 updated, 1 unchanged, 1 differ from the ledger (not applied)"))
        #expect(partial.standardError.contains("line 2: invoice N-1 is already in the ledger with amount 100.00 EUR in the ledger, 120.00 EUR in the file"))
        #expect(try workspace.succeed(["invoice", "show", "N-1"]).contains("100.00 EUR"))
    }

    @Test func checkRefusesTheExampleSenderAndUnknownProfileClients() throws {
        let other = CobradorWorkspace.binary
        let folder = TemporaryDirectory()
        let config = folder.file("cobrador.toml")
        #expect(try ProcessResult.run(other, ["init", "--config", config]).status == 0)
        try (try String(contentsOfFile: config, encoding: .utf8) + "\n[[profile]]\nname = \"gentle\"\nclients = [\"NOSUCH\"]\n[[profile.stage]]\nname = \"due\"\noffset_days = 0\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let result = try ProcessResult.run(other, ["check", "--config", config])
        #expect(result.status == 1)
        #expect(result.standardError.contains("still has the example sender"))
        #expect(result.standardError.contains("profile \"gentle\": no client with code \"NOSUCH\""))
    }

    @Test func aLargeImportShowsProgressOnATerminalOnly() throws {
        var csv = "number,client,concept,issue_date,due_date,amount\n"
        for index in 0..<2500 { csv += "P-\(index),ACME,Work,2026-10-01,2026-11-01,10.00\n" }
        let file = workspace.directory.write("many.csv", csv)
        let piped = try workspace.run(["import", "invoices", file])
        #expect(piped.status == 0 && !piped.standardError.contains("importing"))
        try workspace.succeed(["init", "--config", workspace.directory.file("tty/cobrador.toml")])
        try workspace.succeed(["client", "add", "ACME", "--name", "Acme", "--email", "a@acme.example", "--country", "ES", "--config", workspace.directory.file("tty/cobrador.toml")])
        // script(1) gives the command a terminal, as an owner typing it would.
        let command = "\(CobradorWorkspace.binary) import invoices \(file) --config \(workspace.directory.file("tty/cobrador.toml"))"
        let onTerminal = try ProcessResult.run("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(onTerminal.status == 0)
        #expect(onTerminal.standardOutput.contains("importing: 2500 of 2500 rows"))
        #expect(onTerminal.standardOutput.contains("2500 rows, 2500 added"))
    }

    @Test func planForecastsInTheClientsTimeAndExplains() throws {
        // A day alone is its start in the owner's time zone, as `status --as-of` takes a day.
        #expect(try workspace.succeed(["plan", "--at", "2026-12-07", "--days", "3"]) == workspace.succeed(["plan", "--at", "2026-12-07T00:00:00+01:00", "--days", "3"]))
        try workspace.succeed(["client", "edit", "BRIT", "--time-zone", "Europe/London"])
        let at = "2026-11-30T09:00:00+01:00"  // a Monday
        let table = try workspace.succeed(["plan", "--at", at, "--days", "10"])
        let lines = table.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(6).joined(separator: " ") }
        #expect(lines == [
            "2026-11-30 09:00 Europe/Madrid ACME e-mail reminder-1",
            "2026-11-30 09:00 Europe/London BRIT e-mail reminder-1",
            "2026-12-01 09:00 Europe/Madrid ACME e-mail due",
            "2026-12-08 09:00 Europe/London BRIT e-mail reminder-2",
            "2026-12-09 09:00 Europe/Madrid ACME e-mail reminder-2",  // 8 December is a Spanish holiday
            "2026-12-10 09:00 Europe/Madrid ACME e-mail reminder-1",
        ])
        let json = try JSONSerialization.jsonObject(with: Data(try workspace.succeed(["plan", "--at", at, "--days", "1", "--client", "BRIT", "--json"]).utf8)) as! [[String: Any]]
        #expect(json.count == 1)
        #expect(json.first?["at"] as? String == "2026-11-30T09:00:00Z")
        #expect(json.first?["invoices"] as? [String] == ["F-3"])

        try workspace.succeed(["client", "pause", "ACME", "--reason", "Owner in hospital", "--until", "2099-01-01"])
        let explained = try workspace.succeed(["plan", "--explain", "F-1", "--at", at])
        #expect(explained.contains("not chased today: client paused (Owner in hospital) until 2099-01-01"))
        #expect(!(try workspace.succeed(["plan", "--at", at])).contains("ACME"))
    }

    @Test func previewPrintsTheBytesAStrictParserAccepts() throws {
        // A company is greeted as one; a person by name (escaped in HTML).
        #expect(try workspace.succeed(["preview", "--client", "ACME", "--stage", "reminder-1", "--format", "text"]).hasPrefix("Estimado cliente:\n"))
        try workspace.succeed(["client", "edit", "ACME", "--name", "Peña & Muñoz <script>alert(1)</script>", "--kind", "self-employed"])
        let eml = try workspace.run(["preview", "--client", "ACME", "--stage", "reminder-1"])
        #expect(eml.status == 0, "\(eml.standardError)")
        let file = workspace.directory.write("preview.eml", eml.standardOutput)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/check-mime.py").path
        let parsed = try ProcessResult.run("/usr/bin/python3", [script, file])
        let result = try #require((try JSONSerialization.jsonObject(with: Data(parsed.standardOutput.utf8)) as? [[String: Any]])?.first)
        #expect(result["defects"] as? [String] == [])
        #expect(result["to"] as? String == "Peña & Muñoz <script>alert(1)</script> <pagos@acme.example>")
        #expect((result["subject"] as? String)?.hasPrefix("Factura F-1 de ") == true, "\(result)")
        let parts = result["parts"] as! [[String: Any]]
        let text = parts[1]["text"] as! String
        #expect(text.contains("Estimado/a Peña & Muñoz <script>alert(1)</script>:"))
        #expect(text.contains("1815,00\u{00A0}€"))
        #expect(text.contains("Transferencia a la cuenta ES91 2100 0418 4502 0005 1332"))
        let html = parts[2]["text"] as! String
        #expect(html.contains("Peña &amp; Muñoz &lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"))
        #expect(try workspace.succeed(["preview", "--client", "BRIT", "--stage", "due", "--format", "text"]).hasPrefix("Hello,\n"))

        // A negotiation message carries its negotiation's dates.
        try workspace.succeed(["negotiation", "open", "promise", "ACME", "--until", "2099-03-15"])
        let broken = try workspace.succeed(["preview", "--client", "ACME", "--stage", "promise-broken", "--format", "text"])
        #expect(broken.contains("antes del\n15 de marzo de 2099") || broken.contains("15 de marzo de 2099"))
        try workspace.succeed(["negotiation", "close", "1", "--outcome", "withdrawn"])

        // Earlier messages about the same invoices thread the new one under them.
        #expect(try workspace.sqlite("""
            INSERT INTO contact (id, client_id, stage, channel, status, message_id, occurred_at) VALUES
                (1, 1, 'before-due', 'email', 'sent', 'cobrador.1.1@lucia.example', '2026-09-28T08:00:00Z'),
                (2, 1, 'due', 'email', 'sent', 'cobrador.2.2@lucia.example', '2026-10-01T08:00:00Z'),
                (3, 1, 'due', 'email', 'failed', 'cobrador.3.3@lucia.example', '2026-10-02T08:00:00Z');
            INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (1, 1), (2, 1), (3, 1);
            """).status == 0)
        let threaded = try workspace.succeed(["preview", "--client", "ACME", "--stage", "reminder-1"])
        #expect(threaded.contains("In-Reply-To: <cobrador.2.2@lucia.example>"))
        #expect(threaded.contains("References: <cobrador.1.1@lucia.example> <cobrador.2.2@lucia.example>"))
    }

    @Test func checkNamesWhatAnEditedFormalNoticeLeftOut() throws {
        let file = workspace.directory.file("templates/es/formal-notice.text.mustache")
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "{{deadline}}", with: "pronto")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try workspace.run(["check"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(workspace.directory.file("templates/es/formal-notice")): a formal notice must state a deadline ({{deadline}}) in its text part"))
        let html = workspace.directory.file("templates/es/formal-notice.html.mustache")
        try String(contentsOfFile: html, encoding: .utf8).replacingOccurrences(of: "{{> es/partials/payment.html}}", with: "")
            .write(toFile: html, atomically: true, encoding: .utf8)
        #expect(try workspace.run(["check"]).standardError.contains("a formal notice must state how to pay ({{payment.iban}} or {{payment.link}}) in its html part"))
        try (text + "\n{{sender.nmae}}\n").write(toFile: file, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").count + 1
        #expect(try workspace.run(["check"]).standardError.contains("\(file):\(line): {{sender.nmae}} is not in the template context"))
    }

    @Test(arguments: [
        ["init"], ["check"], ["client", "add"], ["client", "list"], ["client", "show"], ["client", "edit"], ["client", "pause"],
        ["client", "resume"], ["invoice", "add"], ["invoice", "list"], ["invoice", "show"], ["invoice", "void"], ["invoice", "write-off"],
        ["invoice", "pause"], ["invoice", "resume"], ["payment", "add"], ["payment", "list"], ["negotiation", "open"],
        ["negotiation", "close"], ["negotiation", "list"], ["contact", "add"], ["import"], ["status"], ["plan"], ["preview"], ["run"], ["log"], ["interest"], ["evidence"], ["send-test"],
        ["payment", "edit"], ["payment", "remove"], ["invoice", "edit"], ["resolve"],
    ])
    func everyCommandHasHelpWithAnExample(command: [String]) throws {
        let result = try workspace.run(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("cobrador \(command.joined(separator: " "))"), "help of \(command) shows no example")
        // An example wrapped at the help's 80 columns would be copied as a command cut short:
        // each fits on its line, or goes on after a backslash on an indented one.
        let lines = result.standardOutput.components(separatedBy: "\n").prefix { !$0.hasPrefix("USAGE:") }
        for (line, next) in zip(lines, lines.dropFirst()) where line.hasPrefix("  ") && line.contains("cobrador ") && !line.hasSuffix("\\") {
            #expect(next.isEmpty || next.hasPrefix("  ") || next.hasSuffix(":"), "help of \(command) breaks an example: \(line) / \(next)")
        }
        for (line, next) in zip(lines, lines.dropFirst()) where line.hasSuffix("\\") {
            #expect(next.hasPrefix("    "), "help of \(command) continues an example unindented: \(next)")
        }
    }
}
