import ArgumentParser
import CobradorCore
import CobradorMail
import Foundation

struct SendTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send one real test message through the configured transport, and show what the relay said.",
        discussion: "Example:\n  cobrador send-test --to you@example.com")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Where to send the test message.") var to: String

    func run() throws {
        let configuration = try global.loadConfiguration()
        let recipient = try CommandInput.parse("--to", to) { try FieldRules.emailAddress($0) }
        let now = Date()
        let message = OutgoingMessage(
            from: Mailbox(name: configuration.sender.legalName, address: configuration.sender.email), replyTo: configuration.sender.replyTo,
            to: [Mailbox(name: nil, address: recipient)], subject: "cobrador: test message",
            text: "This is a test message from cobrador. If you can read it, delivery works.\n",
            html: "<p>This is a test message from cobrador. If you can read it, delivery works.</p>",
            messageID: MessageID.make(attempt: 0, reservedAt: now, senderAddress: configuration.sender.email), autoSubmitted: true, date: now,
            timeZone: TimeZone(identifier: configuration.policy.timeZone) ?? .current, record: "send-test")
        let outcome = try global.transport(configuration).send(try MIMEComposer.compose(message), from: configuration.sender.email, to: [recipient])
        print("\(outcome.kind.rawValue): \(outcome.reply)")
        guard outcome.kind == .accepted else {
            outcome.transcript.forEach { Terminal.warn("  \($0)") }
            throw ExitCode(1)
        }
    }
}
