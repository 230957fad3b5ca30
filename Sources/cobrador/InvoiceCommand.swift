import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct InvoiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice",
        abstract: "Add, list, show, correct, void, write off, reopen, pause and resume invoices.",
        subcommands: [Add.self, List.self, Show.self, Edit.self, Void.self, WriteOff.self, Reopen.self, Pause.self, Resume.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an invoice.",
            discussion: HelpText.flowing("""
                Example:
                  cobrador invoice add F-2026-041 --client ACME \\
                      --concept "Translation of the annual report" \\
                      --issued 2026-11-02 --due 2026-12-02 --amount 1815.00 \\
                      --currency EUR --attachment /srv/invoices/F-2026-041.pdf
                """))

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number, as printed on the invoice.") var number: String
        @Option(help: "The client's code.") var client: String
        @Option(help: "What was sold, on one line.") var concept: String
        @Option(help: "Issue date, YYYY-MM-DD (default: today).") var issued: String?
        @Option(help: "Due date, YYYY-MM-DD.") var due: String
        // Unconditional: "-10" is an amount to refuse with a reason, not a missing value.
        @Option(parsing: .unconditional, help: "Total including tax, such as 1815.00 (no thousands separators).") var amount: String
        @Option(help: "ISO 4217 currency (default: [import] default_currency).") var currency: String?
        @Option(help: "The invoice PDF to attach to messages.") var attachment: String?
        @Option(name: .customLong("contract-rate"), help: "A late-payment rate agreed in the contract, percent a year (it replaces the statutory one).")
        var contractRate: String?
        @Option(name: .customLong("interest-regime"), help: "es-business, es-consumer, eu-business, uk-business or none, when not the client's usual one.")
        var interestRegime: String?

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            guard let currency = try CommandInput.parseIfGiven("--currency", currency, { try FieldRules.currency($0) }) ?? configuration.csvImport.defaultCurrency
            else { throw CommandFailure("--currency is required (or set [import] default_currency in the configuration)") }
            let issueDate = try CommandInput.parseIfGiven("--issued", issued) { try FieldRules.date($0) } ?? CommandInput.today(configuration)
            let dueDate = try CommandInput.parse("--due", due) { try FieldRules.date($0) }
            guard dueDate >= issueDate else { throw CommandFailure("--due \(dueDate) is before the issue date \(issueDate)") }
            let attachmentPath = try attachment.map(InvoiceCommand.readableAttachment)
            var invoice = Invoice(
                number: try CommandInput.parse("NUMBER", number) { try FieldRules.singleLine($0, maxLength: 64) }, clientID: 0,
                concept: try CommandInput.parse("--concept", concept) { try FieldRules.singleLine($0) }, issueDate: issueDate,
                dueDate: dueDate,
                gross: try CommandInput.parse("--amount", amount) { try FieldRules.positiveAmount($0, currency: currency) },
                attachment: attachmentPath)
            invoice.contractRate = try CommandInput.parseIfGiven("--contract-rate", contractRate) { try FieldRules.percent($0) }
            invoice.interestRegime = try CommandInput.parseIfGiven("--interest-regime", interestRegime) { try FieldRules.choice($0, as: InterestRegime.self) }
            let stored = try ledger.addInvoice(invoice, clientCode: client)
            print("Added invoice \(stored.invoice.number) for \(stored.clientCode): \(stored.invoice.gross), due \(stored.invoice.dueDate).")
        }
    }

    /// The absolute path of a PDF given with `--attachment`: the daemon reads it from another directory.
    static func readableAttachment(_ path: String) throws -> String {
        let absolutePath = absolute(try CommandInput.parse("--attachment", path) { try FieldRules.singleLine($0) })
        guard FileManager.default.isReadableFile(atPath: absolutePath) else {
            throw CommandFailure("--attachment: \(absolutePath) does not exist or cannot be read")
        }
        return absolutePath
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List invoices with what is still owed.", discussion: "Example:\n  cobrador invoice list --client ACME --unpaid")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this client's invoices.") var client: String?
        @Option(help: "Only invoices with this status: open, void or written-off.") var status: String?
        @Flag(help: "Only invoices with something still owed.") var unpaid = false
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            let status = try CommandInput.parseIfGiven("--status", status) { try FieldRules.choice($0, as: InvoiceStatus.self) }
            let invoices = try ledger.invoices(matching: .init(clientCode: client, status: status, unpaidOnly: unpaid))
            if output.json { return try Terminal.printJSON(invoices.map(JSONView.init)) }
            InvoiceCommand.printTable(invoices, configuration)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an invoice with its payments.", discussion: "Example:\n  cobrador invoice show F-2026-041")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number.") var number: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            let summary = try ledger.invoice(number: number)
            let payments = try ledger.payments(invoiceNumber: number)
            if output.json {
                var view = JSONView(summary)
                view.payments = payments.map(PaymentCommand.JSONView.init)
                return try Terminal.printJSON(view)
            }
            let invoice = summary.invoice
            Terminal.printFields([
                ("Number", invoice.number), ("Client", "\(summary.clientCode) (\(summary.clientName))"), ("Concept", invoice.concept),
                ("Issued", invoice.issueDate.description), ("Due", invoice.dueDate.description), ("Gross", invoice.gross.description),
                ("Paid", summary.paid.description), ("Balance", summary.balance.description),
                ("Status", InvoiceCommand.status(summary, configuration)),
                ("Attachment", invoice.attachment),
                // A pause past its end is over: chasing resumed.
                ("Paused", invoice.pause.flatMap { $0.isActive(on: CommandInput.today(configuration)) ? $0 : nil }.map { "\($0.reason)" + ($0.until.map { " (until \($0))" } ?? "") }),
                ("Handed over", summary.handedOver ? "yes: no automatic message goes out for it" : nil),
            ])
            if !payments.isEmpty {
                print("\nPayments")
                PaymentCommand.printTable(payments)
            }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct an invoice entered wrongly; options left out keep their value.",
            discussion: HelpText.flowing("""
                For a mistake in the ledger (the invoice itself says otherwise), or a credit note that \
                lowers what the invoice asks (give its number with --reason). A message about it \
                waiting for a retry is withdrawn and written again from the corrected invoice if still due; \
                messages already sent stay as they went. A note among the client's contacts keeps \
                what changed.
                Example:
                  cobrador invoice edit F-2026-041 --amount 1518.00 --due 2026-12-12
                  cobrador invoice edit F-2026-041 --amount 1215.00 \\
                      --reason "credit note AB-2026-007"
                """))

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number.") var number: String
        @Option(help: "What was sold, on one line.") var concept: String?
        @Option(help: "Issue date, YYYY-MM-DD.") var issued: String?
        @Option(help: "Due date, YYYY-MM-DD.") var due: String?
        @Option(parsing: .unconditional, help: "Total including tax, such as 1518.00.") var amount: String?
        @Option(help: "ISO 4217 currency (only while nothing was received on it).") var currency: String?
        @Option(help: "The invoice PDF to attach to messages.") var attachment: String?
        @Flag(name: .customLong("no-attachment"), help: "Attach no PDF.") var noAttachment = false
        @Option(name: .customLong("contract-rate"), help: "A late-payment rate agreed in the contract, percent a year.") var contractRate: String?
        @Flag(name: .customLong("no-contract-rate"), help: "No contract rate: the statutory one applies.") var noContractRate = false
        @Option(name: .customLong("interest-regime"), help: "es-business, es-consumer, eu-business, uk-business, none, or usual (the client's usual one).")
        var interestRegime: String?
        @Option(help: "Why, kept in the client's history (a credit note's number...).") var reason: String?

        func run() throws {
            let (_, ledger) = try global.openLedger()
            guard [concept, issued, due, amount, currency, attachment, contractRate, interestRegime].contains(where: { $0 != nil }) || noAttachment || noContractRate
            else { throw CommandFailure("nothing to change: give at least one option, such as --amount or --due (see --help)") }
            if attachment != nil && noAttachment { throw CommandFailure("--attachment and --no-attachment cannot be given together") }
            if contractRate != nil && noContractRate { throw CommandFailure("--contract-rate and --no-contract-rate cannot be given together") }
            if currency != nil && amount == nil { throw CommandFailure("--currency needs --amount: the total in the new currency") }
            let newCurrency = try CommandInput.parseIfGiven("--currency", currency) { try FieldRules.currency($0) } ?? ledger.invoice(number: number).invoice.gross.currency
            let newConcept = try CommandInput.parseIfGiven("--concept", concept) { try FieldRules.singleLine($0) }
            let newIssued = try CommandInput.parseIfGiven("--issued", issued) { try FieldRules.date($0) }
            let newDue = try CommandInput.parseIfGiven("--due", due) { try FieldRules.date($0) }
            let newGross = try CommandInput.parseIfGiven("--amount", amount) {
                try FieldRules.positiveAmount($0, currency: newCurrency)
            }
            let newAttachment = try attachment.map(InvoiceCommand.readableAttachment)
            let newRate = try CommandInput.parseIfGiven("--contract-rate", contractRate) { try FieldRules.percent($0) }
            let newRegime = try CommandInput.parseIfGiven("--interest-regime", interestRegime) { text -> InterestRegime? in
                text == "usual" ? nil : try FieldRules.choice(text, as: InterestRegime.self)
            }
            let reason = try CommandInput.parseIfGiven("--reason", reason) { try FieldRules.singleLine($0) }
            let (noAttachment, noContractRate) = (noAttachment, noContractRate)
            let (before, after, withdrawn) = try ledger.correctInvoice(number: number, reason: reason, at: Date()) { invoice in
                if let newConcept { invoice.concept = newConcept }
                if let newIssued { invoice.issueDate = newIssued }
                if let newDue { invoice.dueDate = newDue }
                if let newGross { invoice.gross = newGross }
                if let newAttachment { invoice.attachment = newAttachment }
                if noAttachment { invoice.attachment = nil }
                if let newRate { invoice.contractRate = newRate }
                if noContractRate { invoice.contractRate = nil }
                if let newRegime { invoice.interestRegime = newRegime }
            }
            print("Corrected invoice \(after.invoice.number): \(after.invoice.gross), due \(after.invoice.dueDate); \(after.balance) owed.")
            if withdrawn > 0 {
                print("\(withdrawn) message\(withdrawn == 1 ? "" : "s") about it waiting for a retry \(withdrawn == 1 ? "was" : "were") withdrawn; the next pass writes \(withdrawn == 1 ? "it" : "them") again from the corrected invoice if still due.")
            }
            if let open = try ledger.negotiations(clientCode: after.clientCode, includeClosed: false).first(where: { $0.invoiceNumbers.contains(after.invoice.number) }) {
                let id = open.negotiation.id ?? 0
                print(
                    "It is in open \(open.negotiation.kind.rawValue) #\(id), which goes on as agreed: "
                        + (open.negotiation.kind == .dispute
                            ? "close it once settled (cobrador negotiation close \(id) --outcome resolved)."
                            : "check that it still fits (cobrador negotiation list)."))
            }
            let sent = try ledger.attemptLines(.init(invoiceNumber: number, status: "sent")).count
            if sent > 0 && (before.invoice.gross != after.invoice.gross || before.invoice.dueDate != after.invoice.dueDate) {
                print("\(sent) message\(sent == 1 ? "" : "s") already sent about it quoted the old figures (cobrador log --invoice \(number)); tell the client if it matters.")
            }
        }
    }

    struct Void: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Void an invoice issued in error or cancelled: it is never chased again.",
            discussion: "Example:\n  cobrador invoice void F-2026-041")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number.") var number: String

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let voided = try ledger.voidInvoice(number: number)
            // Money received on it stays recorded: the owner may owe it back.
            print("Voided invoice \(number)" + (voided.paid.minorUnits > 0 ? "; \(voided.paid) received on it stays recorded (refund it if due)." : "."))
        }
    }

    struct WriteOff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write-off", abstract: "Write an invoice off as a loss: it is never chased again.",
            discussion: "Example:\n  cobrador invoice write-off F-2024-007")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number.") var number: String

        func run() throws {
            let (_, ledger) = try global.openLedger()
            try ledger.writeOffInvoice(number: number)
            print("Wrote off invoice \(number).")
        }
    }

    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a void or a write-off made by mistake: the invoice is open, and chased, again.",
            discussion: "Example:\n  cobrador invoice reopen F-2026-041")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number.") var number: String

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let invoice = try ledger.reopenInvoice(number: number, at: Date())
            print("Reopened invoice \(number): \(invoice.balance) owed.")
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop chasing one invoice, until a date or until resumed.",
            discussion: "Example:\n  cobrador invoice pause F-2026-041 \\\n      --reason \"Waiting for the client's PO number\" --until 2026-12-15")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number.") var number: String
        @Option(help: "Why.") var reason: String
        @Option(help: "Last day of the pause (YYYY-MM-DD).") var until: String?

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            let reason = try CommandInput.parse("--reason", reason) { try FieldRules.singleLine($0) }
            let until = try CommandInput.parseIfGiven("--until", until) {
                try FieldRules.date($0, notBefore: CommandInput.today(configuration), meaning: "the end of a pause")
            }
            try ledger.pauseInvoice(number: number, reason: reason, until: until, now: Date())
            print("Paused invoice \(number)" + (until.map { " until \($0)" } ?? "") + ".")
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume chasing a paused invoice.", discussion: "Example:\n  cobrador invoice resume F-2026-041")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number.") var number: String

        func run() throws {
            let (_, ledger) = try global.openLedger()
            try ledger.resumeInvoice(number: number)
            print("Resumed invoice \(number).")
        }
    }

    /// "open", or what keeps an open invoice from being chased: "open, paid", "open, within
    /// tolerance" (`[policy.tolerance]`), "open, handed over", "open, paused" (a pause past its
    /// end is over).
    static func status(_ summary: InvoiceSummary, _ configuration: Configuration) -> String {
        let invoice = summary.invoice
        guard invoice.status == .open else { return invoice.status.rawValue }
        let balance = summary.balance.minorUnits
        let holds = [
            balance <= 0 ? "paid" : balance <= configuration.policy.tolerance(for: summary.balance.currency) ? "within tolerance" : nil,
            summary.handedOver ? "handed over" : nil,
            invoice.pause.map { $0.isActive(on: CommandInput.today(configuration)) } == true ? "paused" : nil,
        ].compactMap { $0 }
        return ([invoice.status.rawValue] + holds).joined(separator: ", ")
    }

    static func printTable(_ invoices: [InvoiceSummary], _ configuration: Configuration) {
        Terminal.printTable(
            ["NUMBER", "CLIENT", "ISSUED", "DUE", "GROSS", "BALANCE", "CUR", "STATUS"],
            invoices.map { summary in
                let invoice = summary.invoice
                let status = status(summary, configuration)
                return [
                    invoice.number, summary.clientCode, invoice.issueDate.description, invoice.dueDate.description,
                    invoice.gross.decimalString, summary.balance.decimalString, invoice.gross.currency.code, status,
                ]
            }, rightAligned: [4, 5])
    }

    /// An invoice as JSON.
    struct JSONView: Encodable {
        var number: String
        var client: String
        var concept: String
        var issueDate: String
        var dueDate: String
        var gross: MoneyJSON
        var paid: MoneyJSON
        var balance: MoneyJSON
        var status: String
        var attachment: String?
        var pause: PauseJSON?
        var payments: [PaymentCommand.JSONView]?

        init(_ summary: InvoiceSummary) {
            number = summary.invoice.number
            client = summary.clientCode
            concept = summary.invoice.concept
            issueDate = summary.invoice.issueDate.description
            dueDate = summary.invoice.dueDate.description
            gross = MoneyJSON(summary.invoice.gross)
            paid = MoneyJSON(summary.paid)
            balance = MoneyJSON(summary.balance)
            status = summary.invoice.status.rawValue
            attachment = summary.invoice.attachment
            pause = PauseJSON(summary.invoice.pause)
        }

        enum CodingKeys: String, CodingKey {
            case number, client, concept, gross, paid, balance, status, attachment, pause, payments
            case issueDate = "issue_date"
            case dueDate = "due_date"
        }
    }
}
