import ArgumentParser
import Foundation

@main
struct CobradorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cobrador",
        abstract: "Gets freelancers and small firms paid: a ledger of clients, invoices and payments, and the reminders that follow them.",
        discussion: HelpText.flowing("""
            Every command reads the configuration from --config, else $COBRADOR_CONFIG,
            else /etc/cobrador/cobrador.toml. Start with `cobrador init --config
            ./cobrador.toml`.
            """),
        version: "0.1.0",
        subcommands: [
            InitCommand.self, CheckCommand.self, ClientCommand.self, InvoiceCommand.self, PaymentCommand.self,
            NegotiationCommand.self, ContactCommand.self, ImportCommand.self, StatusCommand.self, PlanCommand.self, PreviewCommand.self, SendTestCommand.self, RunCommand.self, LogCommand.self, ResolveCommand.self, InterestCommand.self, EvidenceCommand.self,
        ]
    )
}

extension CobradorCommand {
    /// ArgumentParser reads a mistyped command ("cobrador paymnet add F-1 --amount 10") as
    /// options of the command above it and complains about the first option; this names the
    /// word instead, with the command meant.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let problem = unknownCommand(in: arguments) {
            FileHandle.standardError.write(Data("Error: \(problem)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        main(arguments)
    }

    /// The first word naming no command where one is expected, with the likeliest one meant.
    static func unknownCommand(in arguments: [String]) -> String? {
        var command: ParsableCommand.Type = CobradorCommand.self
        var path = ["cobrador"]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            let names = subcommands.map { $0.configuration.commandName ?? $0._commandName }
            guard let index = names.firstIndex(of: word) else {
                let near = names.min { distance(word, $0) < distance(word, $1) }.flatMap { distance(word, $0) <= 2 ? $0 : nil }
                return "\"\(word)\" is not a command of \(path.joined(separator: " "))"
                    + (near.map { "; did you mean \"\($0)\"?" } ?? "") + " (see `\(path.joined(separator: " ")) --help`)"
            }
            command = subcommands[index]
            path.append(word)
        }
        return nil
    }

    /// Edits (insert, delete, substitute, swap two neighbours) from one word to the other.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[a.count][b.count]
    }
}
