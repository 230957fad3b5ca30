import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a commented configuration, an empty ledger and a copy of the default templates.",
        discussion: HelpText.flowing("""
            Nothing existing is ever overwritten: if any of the three is already there,
            nothing is written. With the configuration under /etc/cobrador, the ledger and
            the Maildir go to /var/lib/cobrador. --ledger-only creates just the empty ledger
            an existing configuration names.
            Examples:
              cobrador init --config ./cobrador.toml --sender-name "Lucía Martín" \\
                  --sender-email cobros@lucia.es \\
                  --iban "ES91 2100 0418 4502 0005 1332"
              sudo cobrador init     # in /etc/cobrador, the ledger in /var/lib/cobrador
              cobrador init --ledger-only --config ./cobrador.toml
            """))

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("state-dir"), help: "Folder for the ledger and the Maildir (default: the configuration's folder, or /var/lib/cobrador for /etc/cobrador).")
    var stateDirectory: String?
    @Option(name: .customLong("sender-name"), help: "Your legal or trading name, as on your invoices.") var senderName = placeholderName
    @Option(name: .customLong("sender-email"), help: "The address messages come from.") var senderEmail = placeholderEmail
    @Option(name: .customLong("time-zone"), help: "Your time zone.") var timeZone = TimeZone.current.identifier

    /// The sender written when none is given; `check` refuses it until the owner edits it.
    static let placeholderName = "Your Business Name"
    static let placeholderEmail = "billing@example.com"
    static let placeholderIBAN = FieldRules.exampleIBAN
    @Option(help: "Your usual currency.") var currency = "EUR"
    @Option(help: "The IBAN clients pay into (messages must say how to pay).") var iban = placeholderIBAN
    @Option(name: .customLong("payment-link"), help: "A page where clients can pay online.") var paymentLink: String?
    @Option(name: .customLong("tax-id"), help: "Your tax id (NIF, VAT number), which formal notices name.") var taxID: String?
    @Option(help: "Your postal address, on one line, which formal notices name.") var address: String?
    @Option(help: "Your language, for your daily digest: es or en (default: en for GBP, else es).") var language: String?
    @Flag(name: .customLong("ledger-only"), help: "Only create the empty ledger the existing configuration names.") var ledgerOnly = false

    func run() throws {
        if ledgerOnly {
            let configuration = try global.loadConfiguration()
            try FileManager.default.createDirectory(atPath: (configuration.ledgerPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = try Ledger.create(path: configuration.ledgerPath)
            return print("Created \(configuration.ledgerPath) (an empty ledger).\nNext: cobrador check --config \(global.configPath)")
        }
        let configPath = absolute(global.configPath)
        let configDirectory = (configPath as NSString).deletingLastPathComponent
        let stateDirectory = stateDirectory.map(absolute) ?? (configDirectory == "/etc/cobrador" ? "/var/lib/cobrador" : configDirectory)
        let ledgerPath = stateDirectory + "/ledger.sqlite"
        let templatesPath = configDirectory + "/templates"
        _ = try CommandInput.parse("--sender-name", senderName) { try FieldRules.singleLine($0) }
        _ = try CommandInput.parse("--sender-email", senderEmail) { try FieldRules.emailAddress($0) }
        _ = try CommandInput.parse("--time-zone", timeZone) { try FieldRules.timeZone($0) }
        let currency = try CommandInput.parse("--currency", currency) { try FieldRules.currency($0) }

        let existing = [configPath, ledgerPath, templatesPath].filter { FileManager.default.fileExists(atPath: $0) }
        guard existing.isEmpty else {
            throw CommandFailure("nothing was written: \(existing.joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""); cobrador init never overwrites")
        }
        guard let defaults = DefaultTemplates.directory() else {
            throw CommandFailure("cannot find the default templates (looked under share/cobrador/templates next to the binary); set COBRADOR_DEFAULT_TEMPLATES to their folder")
        }
        let files = FileManager.default
        try files.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        try files.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        func relative(_ path: String) -> String {
            path.hasPrefix(configDirectory + "/") ? String(path.dropFirst(configDirectory.count + 1)) : path
        }
        // A system-wide state folder (…/var/lib/cobrador) has its logs folder beside it, which
        // the unit's LogsDirectory= makes the service's.
        let systemState = "/var/lib/cobrador"
        let sentLog = stateDirectory.hasSuffix(systemState) ? String(stateDirectory.dropLast(systemState.count)) + "/var/log/cobrador/sent.log" : nil
        let text = ExampleConfiguration.text(
            .init(
                ledger: relative(ledgerPath), templates: relative(templatesPath), maildir: relative(stateDirectory + "/maildir"),
                archive: relative(stateDirectory + "/sent-archive"),
                senderName: senderName, senderEmail: senderEmail, timeZone: timeZone, currency: currency.code,
                iban: try CommandInput.parse("--iban", iban) { try FieldRules.iban($0) },
                paymentLink: try CommandInput.parseIfGiven("--payment-link", paymentLink) { try FieldRules.singleLine($0) },
                taxID: try CommandInput.parseIfGiven("--tax-id", taxID) { try FieldRules.singleLine($0) },
                address: try CommandInput.parseIfGiven("--address", address) { try FieldRules.singleLine($0) },
                language: try CommandInput.parseIfGiven("--language", language) { try FieldRules.choice($0, as: Language.self).rawValue }
                    ?? (currency.code == "GBP" ? "en" : "es"),
                sentLog: sentLog))
        // Validate what we are about to write with the same loader every command uses.
        _ = try ConfigurationLoader.load(text: text, file: configPath, baseDirectory: configDirectory)
        try files.copyItem(atPath: defaults, toPath: templatesPath)
        _ = try Ledger.create(path: ledgerPath)
        guard files.createFile(atPath: configPath, contents: Data(text.utf8), attributes: [.posixPermissions: 0o640]) else {
            throw CommandFailure("\(configPath): cannot write the configuration file")
        }
        print("""
            Created:
              \(configPath)  (configuration\(SendingReadiness.isExampleSender(name: senderName, email: senderEmail, iban: iban) ? ": edit [sender] first" : ""))
              \(ledgerPath)  (ledger)
              \(templatesPath)/  (templates, es and en)
            Next: cobrador check --config \(global.configPath)
            """)
    }
}
