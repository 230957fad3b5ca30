import ArgumentParser
import CobradorCore
import CobradorLedger
import Foundation

struct PaymentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment", abstract: "Record, list, correct and remove payments received.", subcommands: [Add.self, List.self, Edit.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record money received against an invoice; chasing stops once nothing is owed.",
            discussion: "Example:\n  cobrador payment add F-2026-041 --amount 500.00 --date 2026-11-28 \\\n      --method transfer --reference \"TRF 88231\"")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invoice number.") var invoice: String
        // Unconditional: "-10" is an amount to refuse with a reason, not a missing value.
        @Option(parsing: .unconditional, help: "The amount received, in the invoice's currency, such as 500.00.") var amount: String
        @Option(help: "Value date, YYYY-MM-DD (default: today).") var date: String?
        @Option(help: "How it was paid (transfer, card, cash...).") var method: String?
        @Option(help: "The bank or payment reference.") var reference: String?
        @OptionGroup var moment: MomentOptions

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            // In a rehearsal, "today" is the rehearsed day.
            let now = try moment.moment()
            let today = CommandInput.today(configuration, at: now)
            let target = try ledger.invoice(number: invoice)
            let payment = Payment(
                invoiceID: target.invoice.id ?? 0, amount: try PaymentCommand.amount(amount, in: target.invoice.gross.currency),
                valueDate: try PaymentCommand.valueDate(date, today: today) ?? today,
                method: try CommandInput.parseIfGiven("--method", method) { try FieldRules.optionalSingleLine($0) } ?? nil,
                reference: try CommandInput.parseIfGiven("--reference", reference) { try FieldRules.optionalSingleLine($0) } ?? nil)
            let updated = try ledger.addPayment(payment, invoiceNumber: invoice, recordedAt: now)
            print("Recorded \(payment.amount) on invoice \(invoice): \(PaymentCommand.owed(updated)).")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a payment's amount, date, method or reference, in one step.",
            discussion: HelpText.flowing("""
                The number is the # column of `cobrador payment list`. Correct in one step rather than \
                remove and add: a running daemon notices each change within seconds.
                Example:
                  cobrador payment edit 12 --amount 815.00
                """))

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The payment's number (# in `cobrador payment list`).") var id: Int64
        @Option(parsing: .unconditional, help: "The right amount, such as 815.00.") var amount: String?
        @Option(help: "The right value date, YYYY-MM-DD.") var date: String?
        @Option(help: "How it was paid (transfer, card, cash...).") var method: String?
        @Option(help: "The bank or payment reference.") var reference: String?

        func run() throws {
            let (configuration, ledger) = try global.openLedger()
            guard amount != nil || date != nil || method != nil || reference != nil else {
                throw CommandFailure("nothing to change: give at least one of --amount, --date, --method, --reference")
            }
            let currency = try ledger.payment(id: id).payment.amount.currency
            let newAmount = try amount.map { try PaymentCommand.amount($0, in: currency) }
            let newDate = try PaymentCommand.valueDate(date, today: CommandInput.today(configuration))
            let newMethod = try CommandInput.parseIfGiven("--method", method) { try FieldRules.optionalSingleLine($0) }
            let newReference = try CommandInput.parseIfGiven("--reference", reference) { try FieldRules.optionalSingleLine($0) }
            let (before, invoice) = try ledger.correctPayment(id: id, at: Date()) { payment in
                if let newAmount { payment.amount = newAmount }
                if let newDate { payment.valueDate = newDate }
                if let newMethod { payment.method = newMethod }
                if let newReference { payment.reference = newReference }
            }
            print("Corrected payment #\(id) on invoice \(before.invoiceNumber): now \(PaymentCommand.owed(invoice)).")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a payment recorded by mistake (the same one twice): the invoice owes it again.",
            discussion: HelpText.flowing("""
                The number is the # column of `cobrador payment list`. To correct a wrong amount or date, use \
                `cobrador payment edit` instead: a running daemon notices each change within seconds.
                Example:
                  cobrador payment remove 12
                """))

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The payment's number (# in `cobrador payment list`).") var id: Int64

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let (removed, invoice) = try ledger.removePayment(id: id, at: Date())
            print(
                "Removed payment #\(id) of \(removed.payment.amount) dated \(removed.payment.valueDate) from invoice \(removed.invoiceNumber): "
                    + "now \(PaymentCommand.owed(invoice))\(invoice.invoice.status == .open && invoice.balance.minorUnits > 0 ? ", and chased again" : "").")
        }
    }

    /// What an invoice owes after a change: "paid in full" or "815.00 EUR owed".
    static func owed(_ invoice: InvoiceSummary) -> String {
        invoice.balance.minorUnits == 0 ? "paid in full" : "\(invoice.balance) owed"
    }

    /// An amount received, in the invoice's currency; more than zero.
    static func amount(_ text: String, in currency: Currency) throws -> Money {
        try CommandInput.parse("--amount", text) { try FieldRules.positiveAmount($0, currency: currency) }
    }

    /// A value date given with --date: a real day, not in the future.
    static func valueDate(_ text: String?, today: CalendarDate) throws -> CalendarDate? {
        try CommandInput.parseIfGiven("--date", text) { text in
            let day = try FieldRules.date(text)
            guard day <= today else {
                throw CoreError.invalidValue(field: nil, value: text, reason: "a payment's value date cannot be in the future")
            }
            return day
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List payments, newest first.", discussion: "Example:\n  cobrador payment list --client ACME")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this invoice's payments.") var invoice: String?
        @Option(help: "Only this client's payments.") var client: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, ledger) = try global.openLedger()
            let payments = try ledger.payments(invoiceNumber: invoice, clientCode: client)
            if output.json { return try Terminal.printJSON(payments.map(JSONView.init)) }
            PaymentCommand.printTable(payments)
        }
    }

    static func printTable(_ payments: [PaymentRecord]) {
        Terminal.printTable(
            ["#", "DATE", "INVOICE", "CLIENT", "AMOUNT", "CUR", "METHOD", "REFERENCE"],
            payments.map { record in
                [
                    String(record.payment.id ?? 0), record.payment.valueDate.description, record.invoiceNumber, record.clientCode, record.payment.amount.decimalString,
                    record.payment.amount.currency.code, record.payment.method ?? "", record.payment.reference ?? "",
                ]
            }, rightAligned: [0, 4])
    }

    /// A payment as JSON.
    struct JSONView: Encodable {
        var id: Int64
        var invoice: String
        var client: String
        var amount: MoneyJSON
        var date: String
        var method: String?
        var reference: String?

        init(_ record: PaymentRecord) {
            id = record.payment.id ?? 0
            invoice = record.invoiceNumber
            client = record.clientCode
            amount = MoneyJSON(record.payment.amount)
            date = record.payment.valueDate.description
            method = record.payment.method
            reference = record.payment.reference
        }
    }
}
