import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Who owes what, aged by days past due, per client and currency.",
        discussion: HelpText.flowing("""
            HOLD: P = paused, N = a negotiation is open (promise, plan or dispute), R =
            the relay refused the client's address: no e-mail goes until `cobrador client
            edit CODE --email`, H = an invoice was handed over (lawyer, court, agency) and
            is no longer chased.
            Example:
              cobrador status
              cobrador status --as-of 2026-12-31 --json
            """))

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("as-of"), help: "Age the balances as of this day, YYYY-MM-DD (default: today).") var asOf: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (configuration, ledger) = try global.openLedger()
        let day = try CommandInput.parseIfGiven("--as-of", asOf) { try FieldRules.date($0) } ?? CommandInput.today(configuration)
        let report = try ledger.agingReport(on: day)
        let refused = Set(try ledger.clientsWithBadAddresses().keys)
        let handedOver = try ledger.clientsWithHandedOverInvoices()
        if output.json { return try Terminal.printJSON(JSONView(report, refused: refused, handedOver: handedOver)) }
        print("Receivables as of \(day)")
        guard !report.lines.isEmpty else {
            print("Nothing is owed.")
            return
        }
        let buckets = AgingReport.Bucket.allCases
        var rows: [[String]] = []
        for currency in report.totals {
            for line in report.lines where line.currency == currency.currency {
                var markers = line.paused ? "P" : ""
                if !line.negotiations.isEmpty { markers += "N" }
                if refused.contains(line.clientCode) { markers += "R" }
                if handedOver.contains(line.clientCode) { markers += "H" }
                rows.append(
                    [line.clientCode, markers, line.currency.code, String(line.invoiceCount)] + buckets.map { line.amount($0).decimalString }
                        + [line.total.decimalString])
            }
            rows.append(["TOTAL", "", currency.currency.code, String(currency.invoiceCount)] + buckets.map { currency.amount($0).decimalString } + [currency.total.decimalString])
        }
        Terminal.printTable(
            ["CLIENT", "HOLD", "CUR", "INV", "CURRENT", "1-30", "31-60", "61-90", "90+", "TOTAL"], rows, rightAligned: Set(3...9))
    }

    struct JSONView: Encodable {
        struct Line: Encodable {
            var client: String?
            var name: String?
            var currency: String
            var invoices: Int
            var buckets: [String: MoneyJSON]
            var total: MoneyJSON
            var paused: Bool?
            var negotiations: [String]?
            var refusedAddress: Bool?
            var handedOver: Bool?

            enum CodingKeys: String, CodingKey {
                case client, name, currency, invoices, buckets, total, paused, negotiations
                case refusedAddress = "refused_address"
                case handedOver = "handed_over"
            }
        }

        var asOf: String
        var clients: [Line]
        var totals: [Line]

        init(_ report: AgingReport, refused: Set<String>, handedOver: Set<String>) {
            asOf = report.asOf.description
            func buckets(_ line: AgingReport.Line) -> [String: MoneyJSON] {
                Dictionary(uniqueKeysWithValues: AgingReport.Bucket.allCases.map { ($0.rawValue, MoneyJSON(line.amount($0))) })
            }
            clients = report.lines.map { line in
                Line(
                    client: line.clientCode, name: line.clientName, currency: line.currency.code, invoices: line.invoiceCount,
                    buckets: buckets(line), total: MoneyJSON(line.total), paused: line.paused,
                    negotiations: line.negotiations.map(\.rawValue).sorted(), refusedAddress: refused.contains(line.clientCode),
                    handedOver: handedOver.contains(line.clientCode))
            }
            totals = report.totals.map { line in
                Line(currency: line.currency.code, invoices: line.invoiceCount, buckets: buckets(line), total: MoneyJSON(line.total))
            }
        }

        enum CodingKeys: String, CodingKey {
            case clients, totals
            case asOf = "as_of"
        }
    }
}
