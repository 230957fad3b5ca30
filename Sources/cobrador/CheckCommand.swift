import ArgumentParser
import CobradorCore
import CobradorLedger
import CobradorMail
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration, open the ledger and look for the templates; exit 1 on any problem.",
        discussion: "Example:\n  cobrador check --config /etc/cobrador/cobrador.toml")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("smtp"), help: "Also connect to the relay: greet, start TLS, log in and quit, sending nothing.")
    var smtp = false

    func run() throws {
        let configuration = try global.loadConfiguration(checkTemplates: true)
        print("Configuration \(configuration.file): OK")
        var problems: [String] = []

        if configuration.sender.iban == nil && configuration.sender.paymentLink == nil {
            problems.append("sender: set iban or payment_link in \(configuration.file): every reminder and the formal notice must say how to pay")
        }
        if let example = SendingReadiness.exampleSenderProblem(configuration) { problems.append(example) }
        do {
            let ledger = try Ledger.open(path: configuration.ledgerPath)
            let version = try ledger.schemaVersion()
            let clients = try ledger.clients()
            let unpaid = try ledger.invoices(matching: .init(status: .open, unpaidOnly: true))
            print("Ledger \(configuration.ledgerPath): schema \(version), \(clients.count) clients, \(unpaid.count) unpaid open invoices")
            // The law's own limits the ledger may cross: said, not refused, as the owner knows the contracts.
            let byCode = Dictionary(clients.map { ($0.code, $0) }) { first, _ in first }
            for summary in unpaid {
                let term = summary.invoice.issueDate.days(until: summary.invoice.dueDate)
                guard term > Self.longestSpanishTerm, let client = byCode[summary.clientCode], client.country == "ES", client.debtorKind != .consumer else { continue }
                print(
                    "Warning: invoice \(summary.invoice.number) (\(client.code)) gives \(term) days to pay (issued \(summary.invoice.issueDate), due \(summary.invoice.dueDate)): "
                        + "between businesses Ley 3/2004 (art. 4) allows at most \(Self.longestSpanishTerm); interest runs from the due date as entered")
            }
            let individualsInUK = clients.filter(ContactPolicy.preActionProtocol(for:)).map(\.code).sorted()
            if !individualsInUK.isEmpty {
                print(
                    "Warning: \(individualsInUK.joined(separator: ", ")): an individual in the UK gets the formal notice as a letter before claim with 30 days to reply; "
                        + "the Pre-Action Protocol for Debt Claims also asks you to send its Information Sheet, Reply Form and Financial Statement "
                        + "with it, which cobrador does not make")
            }
            // A country (or a client's region) with no holidays listed gets messages on its
            // public holidays (Christmas Day to a client in Ireland, 19 March in Valencia): said,
            // not refused, as a new client may come first.
            let unlisted = clients.flatMap { client in
                [client.country, client.region].compactMap { $0 }.filter { configuration.policy.holidays[$0] == nil }.map { ($0, client.code) }
            }
            for (place, without) in Dictionary(grouping: unlisted, by: \.0).sorted(by: { $0.key < $1.key }) {
                print(
                    "Warning: no [policy.holidays] for \(place) (\(without.map(\.1).sorted().joined(separator: ", "))): "
                        + "messages may go out on its public holidays; add \(place) = [YYYY-MM-DD, ...] to \(configuration.file)")
            }
            let codes = Set(clients.map { $0.code.lowercased() })
            for profile in configuration.profiles {
                for code in profile.clients where !codes.contains(code.lowercased()) {
                    problems.append("profile \"\(profile.name)\": no client with code \"\(code)\" in the ledger (see `cobrador client list`)")
                }
            }
        } catch {
            problems.append("ledger: \(error)")
        }

        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: configuration.templatesPath, isDirectory: &isDirectory), isDirectory.boolValue {
            let stages = (configuration.cadence + configuration.profiles.flatMap(\.cadence)).filter { $0.channel == .email }
            var missing: [String] = []
            for language in Language.allCases {
                for template in Set(stages.map(\.template)).sorted() {
                    for part in ["subject", "text"] {
                        let path = "\(configuration.templatesPath)/\(language.rawValue)/\(template).\(part).mustache"
                        if !FileManager.default.fileExists(atPath: path) { missing.append(path) }
                    }
                }
            }
            if missing.isEmpty {
                print("Templates \(configuration.templatesPath): every e-mail stage has a subject and a text in es and en")
                // `init` copied the templates: a copy older than the privacy notice in every
                // message lacks what later versions say to clients. Said, not refused: they are the owner's.
                let copied = "\(configuration.templatesPath)/es/partials/privacy.text.mustache"
                if !FileManager.default.fileExists(atPath: copied) {
                    print(
                        "Warning: \(configuration.templatesPath) was copied from an earlier cobrador: its reminders lack the privacy notice and "
                            + "the reservation of interest on part payments; compare it with \(DefaultTemplates.directory() ?? "the shipped templates") "
                            + "(diff -r) and take what you have not changed yourself")
                }
            } else {
                problems += missing.map { "templates: missing \($0)" }
            }
            problems += templateProblems(configuration)
        } else {
            problems.append("templates: \(configuration.templatesPath) is not a folder (set `templates` in \(configuration.file))")
        }

        do {
            let rates = try ShippedRates.table(for: configuration)
            let provisional = rates.periods.filter(\.provisional)
            print("Interest rates: \(rates.periods.count) periods, \(provisional.count) provisional (notices that use them say so):")
            for period in provisional { print("  provisional: \(period.regime) \(period.from) to \(period.until) \(period.percent)%: \(period.source)") }
        } catch {
            problems.append("interest: \(error)")
        }
        if case .maildir(let path) = configuration.transport {
            print("Transport: Maildir \(path) (nothing is sent; open it with any mail client)")
        } else if case .smtp(let settings) = configuration.transport {
            print("Transport: SMTP \(settings.host):\(settings.port), TLS \(settings.tls.rawValue)")
            // A systemd credential exists only inside the unit; a password file can be read now.
            if !smtp && settings.passwordFile != nil {
                do {
                    _ = try SMTPSecret.read(settings)
                } catch {
                    problems.append("transport: \(error) (read as \(NSUserName()); the service reads it as its own user)")
                }
            }
            if smtp {
                do {
                    let outcome = SMTPTransport(settings: settings, secret: try SMTPSecret.read(settings)).probe()
                    if outcome.kind == .accepted {
                        print("Relay: connected, \(settings.tls == .none ? "no TLS (loopback)" : "TLS verified")\(settings.username == nil ? "" : ", logged in as \(settings.username!)")")
                        outcome.transcript.filter { $0.hasPrefix("< 250") }.forEach { print("  offers: \($0.dropFirst(6))") }
                    } else {
                        problems.append("relay: \(outcome.reply)")
                    }
                } catch {
                    problems.append("relay: \(error)")
                }
            }
        }
        if smtp, case .maildir = configuration.transport {
            print("Relay: none configured ([transport] kind = \"maildir\")")
        }
        // What was found fine goes out before the problems (stderr), even into a pipe.
        fflush(nil)
        guard problems.isEmpty else { throw CommandFailure(problems.joined(separator: "\n")) }
    }

    /// The longest payment term two businesses may agree in Spain (Ley 3/2004, art. 4), in days.
    static let longestSpanishTerm = 60

    /// Parses every template and reports what `SendingReadiness` finds in them.
    private func templateProblems(_ configuration: Configuration) -> [String] {
        do {
            return SendingReadiness.templateProblems(try TemplateSet(folder: configuration.templatesPath), configuration)
        } catch {
            return ["\(error)"]
        }
    }
}
