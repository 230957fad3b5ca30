import ArgumentParser
import CobradorCore
import CobradorLedger
import CobradorMail
import Foundation

/// The options every command shares, and the loading of what they point to.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "path"))
    var config: String?

    /// --config, else $COBRADOR_CONFIG, else the system-wide file.
    var configPath: String {
        config ?? ProcessInfo.processInfo.environment["COBRADOR_CONFIG"] ?? "/etc/cobrador/cobrador.toml"
    }

    /// Reads and validates the configuration file; with `checkTemplates`, every e-mail stage's
    /// template must exist in both languages (what `check` and the daemon require).
    func loadConfiguration(checkTemplates: Bool = false) throws -> Configuration {
        let path = absolute(configPath)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(
                FileManager.default.fileExists(atPath: path)
                    ? "\(path): cannot read the configuration file (check its permissions)"
                    : "\(path): no configuration file here; create one with `cobrador init --config \(configPath)` or pass --config")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("\(path): the configuration file is not UTF-8 text")
        }
        // A missing folder is reported once by `check`, not once per stage.
        let templateExists: ((String, String) -> Bool)? = checkTemplates ? { folder, name in
            !FileManager.default.fileExists(atPath: folder) || Language.allCases.allSatisfy { language in
                ["subject", "text"].allSatisfy { FileManager.default.fileExists(atPath: "\(folder)/\(language.rawValue)/\(name).\($0).mustache") }
            }
        } : nil
        return try ConfigurationLoader.load(
            text: text, file: path, baseDirectory: (path as NSString).deletingLastPathComponent, templateExists: templateExists)
    }

    /// The transport the configuration names, with its secret read.
    func transport(_ configuration: Configuration) throws -> any MailTransport {
        switch configuration.transport {
        case .maildir(let path): MaildirTransport(folder: path)
        case .smtp(let settings): SMTPTransport(settings: settings, secret: try SMTPSecret.read(settings))
        }
    }

    /// Loads the configuration and opens the ledger it names.
    func openLedger() throws -> (Configuration, Ledger) {
        let configuration = try loadConfiguration()
        return (configuration, try Ledger.open(path: configuration.ledgerPath))
    }
}

/// Options of commands that can print JSON for other programs.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
}

/// A command failed for a reason the message explains; the exit status is 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// `path` made absolute against the current directory.
func absolute(_ path: String) -> String {
    URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
        .standardizedFileURL.path
}
