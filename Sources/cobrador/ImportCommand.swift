import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import clients, invoices or payments from a CSV file: all of it, or nothing.",
        discussion: HelpText.flowing("""
            The first line names the columns (any order):
              clients:  code, name, email, country [, region, language, time_zone, debtor_kind, tax_id, address, notes]
              invoices: number, client, concept, issue_date, due_date, amount [, currency, attachment, contract_rate, interest_regime]
              payments: invoice, amount, date [, currency, method, reference]
            Dates are YYYY-MM-DD; amounts are plain numbers (1234.56, or 1234,56 with
            --decimal-comma). Several e-mail addresses go in one field separated by ';'.
            Re-importing the same file changes nothing. A row that fails its checks means
            nothing is imported (exit status 1). An invoice already in the ledger with
            other values is not applied: the rest is imported, those rows are listed, and
            the exit status is 2 (correct such an invoice with `cobrador invoice edit`).
            Examples:
              cobrador import clients clients.csv
              cobrador import invoices invoices.csv --decimal-comma
            """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: "clients, invoices or payments.") var kind: String
    @Argument(help: "The CSV file (UTF-8).") var file: String
    @Flag(name: .customLong("decimal-comma"), help: "Amounts use a decimal comma (1234,56); default from [import] decimal_comma.")
    var decimalComma = false
    @Flag(name: .customLong("ignore-unknown-columns"), help: "Skip columns cobrador does not know instead of refusing the file.")
    var ignoreUnknownColumns = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (configuration, ledger) = try global.openLedger()
        let kind = try CommandInput.parse("KIND", kind) { try FieldRules.choice($0, as: CSVImport.Kind.self) }
        var settings = configuration.csvImport
        settings.decimalComma = settings.decimalComma || decimalComma
        var progress: (@Sendable (Int, Int) -> Void)?
        if Terminal.standardErrorIsTerminal && !output.json {
            progress = { done, total in
                let end = done == total ? "\n" : ""
                FileHandle.standardError.write(Data("\rimporting: \(done) of \(total) rows\(end)".utf8))
            }
        }
        let importer = CSVImport(
            kind: kind, settings: settings, ignoreUnknownColumns: ignoreUnknownColumns, today: CommandInput.today(configuration))
        let summary = try importer.run(file: absolute(file), into: ledger, progress: progress)
        if output.json {
            try Terminal.printJSON(
                JSONView(
                    rows: summary.rows, added: summary.added, updated: summary.updated, unchanged: summary.unchanged,
                    conflicts: summary.conflicts.map { $0.description }))
            if !summary.conflicts.isEmpty { throw ExitCode(2) }
            return
        }
        let conflicts = summary.conflicts.isEmpty ? "" : ", \(summary.conflicts.count) differ from the ledger (not applied)"
        print("Imported \(file): \(summary.rows) row\(summary.rows == 1 ? "" : "s"), \(summary.added) added, \(summary.updated) updated, \(summary.unchanged) unchanged\(conflicts).")
        if !summary.conflicts.isEmpty {
            Terminal.warn("\(summary.conflicts.count) row(s) differ from what the ledger holds and were not applied; check them:")
            summary.conflicts.forEach { Terminal.warn("  \(file): \($0)") }
            throw ExitCode(2)
        }
    }

    struct JSONView: Encodable {
        var rows: Int
        var added: Int
        var updated: Int
        var unchanged: Int
        var conflicts: [String]
    }
}

extension CSVImport.Kind: ExpressibleByArgument {}
