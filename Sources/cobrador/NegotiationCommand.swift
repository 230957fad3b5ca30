import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct NegotiationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "negotiation",
        abstract: "Promises to pay, instalment plans and disputes: while one is open, its invoices are not escalated.",
        subcommands: [Open.self, Close.self, List.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a promise, a plan or a dispute for a client.",
            discussion: HelpText.flowing("""
                Without --invoice, it covers every unpaid open invoice of the client.
                Examples:
                  cobrador negotiation open promise ACME --until 2026-12-20 \\
                      --notes "Promised on the phone"
                  cobrador negotiation open plan ACME --instalment 2026-12-15:600.00 \\
                      --instalment 2027-01-15:615.00
                  cobrador negotiation open dispute ACME --invoice F-2026-041 \\
                      --reason "Says chapter 3 was not delivered" \\
                      --review 2026-12-10
                """))

        @OptionGroup var global: GlobalOptions
        @Argument(help: "promise, plan or dispute.") var kind: String
        @Argument(help: "The client's code.") var client: String
        @Option(help: "An invoice to cover; repeat for several.") var invoice: [String] = []
        @Option(help: "For a promise: the day the client promised to pay by (YYYY-MM-DD).") var until: String?
        @Option(help: "For a plan: one agreed payment, DATE:AMOUNT; repeat for each.") var instalment: [String] = []
        @Option(help: "For a dispute: the client's reason (required); optional for the others.") var reason: String?
        @Option(help: "For a dispute: the day to look at it again (YYYY-MM-DD).") var review: String?
        @Option(help: "Notes for yourself.") var notes: String?
        @Flag(name: .customLong("waive-interest"), help: "You agreed not to claim late-payment interest on these invoices.")
        var waiveInterest = false
        @Flag(name: .customLong("waive-compensation"), help: "You agreed not to claim the fixed recovery compensation.")
        var waiveCompensation = false
        @OptionGroup var moment: MomentOptions

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            let openedAt = try moment.moment()
            let today = CommandInput.today(configuration, at: openedAt)
            let kind = try CommandInput.parse("KIND", kind) { try FieldRules.choice($0, as: NegotiationKind.self) }
            var negotiation = Negotiation(
                clientID: 0, kind: kind, invoiceIDs: [], openedAt: openedAt,
                promisedDate: try CommandInput.parseIfGiven("--until", until) { try FieldRules.date($0, notBefore: today, meaning: "a promised date") },
                reviewDate: try CommandInput.parseIfGiven("--review", review) { try FieldRules.date($0, notBefore: today, meaning: "a review date") },
                reason: try CommandInput.parseIfGiven("--reason", reason) { try FieldRules.optionalSingleLine($0) } ?? nil,
                notes: try CommandInput.parseIfGiven("--notes", notes) { try FieldRules.freeText($0) } ?? nil,
                waivesInterest: waiveInterest, waivesCompensation: waiveCompensation)
            switch kind {
            case .promise:
                guard negotiation.promisedDate != nil else { throw CommandFailure("a promise needs --until DATE, the day the client promised to pay by") }
                guard instalment.isEmpty else { throw CommandFailure("--instalment is for plans only") }
            case .plan:
                guard !instalment.isEmpty else { throw CommandFailure("a plan needs at least one --instalment DATE:AMOUNT") }
                guard until == nil else { throw CommandFailure("--until is for promises only; a plan has --instalment dates") }
                let currency = try planCurrency(ledger)
                negotiation.instalments = try instalment.map { text in
                    try CommandInput.parse("--instalment", text) { try Instalment(parsing: $0, currency: currency) }
                }.sorted { $0.dueDate < $1.dueDate }
            case .dispute:
                guard negotiation.reason != nil else { throw CommandFailure("a dispute needs --reason: what the client contests") }
                guard until == nil, instalment.isEmpty else { throw CommandFailure("--until and --instalment are for promises and plans") }
            }
            let record = try ledger.openNegotiation(negotiation, clientCode: client, invoiceNumbers: invoice)
            print("Opened \(kind.rawValue) #\(record.negotiation.id ?? 0) for \(record.clientCode) covering \(record.invoiceNumbers.joined(separator: ", ")).")
        }

        /// The one currency of the invoices the plan covers, to read the instalment amounts in.
        private func planCurrency(_ ledger: Ledger) throws -> Currency {
            let unpaid = try ledger.invoices(matching: .init(clientCode: client, status: .open, unpaidOnly: true))
            let covered = invoice.isEmpty ? unpaid : unpaid.filter { invoice.contains($0.invoice.number) }
            let currencies = Set(covered.map(\.invoice.gross.currency))
            guard currencies.count <= 1 else {
                throw CommandFailure("a plan covers invoices of one currency; name them with --invoice (these are in \(currencies.map(\.code).sorted().joined(separator: ", ")))")
            }
            return currencies.first ?? Currency(code: "EUR")!
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a negotiation with its outcome.",
            discussion: HelpText.flowing("""
                Outcomes: a promise or plan is kept (paid as agreed), broken (escalation resumes at once) or \
                withdrawn (opened by mistake); a dispute is resolved (settled: void or adjust the invoice if the client \
                was right) or withdrawn.
                Example:
                  cobrador negotiation close 3 --outcome broken --note "No payment by the 20th"
                  cobrador negotiation close 4 --outcome resolved --waive-compensation \\
                      --note "Chapter 3 delivered late on our side"
                """))

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The negotiation number (see `cobrador negotiation list`).") var id: Int64
        @Option(help: "kept, broken or withdrawn for a promise or plan; resolved or withdrawn for a dispute.") var outcome: String
        @Option(help: "What happened.") var note: String?
        @Flag(name: .customLong("waive-interest"), help: "You agreed in the end not to claim late-payment interest on its invoices.")
        var waiveInterest = false
        @Flag(name: .customLong("waive-compensation"), help: "You agreed in the end not to claim the fixed recovery compensation (the client was not to blame).")
        var waiveCompensation = false
        @OptionGroup var moment: MomentOptions

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let closedAt = try moment.moment()
            let outcome = try CommandInput.parse("--outcome", outcome) { try FieldRules.choice($0, as: NegotiationOutcome.self) }
            let note = try CommandInput.parseIfGiven("--note", note) { try FieldRules.freeText($0) } ?? nil
            // A waiver given here is kept with the negotiation's own: refused where it would not hold.
            if outcome == .withdrawn && (waiveInterest || waiveCompensation) {
                throw CommandFailure("--outcome withdrawn: a withdrawn negotiation never took effect, so no waiver goes with it; "
                    + "close it with the outcome that happened (kept or resolved) to waive")
            }
            if outcome == .broken && waiveInterest {
                throw CommandFailure("--waive-interest with --outcome broken: a broken agreement's interest runs on what it left unpaid; "
                    + "to forgo it, agree a new promise or plan with --waive-interest (`cobrador negotiation open`)")
            }
            let record = try ledger.closeNegotiation(
                id: id, outcome: outcome, note: note, waivesInterest: waiveInterest, waivesCompensation: waiveCompensation, now: closedAt)
            let waived = [waiveInterest ? "interest" : nil, waiveCompensation ? "compensation" : nil].compactMap { $0 }
            print(
                "Closed \(record.negotiation.kind.rawValue) #\(id) for \(record.clientCode): \(outcome.rawValue)."
                    + (waived.isEmpty ? "" : " No \(waived.joined(separator: " or ")) is claimed on \(record.invoiceNumbers.joined(separator: ", ")) from now on."))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open negotiations (all with --all).", discussion: "Example:\n  cobrador negotiation list --all --client ACME")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this client's negotiations.") var client: String?
        @Flag(help: "Include closed negotiations.") var all = false
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let records = try ledger.negotiations(clientCode: client, includeClosed: all)
            if output.json { return try Terminal.printJSON(records.map(JSONView.init)) }
            NegotiationCommand.printTable(records)
        }
    }

    static func printTable(_ records: [NegotiationRecord]) {
        Terminal.printTable(
            ["#", "KIND", "CLIENT", "INVOICES", "OPENED", "UNTIL/REVIEW", "STATE"],
            records.map { record in
                let negotiation = record.negotiation
                let date = negotiation.promisedDate ?? negotiation.reviewDate ?? negotiation.instalments.last?.dueDate
                return [
                    String(negotiation.id ?? 0), negotiation.kind.rawValue, record.clientCode, record.invoiceNumbers.joined(separator: ", "),
                    CalendarDate(negotiation.openedAt, in: .current).description, date?.description ?? "",
                    negotiation.outcome.map { "closed: \($0.rawValue)" } ?? "open",
                ]
            })
    }

    /// A negotiation as JSON.
    struct JSONView: Encodable {
        struct InstalmentJSON: Encodable {
            var dueDate: String
            var amount: MoneyJSON

            enum CodingKeys: String, CodingKey {
                case amount
                case dueDate = "due_date"
            }
        }

        var id: Int64
        var kind: String
        var client: String
        var invoices: [String]
        var openedAt: Date
        var promisedDate: String?
        var reviewDate: String?
        var instalments: [InstalmentJSON]
        var reason: String?
        var notes: String?
        var waivesInterest: Bool
        var waivesCompensation: Bool
        var closedAt: Date?
        var outcome: String?

        init(_ record: NegotiationRecord) {
            let negotiation = record.negotiation
            id = negotiation.id ?? 0
            kind = negotiation.kind.rawValue
            client = record.clientCode
            invoices = record.invoiceNumbers
            openedAt = negotiation.openedAt
            promisedDate = negotiation.promisedDate?.description
            reviewDate = negotiation.reviewDate?.description
            instalments = negotiation.instalments.map { InstalmentJSON(dueDate: $0.dueDate.description, amount: MoneyJSON($0.amount)) }
            reason = negotiation.reason
            notes = negotiation.notes
            waivesInterest = negotiation.waivesInterest
            waivesCompensation = negotiation.waivesCompensation
            closedAt = negotiation.closedAt
            outcome = negotiation.outcome?.rawValue
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, client, invoices, instalments, reason, notes, outcome
            case openedAt = "opened_at"
            case promisedDate = "promised_date"
            case reviewDate = "review_date"
            case waivesInterest = "waives_interest"
            case waivesCompensation = "waives_compensation"
            case closedAt = "closed_at"
        }
    }
}
