import ArgumentParser
import CobradorCore
import CobradorDaemon
import CobradorLedger
import Foundation

struct InterestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interest",
        abstract: "The statutory late-payment interest and compensation of an invoice, line by line.",
        discussion: HelpText.flowing("""
            Every line shows the period, the days, the base, the rate and the divisor, so
            the debtor or a judge can recompute it. The regime follows the client's
            country and debtor kind.
            Examples:
              cobrador interest F-2026-041
              cobrador interest F-2026-041 --as-of 2026-12-31 --json
            """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The invoice number.") var invoice: String
    @Option(name: .customLong("as-of"), help: "Compute up to this day, YYYY-MM-DD (default: today).") var asOf: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (configuration, ledger) = try global.openLedger()
        let day = try CommandInput.parseIfGiven("--as-of", asOf) { try FieldRules.date($0) } ?? CommandInput.today(configuration)
        if try ledger.invoice(number: invoice).invoice.status == .void {
            throw CommandFailure("invoice \(invoice) is void: it is not owed, so no interest nor compensation accrues")
        }
        let claims = Claims(ledger: ledger, configuration: configuration, rates: try ShippedRates.table(for: configuration))
        let breakdown = try claims.breakdown(invoice, on: day)
        if output.json { return try Terminal.printJSON(JSONView(invoice: invoice, breakdown)) }
        print("Invoice \(invoice), \(breakdown.regime.rawValue), as of \(day):")
        if !breakdown.lines.isEmpty {
            Terminal.printTable(
                ["FROM", "THROUGH", "DAYS", "BASE", "RATE %", "DIVISOR", "INTEREST", "SOURCE"],
                breakdown.lines.map { line in
                    [
                        line.from.description, line.through.description, String(line.days), line.base.description, Self.percent(line.percent), String(line.divisor),
                        line.amount.description, line.source + (line.provisional ? " (provisional)" : ""),
                    ]
                }, rightAligned: [2, 3, 4, 5, 6])
        }
        Terminal.printFields([
            ("Outstanding", breakdown.outstanding.description), ("Interest", breakdown.interest.description),
            ("Compensation", breakdown.compensation?.description), ("Total claimed", breakdown.total.description),
        ])
        breakdown.notes.forEach { print("Note: \($0)") }
        if breakdown.usesProvisionalRate { print("Note: a rate used here is provisional (not confirmed from the official text).") }
    }

    struct JSONView: Encodable {
        struct Line: Encodable {
            var from: String
            var through: String
            var days: Int
            var base: MoneyJSON
            var percent: String
            var divisor: Int
            var amount: MoneyJSON
            var source: String
            var provisional: Bool
        }

        var invoice: String
        var regime: String
        var asOf: String
        var lines: [Line]
        var outstanding: MoneyJSON
        var interest: MoneyJSON
        var compensation: MoneyJSON?
        var total: MoneyJSON
        var notes: [String]

        init(invoice: String, _ breakdown: InterestBreakdown) {
            self.invoice = invoice
            regime = breakdown.regime.rawValue
            asOf = breakdown.asOf.description
            lines = breakdown.lines.map {
                Line(
                    from: $0.from.description, through: $0.through.description, days: $0.days, base: MoneyJSON($0.base), percent: "\($0.percent)",
                    divisor: $0.divisor, amount: MoneyJSON($0.amount), source: $0.source, provisional: $0.provisional)
            }
            outstanding = MoneyJSON(breakdown.outstanding)
            interest = MoneyJSON(breakdown.interest)
            compensation = breakdown.compensation.map(MoneyJSON.init)
            total = MoneyJSON(breakdown.total)
            notes = breakdown.notes.map(\.description)
        }

        enum CodingKeys: String, CodingKey {
            case invoice, regime, lines, outstanding, interest, compensation, total, notes
            case asOf = "as_of"
        }
    }

    /// A rate with at least two decimals ("8.00", "10.50", "10.275"), so the column reads as rates.
    static func percent(_ value: Decimal) -> String {
        let text = "\(value)"
        guard let point = text.firstIndex(of: ".") else { return text + ".00" }
        return text.distance(from: point, to: text.endIndex) == 2 ? text + "0" : text
    }
}
