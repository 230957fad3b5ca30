import CobradorCore
import GRDB

extension Ledger {
    /// Records money received against an invoice. The amount must be in the invoice's
    /// currency and no larger than what is still owed; checked in the same transaction that
    /// writes, so a payment recorded meanwhile by another program is taken into account.
    @discardableResult
    package func addPayment(_ payment: Payment, invoiceNumber: String) throws(LedgerError) -> InvoiceSummary {
        try write { db in
            try Self.insert(payment, invoiceNumber: invoiceNumber, db)
            return try Self.invoice(number: invoiceNumber, db)
        }
    }

    /// Payments, newest value date first; only those of one invoice or one client if asked.
    package func payments(invoiceNumber: String? = nil, clientCode: String? = nil) throws(LedgerError) -> [PaymentRecord] {
        try read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let invoiceNumber {
                _ = try Self.invoice(number: invoiceNumber, db)
                conditions.append("invoice.number = ?")
                arguments += [invoiceNumber]
            }
            if let clientCode {
                _ = try Self.client(code: clientCode, db)
                conditions.append("client.code = ?")
                arguments += [clientCode]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT payment.*, invoice.number, invoice.currency, client.code
                    FROM payment JOIN invoice ON invoice.id = payment.invoice_id JOIN client ON client.id = invoice.client_id
                    \(whereClause)
                    ORDER BY payment.value_date DESC, payment.id DESC
                    """, arguments: arguments
            ).map { row in
                PaymentRecord(
                    payment: Payment(
                        id: row["id"], invoiceID: row["invoice_id"],
                        amount: Money(minorUnits: row["amount_minor"], currency: Currency(storedCode: row["currency"])),
                        valueDate: CalendarDate(iso: row["value_date"] as String) ?? CalendarDate(dayNumber: 0),
                        method: row["method"], reference: row["reference"]),
                    invoiceNumber: row["number"], clientCode: row["code"])
            }
        }
    }

    static func insert(_ payment: Payment, invoiceNumber: String, _ db: GRDB.Database) throws {
        let target = try invoice(number: invoiceNumber, db)
        guard target.invoice.status == .open else {
            throw LedgerError.conflict("invoice \(invoiceNumber) is \(target.invoice.status.rawValue); payments go on open invoices only")
        }
        guard payment.amount.currency == target.invoice.gross.currency else {
            throw LedgerError.conflict(
                "invoice \(invoiceNumber) is in \(target.invoice.gross.currency.code); the payment is in \(payment.amount.currency.code)")
        }
        guard payment.valueDate >= target.invoice.issueDate else {
            throw LedgerError.conflict(
                "the payment's date \(payment.valueDate) is before invoice \(invoiceNumber) was issued (\(target.invoice.issueDate))")
        }
        guard payment.amount.minorUnits <= target.balance.minorUnits else {
            throw LedgerError.conflict(
                "the payment of \(payment.amount) is more than the \(target.balance) still owed on invoice \(invoiceNumber)")
        }
        try db.cachedStatement(sql: "INSERT INTO payment (invoice_id, amount_minor, value_date, method, reference) VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [target.invoice.id, payment.amount.minorUnits, payment.valueDate.description, payment.method, payment.reference])
    }
}
