import ArgumentParser
import CobradorCore
import CobradorDaemon
import CobradorLedger
import Foundation

struct EvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Export everything sent to a client, for a lawyer or a court claim; or verify the record.",
        discussion: HelpText.flowing("""
            The export holds a statement (what is owed and claimable today, and the
            chronology), every message as the .eml that went out with its SHA-256, the
            hash-chained attempt log with the relay's replies, the payments, negotiations
            and contacts, and an index. --verify checks the whole attempt log and every
            stored message.
            Examples:
              cobrador evidence ACME --out ./acme-evidence
              cobrador evidence --verify
            """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The client's code.") var client: String?
    @Option(help: "Folder to write the export into (must not exist).") var out: String?
    @Flag(help: "Verify the attempt log's hash chain and every stored message instead.") var verify = false
    @OptionGroup var moment: MomentOptions

    func run() throws {
        let (configuration, ledger) = try global.openLedger()
        if verify {
            guard moment.at == nil else { throw CommandFailure("--at goes with an export; --verify checks the record as it is") }
            let problems = try ledger.verifyEvidence()
            guard problems.isEmpty else { throw CommandFailure(problems.joined(separator: "\n")) }
            print("The attempt log and every stored message are intact.")
            return
        }
        guard let client, let out else { throw CommandFailure("name a client and --out FOLDER, or pass --verify") }
        // The statement is as of this moment; the index says when the export was really made.
        let asOf = try moment.moment()
        let folder = absolute(out)
        guard !FileManager.default.fileExists(atPath: folder) else { throw CommandFailure("\(folder) already exists; choose a new folder") }
        let record = try ledger.client(code: client)
        try FileManager.default.createDirectory(atPath: folder + "/messages", withIntermediateDirectories: true)
        // The index goes with the statement to a lawyer or a court: in the owner's language.
        let spanish = configuration.sender.language == .es
        func say(_ inEnglish: String, _ inSpanish: String) -> String { spanish ? inSpanish : inEnglish }
        var index = [
            say("Evidence for", "Pruebas relativas a") + " \(record.name) (\(record.code)), " + say("exported", "exportadas el") + " \(Date().formatted(.iso8601))"
                + (moment.at == nil ? "" : say(", as of ", ", a fecha de ") + asOf.formatted(.iso8601)), "",
            say("Messages (file, status, Message-ID, SHA-256):", "Mensajes (archivo, estado, Message-ID, SHA-256):"),
        ]
        for message in try ledger.storedMessages(clientCode: record.code) {
            let name = EvidenceStatement.messageFile(id: message.id, stage: message.stage)
            try message.bytes.write(to: URL(fileURLWithPath: folder + "/" + name))
            index.append("  \(name)  \(message.status)  <\(message.messageID)>  \(message.sha256)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(try ledger.attemptSteps(clientCode: record.code)).write(to: URL(fileURLWithPath: folder + "/attempt-log.json"))
        try encoder.encode(try ledger.payments(clientCode: record.code).map(PaymentCommand.JSONView.init)).write(to: URL(fileURLWithPath: folder + "/payments.json"))
        try encoder.encode(try ledger.negotiations(clientCode: record.code, includeClosed: true).map(NegotiationCommand.JSONView.init))
            .write(to: URL(fileURLWithPath: folder + "/negotiations.json"))
        try encoder.encode(try ledger.contacts(clientCode: record.code).map(ContactCommand.JSONView.init)).write(to: URL(fileURLWithPath: folder + "/contacts.json"))
        try encoder.encode(try ledger.invoices(matching: .init(clientCode: record.code)).map(InvoiceCommand.JSONView.init))
            .write(to: URL(fileURLWithPath: folder + "/invoices.json"))
        let invoices = try ledger.invoices(matching: .init(clientCode: record.code))
        let today = CommandInput.today(configuration, at: asOf)
        let claims = Claims(ledger: ledger, configuration: configuration, rates: try ShippedRates.table(for: configuration))
        let statement = EvidenceStatement(
            client: record, invoices: invoices, payments: try ledger.payments(clientCode: record.code),
            negotiations: try ledger.negotiations(clientCode: record.code, includeClosed: true), contacts: try ledger.contacts(clientCode: record.code),
            // An invoice paid late still owes its interest and compensation, claimable for years.
            claims: try invoices.filter { $0.invoice.status == .open }.map { ($0.invoice.number, try claims.breakdown($0.invoice.number, on: today)) }
                .filter { $0.1.outstanding.minorUnits > 0 || $0.1.interest.minorUnits > 0 || $0.1.compensation != nil },
            asOf: today, zone: TimeZone(identifier: configuration.policy.timeZone) ?? .current, language: configuration.sender.language)
        try statement.text.write(toFile: folder + "/statement.txt", atomically: true, encoding: .utf8)
        index += [
            "",
            say(
                "statement.txt: the statement of account, the interest and compensation claimable as of its date, and the chronology (start here)",
                "statement.txt: el estado de cuenta, los intereses y la indemnización reclamables a esa fecha y la cronología (empiece por aquí)"),
            say(
                "attempt-log.json: every step of every message, hash-chained (check with `cobrador evidence --verify`)",
                "attempt-log.json: cada paso de cada mensaje, encadenado por hashes (se comprueba con `cobrador evidence --verify`)"),
            say(
                "invoices.json, payments.json, negotiations.json, contacts.json: the client's record",
                "invoices.json, payments.json, negotiations.json, contacts.json: el historial del cliente (facturas, pagos, negociaciones, contactos)"),
            say("Each message's SHA-256 can be recomputed with: sha256sum messages/*.eml", "El SHA-256 de cada mensaje puede recalcularse con: sha256sum messages/*.eml"),
        ]
        try (index.joined(separator: "\n") + "\n").write(toFile: folder + "/index.txt", atomically: true, encoding: .utf8)
        print("Exported \(record.code) to \(folder) (index.txt lists what is there).")
    }
}
