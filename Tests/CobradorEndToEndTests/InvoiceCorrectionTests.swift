import CobradorTestSupport
import Foundation
import Testing

/// `cobrador invoice edit`: an invoice entered with a wrong amount or date is corrected in
/// place (an import only reports the difference), through the real binary.
@Suite(.serialized) struct InvoiceCorrectionTests {
    let workspace: CobradorWorkspace
    let monday = CobradorWorkspace.monday

    init() throws {
        workspace = try .seeded()
    }

    func sqlite(_ sql: String) throws -> String {
        try workspace.sqlite(sql).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func relay(_ server: SMTPTestServer) throws {
        try workspace.editConfiguration {
            $0.replacingOccurrences(of: "kind = \"maildir\"", with: "kind = \"smtp\"")
                .replacingOccurrences(of: "# [transport.smtp]", with: "[transport.smtp]\nhost = \"127.0.0.1\"\nport = \(server.port)\ntls = \"none\"")
                .replacingOccurrences(of: #"port = \d+"#, with: "port = \(server.port)", options: .regularExpression)
        }
    }

    /// A reminder quoting the wrong amount waits for a retry; once the amount is corrected,
    /// that retry is withdrawn and the reminder that goes out quotes the corrected one.
    @Test func theRetryWaitingWithTheWrongAmountIsWrittenAgainFromTheCorrectedInvoice() throws {
        let deferring = try SMTPTestServer(behaviour: "data-452")
        try relay(deferring)
        let first = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(first.contains("2 deferred"), "\(first)")

        let corrected = try workspace.succeed(["invoice", "edit", "F-1", "--amount", "1518.00", "--due", "2026-10-05"])
        #expect(corrected.contains("Corrected invoice F-1: 1518.00 EUR, due 2026-10-05; 1518.00 EUR owed."), "\(corrected)")
        #expect(corrected.contains("1 message about it waiting for a retry was withdrawn"), "\(corrected)")
        #expect(try sqlite("SELECT gross_minor || ' ' || due_date FROM invoice WHERE number = 'F-1'") == "151800 2026-10-05")
        let history = try workspace.succeed(["client", "show", "ACME"])
        #expect(history.contains("invoice F-1 corrected: amount 1815.00 EUR is now 1518.00 EUR; due date 2026-10-01 is now 2026-10-05"), "\(history)")
        let cancelled = try workspace.succeed(["log", "--status", "cancelled"])
        #expect(cancelled.contains("invoice F-1 was corrected since it was written"), "\(cancelled)")

        let accepting = try SMTPTestServer()
        try relay(accepting)
        let second = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:05:00+01:00"])
        let toACME = try accepting.received().map { String(decoding: $0.bytes, as: UTF8.self).quotedPrintableDecoded }.filter { $0.contains("pagos@acme.example") }
        #expect(toACME.count == 1, "\(second)")
        let message = try #require(toACME.first)
        #expect(message.contains("1518,00") && !message.contains("1815,00") && !message.contains("1.815,00"), "\(message)")
        // The message sent is the one attempt of that stage that counts; the withdrawn one stays in the record.
        #expect(try sqlite("SELECT group_concat(status, ' ') FROM (SELECT status FROM contact JOIN contact_invoice ON contact_id = contact.id WHERE invoice_id = 1 AND stage IS NOT NULL ORDER BY contact.id)") == "failed sent")
    }

    /// A correction that would disagree with the payments, dates or plan recorded is refused
    /// with the reason, and leaves the invoice as it was.
    @Test func aCorrectionThatCannotBeRightIsRefusedAndChangesNothing() throws {
        _ = try workspace.succeed(["payment", "add", "F-1", "--amount", "1000.00", "--date", "2026-10-10"])
        let refusals: [([String], String)] = [
            (["--amount", "900"], "1000.00 EUR was received on invoice F-1, more than 900.00 EUR; correct or remove a payment first"),
            (["--issued", "2026-10-11", "--due", "2026-11-01"], "a payment on invoice F-1 is dated 2026-10-10, before the issue date 2026-10-11"),
            (["--due", "2026-08-01"], "the due date 2026-08-01 would be before the issue date 2026-09-01"),
            (["--amount", "1000", "--currency", "GBP"], "1000.00 EUR was received on invoice F-1; its currency cannot change"),
            (["--currency", "GBP"], "--currency needs --amount"),
            (["--amount", "1815"], "invoice F-1 already says that; nothing was changed"),
            (["--amount", "-5"], "--amount"),
            ([], "nothing to change"),
        ]
        for (options, reason) in refusals {
            let result = try workspace.run(["invoice", "edit", "F-1"] + options)
            #expect(result.status == 1 && result.standardError.contains(reason), "\(options): \(result.standardError)")
        }
        #expect(try workspace.run(["invoice", "edit", "F-9", "--amount", "10"]).standardError.contains("F-9"))

        // The plan's instalments were agreed on what F-1 and F-2 owe: raising F-1 would leave them short.
        _ = try workspace.succeed(["negotiation", "open", "plan", "ACME", "--instalment", "2026-12-15:600.00", "--instalment", "2027-01-15:515.00"])
        let raised = try workspace.run(["invoice", "edit", "F-1", "--amount", "2000"])
        #expect(raised.status == 1 && raised.standardError.contains("invoice F-1 is in open plan #1: the instalments add up to 1115.00 EUR but the covered invoices owe 1300.00 EUR"), "\(raised.standardError)")
        #expect(try sqlite("SELECT group_concat(gross_minor || ' ' || issue_date || ' ' || due_date || ' ' || currency, ', ') FROM invoice WHERE number = 'F-1'") == "181500 2026-09-01 2026-10-01 EUR")
        #expect(!(try workspace.succeed(["client", "show", "ACME"])).contains("corrected"))
        // Lowering it is fine: the plan still covers what is owed.
        let lowered = try workspace.succeed(["invoice", "edit", "F-1", "--amount", "1800", "--reason", "credit note AB-7"])
        #expect(lowered.contains("800.00 EUR owed") && lowered.contains("It is in open plan #1, which goes on as agreed"), "\(lowered)")
        #expect(try workspace.succeed(["client", "show", "ACME"]).contains("invoice F-1 corrected: amount 1815.00 EUR is now 1800.00 EUR (credit note AB-7)"))
    }

    /// The import names the command that applies the file's values.
    @Test func anImportThatDiffersPointsAtTheCorrection() throws {
        let csv = workspace.directory.write(
            "invoices.csv", "number,client,concept,issue_date,due_date,amount,currency\nF-1,ACME,Translation,2026-09-01,2026-10-01,1518.00,EUR\n")
        let result = try workspace.run(["import", "invoices", csv])
        #expect(result.status == 2 && result.standardError.contains("correct the invoice with `cobrador invoice edit F-1`"), "\(result.standardError)")
        _ = try workspace.succeed(["invoice", "edit", "F-1", "--amount", "1518"])
        #expect(try workspace.succeed(["import", "invoices", csv]).contains("1 unchanged"))
    }
}
