import CobradorCore
import CobradorMail
import CobradorTestSupport
import Foundation
import Testing

/// The SMTP transport against a real server (aiosmtpd) on loopback, one per test.
@Suite(.serialized) struct SMTPTransportTests {
    static let message = Array(
        "From: <cobros@lucia.example>\r\nTo: <pagos@acme.example>\r\nSubject: test\r\nMessage-ID: <t.1@lucia.example>\r\n\r\nline one\r\n.a line starting with a dot\r\n\r\n".utf8)

    func settings(_ server: SMTPTestServer, tls: Configuration.SMTPSettings.TLSMode = .none, user: String? = nil, ca: String? = nil, timeout: Int = 5)
        -> Configuration.SMTPSettings
    {
        Configuration.SMTPSettings(
            host: "127.0.0.1", port: server.port, tls: tls, username: user, auth: .plain, heloName: "cobrador.test", caFile: ca,
            connectTimeoutSeconds: 5, responseTimeoutSeconds: timeout)
    }

    func send(_ transport: SMTPTransport, _ message: [UInt8] = Self.message) -> DeliveryOutcome {
        transport.send(message, from: "cobros@lucia.example", to: ["pagos@acme.example"])
    }

    @Test func theServerReceivesExactlyTheStoredBytesAndOneConnectionServesTheBatch() throws {
        let server = try SMTPTestServer()
        let transport = SMTPTransport(settings: settings(server), secret: nil)
        for _ in 0..<3 {
            let outcome = send(transport)
            #expect(outcome.kind == .accepted, "\(outcome.reply)")
            #expect(outcome.reply.hasPrefix("250 2.0.0 Ok: queued as Q"))
        }
        let received = try server.received()
        #expect(received.count == 3)
        #expect(received.allSatisfy { $0.bytes == Data(Self.message) })
        #expect(Set(received.map(\.connection)).count == 1)
    }

    @Test func startTLSWithLoginAgainstAPrivateAuthorityForAWholeBatch() throws {
        let certificates = try TestCertificates()
        let server = try SMTPTestServer(tls: "starttls", certificates: certificates, auth: "lucia:s3cret")
        let transport = SMTPTransport(settings: settings(server, tls: .starttls, user: "lucia", ca: certificates.authority), secret: "s3cret")
        let outcome = send(transport)
        #expect(outcome.kind == .accepted, "\(outcome.reply) \(outcome.transcript)")
        #expect(outcome.transcript.contains { $0.hasPrefix("> STARTTLS") })
        #expect(outcome.transcript.contains("> AUTH PLAIN [redacted]"))
        #expect(!outcome.transcript.joined().contains("s3cret") && !outcome.transcript.joined().contains(Data("\u{0}lucia\u{0}s3cret".utf8).base64EncodedString()))
        #expect(try server.received().first?.bytes == Data(Self.message))

        // The next messages of the batch reuse the logged-in connection; libcurl does not log in again.
        for _ in 0..<2 {
            let next = send(transport)
            #expect(next.kind == .accepted, "\(next.reply) \(next.transcript)")
        }
        let received = try server.received()
        #expect(received.count == 3)
        #expect(Set(received.map(\.connection)).count == 1)
    }

    @Test func implicitTLS() throws {
        let certificates = try TestCertificates()
        let server = try SMTPTestServer(tls: "implicit", certificates: certificates, auth: "lucia:s3cret")
        let outcome = send(SMTPTransport(settings: settings(server, tls: .implicit, user: "lucia", ca: certificates.authority), secret: "s3cret"))
        #expect(outcome.kind == .accepted, "\(outcome.reply)")
    }

    @Test func aWrongPasswordIsAConfigurationErrorWithoutTheSecret() throws {
        let certificates = try TestCertificates()
        let server = try SMTPTestServer(tls: "starttls", certificates: certificates, auth: "lucia:s3cret")
        let outcome = send(SMTPTransport(settings: settings(server, tls: .starttls, user: "lucia", ca: certificates.authority), secret: "wrong-password"))
        #expect(outcome.kind == .configurationError, "\(outcome.transcript)")
        #expect(outcome.reply.contains("refused the login"))
        #expect(!(outcome.reply + outcome.transcript.joined()).contains("wrong-password"))
        #expect(try server.received().isEmpty)
    }

    @Test func anUnknownCertificateIsRefused() throws {
        let certificates = try TestCertificates()
        let server = try SMTPTestServer(tls: "starttls", certificates: certificates)
        let outcome = send(SMTPTransport(settings: settings(server, tls: .starttls), secret: nil))
        #expect(outcome.kind == .configurationError)
        #expect(outcome.reply.contains("certificate could not be verified"))
        #expect(try server.received().isEmpty)
    }

    @Test func aServerWithoutSTARTTLSGetsNothingInClear() throws {
        let server = try SMTPTestServer()
        let outcome = send(SMTPTransport(settings: settings(server, tls: .starttls), secret: nil))
        #expect(outcome.kind == .configurationError)
        #expect(outcome.reply.contains("does not offer STARTTLS"))
        #expect(try server.received().isEmpty)
    }

    @Test func aLoginTheRelayDoesNotOfferStopsTheMessageBeforeItsBody() throws {
        let server = try SMTPTestServer()
        let outcome = send(SMTPTransport(settings: settings(server, user: "lucia"), secret: "s3cret"))
        #expect(outcome.kind == .configurationError)
        #expect(outcome.reply.contains("offered no login"))
        #expect(try server.received().isEmpty)
    }

    @Test(arguments: [
        ("rcpt-451", DeliveryOutcome.Kind.temporaryFailure, 451, "4.3.0"),
        ("rcpt-550", .permanentFailure, 550, "5.1.1"),
        ("rcpt-552", .temporaryFailure, 552, "5.2.2"),
        ("data-452", .temporaryFailure, 452, "4.3.1"),
        ("data-554", .permanentFailure, 554, "5.7.1"),
        ("greet-421", .temporaryFailure, 421, "4.3.2"),
    ])
    func refusalsMapToTheirOutcome(behaviour: String, kind: DeliveryOutcome.Kind, code: Int, enhanced: String) throws {
        let server = try SMTPTestServer(behaviour: behaviour)
        let transport = SMTPTransport(settings: settings(server), secret: nil)
        let outcome = send(transport)
        #expect(outcome.kind == kind, "\(outcome.reply) \(outcome.transcript)")
        #expect(outcome.code == code)
        #expect(outcome.enhancedCode == enhanced)
        #expect(try server.received().isEmpty)
        // Only a refused recipient is a bad address; a refused message is not.
        #expect(outcome.refusedRecipient == (behaviour == "rcpt-550" ? "pagos@acme.example" : nil))
        // Only a relay that is closing stops the pass's sending; one refused message does not.
        #expect(outcome.relayUnavailable == (behaviour == "greet-421"))
    }

    /// What decides whether a refusal names the address ("5.1.1") or the sender ("5.7.1").
    @Test(arguments: [
        ("550 5.1.1 <x@y.example>: Recipient address rejected", "5.1.1"), ("250 2.0.0 Ok: queued as 4dQ1Zr0", "2.0.0"),
        ("451  4.3.0 Try again later", "4.3.0"), ("554 5.7.1", "5.7.1"), ("552 5.2.22 Mailbox full", "5.2.22"),
        ("550 No such user", nil), ("550 55.1.1 x", nil), ("550 3.1.1 x", nil), ("550 5.1 x", nil), ("550 5.1.1.1 x", nil),
        ("550 5..1 x", nil), ("550 5.1.1234 x", nil), ("550 5.1.x x", nil), ("550", nil), ("", nil),
    ] as [(String, String?)])
    func anEnhancedStatusCodeIsReadOnlyWhenWellFormed(reply: String, enhanced: String?) {
        #expect(SMTPTransport.enhancedStatus(inReply: reply) == enhanced)
    }

    @Test func theLedgerIsAskedAfterTheRelayWantsTheBodyAndCanHoldItBack() throws {
        let server = try SMTPTestServer()
        let transport = SMTPTransport(settings: settings(server), secret: nil)
        var asked = 0
        let held = transport.send(Self.message, from: "cobros@lucia.example", to: ["pagos@acme.example"]) {
            asked += 1
            return false
        } keepWaiting: {
            true
        }
        #expect(asked == 1)
        #expect(held.kind == .temporaryFailure && held.reply.contains("its body was held back"), "\(held.reply)")
        #expect(held.transcript.contains { $0.hasPrefix("< 354") })
        #expect(try server.received().isEmpty)
        // The next message goes out on a fresh connection, once the ledger says yes.
        let sent = transport.send(Self.message, from: "cobros@lucia.example", to: ["pagos@acme.example"]) {
            asked += 1
            return true
        } keepWaiting: {
            true
        }
        #expect(sent.kind == .accepted && asked == 2)
        #expect(try server.received().count == 1)
    }

    @Test func aRefusedRecipientNeverAsksForTheBody() throws {
        let server = try SMTPTestServer(behaviour: "rcpt-550")
        var asked = false
        let outcome = SMTPTransport(settings: settings(server), secret: nil).send(Self.message, from: "cobros@lucia.example", to: ["pagos@acme.example"]) {
            asked = true
            return true
        } keepWaiting: {
            true
        }
        #expect(outcome.kind == .permanentFailure && !asked)
    }

    @Test func noFinalReplyAfterTheBodyIsUnknownNeverAFailure() throws {
        let server = try SMTPTestServer(behaviour: "final-hang")
        let started = Date()
        let outcome = send(SMTPTransport(settings: settings(server, timeout: 4), secret: nil))
        // The timeout once: closing the connection does not wait for the answer to QUIT.
        #expect(Date().timeIntervalSince(started) < 7)
        #expect(outcome.kind == .unknown, "\(outcome.reply)")
        #expect(outcome.reply.contains("may have been delivered"))
        #expect(outcome.relayUnavailable, "the next message would wait out the same timeout")
    }

    /// A stop while the relay hangs: the transfer is abandoned when `keepWaiting` says so, not
    /// at the response timeout. Once the whole body went, its fate is unknown; before (the
    /// relay slow to take the recipient), it goes again.
    @Test(arguments: [("final-hang", DeliveryOutcome.Kind.unknown), ("slow-rcpt=30", .temporaryFailure)])
    func aTransferAbandonedWhileTheRelayHangs(behaviour: String, kind: DeliveryOutcome.Kind) throws {
        let server = try SMTPTestServer(behaviour: behaviour)
        let started = Date()
        let outcome = SMTPTransport(settings: settings(server, timeout: 60), secret: nil).send(
            Self.message, from: "cobros@lucia.example", to: ["pagos@acme.example"], beforeBody: { true }, keepWaiting: { Date().timeIntervalSince(started) < 1 })
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(outcome.kind == kind && outcome.reply.hasPrefix("cobrador was stopping"), "\(outcome.reply)")
    }

    @Test func aConnectionDroppedInTheBodyIsTemporary() throws {
        let server = try SMTPTestServer(behaviour: "drop-in-data")
        // Larger than loopback socket buffers can hold, so the drop is seen before the body ends.
        let large = Array("Subject: big\r\n\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 32_000_000) + Array("\r\n".utf8)
        let outcome = send(SMTPTransport(settings: settings(server), secret: nil), large)
        #expect(outcome.kind == .temporaryFailure || outcome.kind == .unknown, "\(outcome.kind) \(outcome.reply)")
        #expect(outcome.kind == .temporaryFailure, "the body did not all go out, so nothing can have been accepted")
        #expect(outcome.relayUnavailable)
    }

    @Test func anUnreachableRelayIsTemporary() throws {
        let settings = Configuration.SMTPSettings(host: "127.0.0.1", port: 1, tls: .none, connectTimeoutSeconds: 2)
        let outcome = send(SMTPTransport(settings: settings, secret: nil))
        #expect(outcome.kind == .temporaryFailure && outcome.relayUnavailable)
    }

    @Test(arguments: ["pagos@acme.example>\r\nRSET", "pagos@acme.example\nRCPT TO:<x@y.example>", "not an address"])
    func anEnvelopeAddressWithALineBreakNeverReachesLibcurl(address: String) throws {
        let server = try SMTPTestServer()
        let outcome = SMTPTransport(settings: settings(server), secret: nil).send(Self.message, from: "cobros@lucia.example", to: [address])
        #expect(outcome.kind == .permanentFailure)
        #expect(outcome.transcript.isEmpty)
        #expect(try server.received().isEmpty)
    }
}
