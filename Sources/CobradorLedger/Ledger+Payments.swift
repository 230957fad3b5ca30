import CobradorCore
import Foundation
import GRDB

extension Ledger {
    /// Records money received against an invoice. The amount must be in the invoice's
    /// currency and no larger than what is still owed; checked in the same transaction that
    /// writes, so a payment recorded meanwhile by another program is taken into account.
    /// `recordedAt` (now, or a rehearsal's moment) is when the owner learnt of it, which the
    /// digest reports from.
    @discardableResult
    package func addPayment(_ payment: Payment, invoiceNumber: String, recordedAt: Date = Date()) throws(LedgerError) -> InvoiceSummary {
        try write { db in
            try Self.insert(payment, invoiceNumber: invoiceNumber, recordedAt: Timestamp.string(recordedAt), db)
            return try Self.invoice(number: invoiceNumber, db)
        }
    }

    package func payment(id: Int64) throws(LedgerError) -> PaymentRecord {
        try read { db in try Self.payment(id: id, db) }
    }

    private static func payment(id: Int64, _ db: GRDB.Database) throws -> PaymentRecord {
        guard let record = try payments(where: "payment.id = ?", arguments: [id], db).first else { throw LedgerError.unknownPayment(id) }
        return record
    }

    /// Removes a payment recorded by mistake (the same one twice): the invoice owes it again,
    /// and is chased again if unpaid. A note among the client's contacts keeps the change.
    /// Returns the payment and the invoice as it is now.
    package func removePayment(id: Int64, at moment: Date) throws(LedgerError) -> (payment: PaymentRecord, invoice: InvoiceSummary) {
        try write { db in
            let record = try Self.payment(id: id, db)
            try db.execute(sql: "DELETE FROM payment WHERE id = ?", arguments: [id])
            let invoice = try Self.invoice(number: record.invoiceNumber, db)
            try Self.recordOwnersNote(
                "payment #\(id) of \(record.payment.amount) dated \(record.payment.valueDate) removed from invoice \(record.invoiceNumber)", about: invoice,
                at: moment, db)
            return (record, invoice)
        }
    }

    /// Corrects a payment recorded with a wrong amount, date, method or reference, in one
    /// transaction (removing and adding it again would let a running daemon chase the invoice
    /// in between), with the same checks as a new payment. A note keeps the change; the payment
    /// keeps when it was first recorded, so the digest does not report it again.
    package func correctPayment(id: Int64, at moment: Date, _ change: @Sendable (inout Payment) throws -> Void) throws(LedgerError) -> (
        before: PaymentRecord, invoice: InvoiceSummary
    ) {
        try write { db in
            let before = try Self.payment(id: id, db)
            let recorded = try String.fetchOne(db, sql: "SELECT created_at FROM payment WHERE id = ?", arguments: [id])
            var payment = before.payment
            try change(&payment)
            try db.execute(sql: "DELETE FROM payment WHERE id = ?", arguments: [id])
            // Checked as a new payment against what is owed without it; it keeps its number.
            try Self.insert(payment, invoiceNumber: before.invoiceNumber, recordedAt: recorded ?? Timestamp.string(moment), db)
            let invoice = try Self.invoice(number: before.invoiceNumber, db)
            try Self.recordOwnersNote(
                "payment #\(id) on invoice \(before.invoiceNumber) corrected: \(before.payment.amount) dated \(before.payment.valueDate) is now "
                    + "\(payment.amount) dated \(payment.valueDate)", about: invoice, at: moment, db)
            return (before, invoice)
        }
    }

    /// A note for the owner among the client's contacts (no stage, so not a cadence step):
    /// what a correction changed, for whoever reads the client's history or the evidence.
    static func recordOwnersNote(_ summary: String, about invoice: InvoiceSummary, at moment: Date, _ db: GRDB.Database) throws {
        try db.execute(
            sql: "INSERT INTO contact (client_id, channel, status, summary, occurred_at) VALUES (?, 'other', 'recorded', ?, ?)",
            arguments: [invoice.invoice.clientID, summary, Timestamp.string(moment)])
        try db.execute(sql: "INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (?, ?)", arguments: [db.lastInsertedRowID, invoice.invoice.id])
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
            return try Self.payments(where: conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), arguments: arguments, db)
        }
    }

    private static func payments(where condition: String, arguments: StatementArguments, _ db: GRDB.Database) throws -> [PaymentRecord] {
        try GRDB.Row.fetchAll(
            db,
            sql: """
                SELECT payment.*, invoice.number, invoice.currency, client.code
                FROM payment JOIN invoice ON invoice.id = payment.invoice_id JOIN client ON client.id = invoice.client_id
                WHERE \(condition)
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

    /// `recordedAt` is the payment's created_at, as stored.
    static func insert(_ payment: Payment, invoiceNumber: String, recordedAt: String, _ db: GRDB.Database) throws {
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
        guard target.balance.minorUnits > 0 else { throw LedgerError.conflict("invoice \(invoiceNumber) is paid in full already; nothing is owed on it") }
        guard payment.amount.minorUnits <= target.balance.minorUnits else {
            throw LedgerError.conflict(
                "the payment of \(payment.amount) is more than the \(target.balance) still owed on invoice \(invoiceNumber)")
        }
        // A new payment has no id yet; a corrected one keeps its own.
        try db.cachedStatement(sql: "INSERT INTO payment (id, invoice_id, amount_minor, value_date, method, reference, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)").execute(
            arguments: [
                payment.id, target.invoice.id, payment.amount.minorUnits, payment.valueDate.description, payment.method, payment.reference,
                recordedAt,
            ])
    }
}
