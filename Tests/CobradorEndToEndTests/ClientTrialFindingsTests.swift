import CobradorTestSupport
import Foundation
import Testing

/// What a trial that read every message of 90 rehearsed days, as the clients and the owner,
/// found wrong; each reproduced through the real binary and guarded here.
@Suite(.serialized) struct ClientTrialFindingsTests {
    let workspace: CobradorWorkspace
    let monday = "2026-11-30T10:00:00+01:00"

    init() throws {
        workspace = try CobradorWorkspace()
        try workspace.seed()
        try workspace.setDigestTime("never")
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
        let pass = try workspace.succeed(["run", "--once", "--at", monday])
        #expect(pass.contains("2 sent"), "\(pass)")  // and BRIT's reminder
        let notice = try #require(try messages(to: "pagos@acme.example").first)
        #expect(notice.contains("Último aviso") || notice.contains("final"), "\(notice)")
        // 14 days would be Monday 14 December; the window ends 30 days after 15 November.
        #expect(notice.contains("15 de diciembre de 2026") && !notice.contains("14 de diciembre de 2026"), "\(notice)")
        let handOver = try workspace.succeed(["plan", "--days", "20", "--at", "2026-12-01T10:00:00+01:00"])
        #expect(handOver.contains("2026-12-16 00:00 Europe/Madrid  ACME    hand over") && handOver.contains("its deadline, 2026-12-15, passed"), "\(handOver)")
        #expect(!handOver.contains("2026-12-15 00:00"), "\(handOver)")
    }
}
