import CobradorTestSupport
import Foundation
import Testing

/// `check --smtp` and `send-test` through the real binary against a real relay on loopback.
@Suite(.serialized) struct DeliveryCommandTests {
    func configure(_ workspace: CobradorWorkspace, server: SMTPTestServer, certificates: TestCertificates, password: String) throws {
        let secret = workspace.directory.write("smtp-password", password + "\n")
        var text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "kind = \"maildir\"", with: "kind = \"smtp\"")
        text = text.replacingOccurrences(of: "# [transport.smtp]", with: """
            [transport.smtp]
            host = "127.0.0.1"
            port = \(server.port)
            tls = "starttls"
            username = "lucia"
            password_file = "\(secret)"
            ca_file = "\(certificates.authority)"
            """)
        try text.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
    }

    @Test func checkLogsInWithoutSendingAndSendTestDelivers() throws {
        let workspace = try CobradorWorkspace()
        let certificates = try TestCertificates()
        let server = try SMTPTestServer(tls: "starttls", certificates: certificates, auth: "lucia:s3cret")
        try configure(workspace, server: server, certificates: certificates, password: "s3cret")
        let check = try workspace.succeed(["check", "--smtp"])
        #expect(check.contains("Relay: connected, TLS verified, logged in as lucia"))
        #expect(try server.received().isEmpty)
        let sent = try workspace.succeed(["send-test", "--to", "lucia@lucia.example"])
        #expect(sent.hasPrefix("accepted: 250 2.0.0 Ok: queued as Q"))
        #expect(String(decoding: try server.received().first?.bytes ?? Data(), as: UTF8.self).contains("Subject: cobrador: test message"))
    }

    @Test func aPassLogsInOnceAndDeliversEveryMessage() throws {
        let workspace = try CobradorWorkspace()
        try workspace.seed()
        let certificates = try TestCertificates()
        let server = try SMTPTestServer(tls: "starttls", certificates: certificates, auth: "lucia:s3cret")
        try configure(workspace, server: server, certificates: certificates, password: "s3cret")
        let pass = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:00:00+01:00"])
        #expect(pass.hasPrefix("Pass done: 2 sent, 0 deferred"), "\(pass)")
        #expect(try server.received().count >= 2)
    }

    @Test func aWrongPasswordIsNamedWithoutShowingIt() throws {
        let workspace = try CobradorWorkspace()
        let certificates = try TestCertificates()
        let server = try SMTPTestServer(tls: "starttls", certificates: certificates, auth: "lucia:s3cret")
        try configure(workspace, server: server, certificates: certificates, password: "hunter2-wrong")
        let check = try workspace.run(["check", "--smtp"])
        #expect(check.status == 1)
        #expect(check.standardError.contains("relay: the relay refused the login"))
        let sent = try workspace.run(["send-test", "--to", "lucia@lucia.example"])
        #expect(sent.status == 1)
        #expect(sent.standardOutput.hasPrefix("configuration-error: the relay refused the login"))
        #expect(!(check.standardOutput + check.standardError + sent.standardOutput + sent.standardError).contains("hunter2"))
    }
}
