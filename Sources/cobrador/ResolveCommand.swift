import ArgumentParser
import CobradorCore
import Foundation

/// Settles a message of unknown fate (the relay took its body but gave no final answer), once
/// the owner knows: cobrador never sends such a message again by itself.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Say whether a message of unknown fate arrived, once you know.",
        discussion: HelpText.flowing("""
            A message is `unknown` when the relay took its body but gave no final answer
            (a crash, a dropped connection): it may have arrived, so it is never sent again
            by itself, and every digest lists it. Ask the client, or read the relay's log,
            then settle it. --delivered makes it `sent`; --not-delivered makes it `failed`,
            and the next pass writes that stage again from the ledger as it is then.
            Examples:
              cobrador log --status unknown
              cobrador resolve cobrador.41.1796029200@luciamartin.es \\
                  --delivered --note "ACME confirmed by phone"
              cobrador resolve "<cobrador.42.1796029200@luciamartin.es>" --not-delivered
            """))

    enum Verdict: EnumerableFlag {
        case delivered, notDelivered
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The message's Message-ID, as `cobrador log` shows it (with or without the angle brackets).") var messageID: String
    @Flag(help: "Whether it arrived.") var verdict: Verdict
    @Option(help: "How you know (kept in the message's record).") var note: String?

    func run() throws {
        let (_, ledger) = try global.openLedger()
        let note = try CommandInput.parseIfGiven("--note", note) { try FieldRules.singleLine($0) }
        var id = messageID.trimmingCharacters(in: .whitespaces)
        if id.hasPrefix("<") && id.hasSuffix(">") { id = String(id.dropFirst().dropLast()) }
        let settled = try ledger.settleUnknown(messageID: id, delivered: verdict == .delivered, note: note, at: Date())
        print(
            verdict == .delivered
                ? "<\(id)> (\(settled.client) \(settled.stage)) is recorded as sent."
                : "<\(id)> (\(settled.client) \(settled.stage)) is recorded as not delivered; the next pass writes it again if it is still due.")
    }
}
