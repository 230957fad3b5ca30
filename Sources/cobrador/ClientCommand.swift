import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Add, list, show, edit, pause and resume clients.",
        subcommands: [Add.self, List.self, Show.self, Edit.self, Pause.self, Resume.self])

    /// The details `add` and `edit` share; on `edit`, an option left out keeps the stored value.
    struct Details: ParsableArguments {
        @Option(help: "The client's legal or trading name.") var name: String?
        @Option(help: "An e-mail address; repeat for several (the first is the main recipient). On edit, replaces the list.")
        var email: [String] = []
        @Option(help: "ISO 3166 country code, such as ES or GB.") var country: String?
        @Option(help: "ISO 3166-2 region, such as ES-MD, for regional holidays (\"\" to remove).") var region: String?
        @Option(help: "Language of the messages: es or en (new clients: es for ES, en elsewhere).") var language: String?
        @Option(name: .customLong("time-zone"), help: "IANA time zone, such as Europe/Madrid (none: the configuration's).")
        var timeZone: String?
        @Option(help: "Debtor kind: company, self-employed or consumer (new clients: company).") var kind: String?
        @Option(name: .customLong("tax-id"), help: "Tax identification number (NIF, VAT number...).") var taxID: String?
        @Option(help: "Postal address, on one line.") var address: String?
        @Option(help: "Notes for yourself.") var notes: String?

        func apply(to client: inout Client) throws {
            if let name { client.name = try CommandInput.parse("--name", name) { try FieldRules.singleLine($0) } }
            if !email.isEmpty { client.emails = try email.map { try CommandInput.parse("--email", $0) { try FieldRules.emailAddress($0) } } }
            if let country { client.country = try CommandInput.parse("--country", country) { try FieldRules.country($0) } }
            if let region {
                let country = client.country
                client.region = try CommandInput.parse("--region", region) { $0.isEmpty ? nil : try FieldRules.region($0, country: country) }
            }
            if let language { client.language = try CommandInput.parse("--language", language) { try FieldRules.choice($0, as: Language.self) } }
            if let timeZone { client.timeZone = try CommandInput.parse("--time-zone", timeZone) { try FieldRules.timeZone($0) } }
            if let kind { client.debtorKind = try CommandInput.parse("--kind", kind) { try FieldRules.choice($0, as: DebtorKind.self) } }
            if let taxID { client.taxID = try CommandInput.parse("--tax-id", taxID) { try FieldRules.optionalSingleLine($0) } }
            if let address { client.postalAddress = try CommandInput.parse("--address", address) { try FieldRules.optionalSingleLine($0) } }
            if let notes { client.notes = try CommandInput.parse("--notes", notes) { try FieldRules.freeText($0) } }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a client.",
            discussion: HelpText.flowing("""
                Example:
                  cobrador client add ACME --name "Acme Ibérica S.L." --email pagos@acme.es \\
                      --country ES --tax-id B12345678
                """))

        @OptionGroup var global: GlobalOptions
        @Argument(help: "A short code you choose for the client (letters, digits, '.', '_', '-').") var code: String
        @OptionGroup var details: Details

        func run() throws {
            let (_, ledger) = try global.openLedger()
            // Missing options are usage errors (status 64), like any other wrong command line.
            guard details.name != nil else { throw ValidationError("--name is required to add a client") }
            guard !details.email.isEmpty else { throw ValidationError("at least one --email is required to add a client") }
            guard details.country != nil else { throw ValidationError("--country is required to add a client (such as ES or GB)") }
            var client = Client(
                code: try CommandInput.parse("CODE", code) { try FieldRules.code($0) }, name: "", emails: [], language: .es,
                country: "", debtorKind: .company)
            try details.apply(to: &client)
            if details.language == nil { client.language = client.country == "ES" ? .es : .en }
            let stored = try ledger.addClient(client)
            print("Added client \(stored.code) (\(stored.name)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clients.", discussion: "Example:\n  cobrador client list --json")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let clients = try ledger.clients()
            let refused = try ledger.clientsWithBadAddresses()
            if output.json {
                return try Terminal.printJSON(
                    clients.map { client in
                        var view = JSONView(client)
                        view.refusedAddresses = refused[client.code].map { [["address": $0.address, "reply": $0.reply]] }
                        return view
                    })
            }
            Terminal.printTable(
                ["CODE", "NAME", "EMAIL", "LANG", "COUNTRY", "KIND", "PAUSED"],
                clients.map { client in
                    [
                        client.code, client.name,
                        client.emails.joined(separator: ", ") + (refused[client.code].map { " (refused: \($0.address))" } ?? ""),
                        client.language.rawValue, client.country, client.debtorKind.rawValue, client.pause.map { "yes: \($0.reason)" } ?? "",
                    ]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a client with its invoices, negotiations and contacts.", discussion: "Example:\n  cobrador client show ACME")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The client's code.") var code: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            let client = try ledger.client(code: code)
            let invoices = try ledger.invoices(matching: .init(clientCode: client.code))
            let negotiations = try ledger.negotiations(clientCode: client.code, includeClosed: true)
            let contacts = try ledger.contacts(clientCode: client.code)
            let refused = try ledger.badAddresses(clientCode: client.code)
            if output.json {
                var view = JSONView(client)
                view.invoices = invoices.map(InvoiceCommand.JSONView.init)
                view.negotiations = negotiations.map(NegotiationCommand.JSONView.init)
                view.contacts = contacts.map(ContactCommand.JSONView.init)
                view.refusedAddresses = refused.map { ["address": $0.address, "reply": $0.reply] }
                return try Terminal.printJSON(view)
            }
            Terminal.printFields([
                ("Code", client.code), ("Name", client.name), ("E-mail", client.emails.joined(separator: ", ")),
                ("Language", client.language.rawValue), ("Country", client.country), ("Region", client.region), ("Time zone", client.timeZone ?? "(configuration default)"),
                ("Debtor kind", client.debtorKind.rawValue), ("Tax id", client.taxID), ("Address", client.postalAddress),
                ("Paused", client.pause.map { "\($0.reason)" + ($0.until.map { " (until \($0))" } ?? "") }), ("Notes", client.notes),
                (
                    "Refused", refused.isEmpty ? nil
                        : refused.map { "\($0.address) (\($0.reply)); no e-mail goes to this client until you run client edit \(client.code) --email ..." }
                            .joined(separator: "; ")
                ),
            ])
            print("\nInvoices")
            InvoiceCommand.printTable(invoices, configuration)
            if !negotiations.isEmpty {
                print("\nNegotiations")
                NegotiationCommand.printTable(negotiations)
            }
            if !contacts.isEmpty {
                print("\nContacts")
                ContactCommand.printTable(contacts, zone: TimeZone(identifier: configuration.policy.timeZone) ?? .current)
            }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a client's details; options left out keep their value.",
            discussion: "Example:\n  cobrador client edit ACME --email facturas@acme.es --email cfo@acme.es")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The client's code.") var code: String
        @OptionGroup var details: Details

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let details = details
            let refusedBefore = try ledger.badAddresses(clientCode: code)
            guard details.name != nil || !details.email.isEmpty || details.country != nil || details.region != nil || details.language != nil
                || details.timeZone != nil || details.kind != nil || details.taxID != nil || details.address != nil || details.notes != nil
            else { throw CommandFailure("nothing to change: give at least one option, such as --email (see --help)") }
            let client = try ledger.updateClient(code: code) { try details.apply(to: &$0) }
            print("Updated client \(client.code).")
            if !details.email.isEmpty {
                _ = try ledger.trustAddresses(clientCode: client.code)
                for refused in refusedBefore {
                    print(
                        client.emails.contains { $0.caseInsensitiveCompare(refused.address) == .orderedSame }
                            ? "The relay's refusal of \(refused.address) is forgotten: e-mails to \(client.code) resume."
                            : "\(refused.address), which the relay refused, is replaced: e-mails to \(client.code) resume.")
                }
            }
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop chasing a client, until a date or until resumed.",
            discussion: "Example:\n  cobrador client pause ACME --reason \"Owner on holiday, call in January\" \\\n      --until 2027-01-10")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The client's code.") var code: String
        @Option(help: "Why (shown in `client list` and `client show`).") var reason: String
        @Option(help: "Last day of the pause (YYYY-MM-DD); chasing resumes by itself the day after.") var until: String?

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            let reason = try CommandInput.parse("--reason", reason) { try FieldRules.singleLine($0) }
            let until = try CommandInput.parseIfGiven("--until", until) {
                try FieldRules.date($0, notBefore: CommandInput.today(configuration), meaning: "the end of a pause")
            }
            let client = try ledger.pauseClient(code: code, reason: reason, until: until, now: Date())
            print("Paused client \(client.code)" + (until.map { " until \($0)" } ?? "") + ".")
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume chasing a paused client.", discussion: "Example:\n  cobrador client resume ACME")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The client's code.") var code: String

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let client = try ledger.resumeClient(code: code)
            print("Resumed client \(client.code).")
        }
    }

    /// A client as JSON.
    struct JSONView: Encodable {
        var code: String
        var name: String
        var emails: [String]
        var language: String
        var timeZone: String?
        var country: String
        var region: String?
        var debtorKind: String
        var taxID: String?
        var postalAddress: String?
        var pause: PauseJSON?
        var notes: String?
        var invoices: [InvoiceCommand.JSONView]?
        var negotiations: [NegotiationCommand.JSONView]?
        var contacts: [ContactCommand.JSONView]?
        /// Addresses a relay refused for good, with its reply: no e-mail goes to the client.
        var refusedAddresses: [[String: String]]?

        init(_ client: Client) {
            code = client.code
            name = client.name
            emails = client.emails
            language = client.language.rawValue
            timeZone = client.timeZone
            country = client.country
            region = client.region
            debtorKind = client.debtorKind.rawValue
            taxID = client.taxID
            postalAddress = client.postalAddress
            pause = PauseJSON(client.pause)
            notes = client.notes
        }

        enum CodingKeys: String, CodingKey {
            case code, name, emails, language, country, region, pause, notes, invoices, negotiations, contacts
            case timeZone = "time_zone"
            case debtorKind = "debtor_kind"
            case refusedAddresses = "refused_addresses"
            case taxID = "tax_id"
            case postalAddress = "postal_address"
        }
    }
}
