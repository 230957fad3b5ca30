import CobradorCore
import Foundation
import GRDB

extension Ledger {
    /// Which invoices `invoices(matching:)` returns.
    package struct InvoiceFilter: Sendable {
        package var clientCode: String?
        package var status: InvoiceStatus?
        /// Only invoices with something still owed.
        package var unpaidOnly: Bool

        package init(clientCode: String? = nil, status: InvoiceStatus? = nil, unpaidOnly: Bool = false) {
            self.clientCode = clientCode
            self.status = status
            self.unpaidOnly = unpaidOnly
        }
    }

    /// Adds an invoice for the client with `clientCode`; its number must be new.
    @discardableResult
    package func addInvoice(_ invoice: Invoice, clientCode: String) throws(LedgerError) -> InvoiceSummary {
        try write { db in
            let client = try Self.client(code: clientCode, db)
            var invoice = invoice
            invoice.clientID = client.id!
            try Self.insert(invoice, db)
            return try Self.invoice(number: invoice.number, db)
        }
    }

    package func invoices(matching filter: InvoiceFilter = InvoiceFilter()) throws(LedgerError) -> [InvoiceSummary] {
        try read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let code = filter.clientCode {
                _ = try Self.client(code: code, db)
                conditions.append("client.code = ?")
                arguments += [code]
            }
            if let status = filter.status {
                conditions.append("invoice.status = ?")
                arguments += [status.rawValue]
            }
            if filter.unpaidOnly { conditions.append("balance_minor > 0") }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            var summaries: [InvoiceSummary] = []
            try SQLiteRow.forEach(db.makeStatement(sql: "\(Self.summarySelect) \(whereClause) ORDER BY invoice.due_date, invoice.number"), arguments: arguments) {
                summaries.append(InvoiceSummary($0))
            }
            return summaries
        }
    }

    package func invoice(number: String) throws(LedgerError) -> InvoiceSummary {
        try read { db in try Self.invoice(number: number, db) }
    }

    /// Marks an invoice void (issued in error or cancelled): it is never chased again.
    @discardableResult
    package func voidInvoice(number: String) throws(LedgerError) -> InvoiceSummary {
        try setStatus(.void, number: number)
    }

    /// Marks an invoice written off (given up as a loss): it is never chased again.
    @discardableResult
    package func writeOffInvoice(number: String) throws(LedgerError) -> InvoiceSummary {
        try setStatus(.writtenOff, number: number)
    }

    /// Undoes a void or a write-off made by mistake: the invoice is open, and chased, again.
    @discardableResult
    package func reopenInvoice(number: String, at moment: Date) throws(LedgerError) -> InvoiceSummary {
        try write { db in
            let current = try Self.invoice(number: number, db)
            guard current.invoice.status != .open else { throw LedgerError.conflict("invoice \(number) is open already") }
            try db.execute(sql: "UPDATE invoice SET status = 'open' WHERE number = ?", arguments: [number])
            let reopened = try Self.invoice(number: number, db)
            try Self.recordOwnersNote("invoice \(number) reopened (it was \(current.invoice.status.rawValue))", about: reopened, at: moment, db)
            return reopened
        }
    }

    /// Corrects an invoice entered with a wrong amount, dates, concept, attachment or interest
    /// terms (an import keeps the stored one when they differ), in one transaction: the
    /// corrected invoice must still agree with its payments (no more received than it
    /// asks, none dated before its issue; a new currency only with none received) and with
    /// an open plan over it (instalments that cover what it owes). Messages about it that
    /// are waiting to go (a retry) are withdrawn, freeing their stage: the next pass writes
    /// them again from the corrected invoice if still due. Refused while a message about it is being sent. A
    /// note among the client's contacts keeps what changed, and `reason` when given (a credit
    /// note's number). Returns the invoice before and after, and how many messages were withdrawn.
    package func correctInvoice(
        number: String, reason: String? = nil, at moment: Date, _ change: @Sendable (inout Invoice) throws -> Void
    ) throws(LedgerError) -> (
        before: InvoiceSummary, after: InvoiceSummary, withdrawn: Int
    ) {
        try write { db in
            let before = try Self.invoice(number: number, db)
            var invoice = before.invoice
            try change(&invoice)
            let changes = Self.corrections(from: before.invoice, to: invoice)
            guard !changes.isEmpty else { throw LedgerError.conflict("invoice \(number) already says that; nothing was changed") }
            try Self.checkCorrection(invoice, of: before, db)
            let waiting = try Int64.fetchAll(db.cachedStatement(sql: """
                    SELECT contact.id FROM contact JOIN contact_invoice ON contact_invoice.contact_id = contact.id
                    WHERE contact_invoice.invoice_id = ? AND contact.status IN ('pending', 'deferred')
                    """), arguments: [before.invoice.id])
            try db.execute(
                sql: """
                    UPDATE invoice SET concept = ?, issue_date = ?, due_date = ?, gross_minor = ?, currency = ?, attachment = ?,
                                       contract_rate = ?, interest_regime = ?
                    WHERE id = ?
                    """,
                arguments: [
                    invoice.concept, invoice.issueDate.description, invoice.dueDate.description, invoice.gross.minorUnits, invoice.gross.currency.code,
                    invoice.attachment, invoice.contractRate.map { NSDecimalNumber(decimal: $0).stringValue }, invoice.interestRegime?.rawValue,
                    before.invoice.id,
                ])
            let after = try Self.invoice(number: number, db)
            if let open = try Self.openNegotiationID(covering: after.invoice.id!, db).map({ try Self.negotiation(id: $0, db) }), open.negotiation.kind == .plan {
                do {
                    try Self.checkPlan(open.negotiation.instalments, covers: open.invoiceNumbers.map { try Self.invoice(number: $0, db) })
                } catch LedgerError.conflict(let reason) {
                    throw LedgerError.conflict("invoice \(number) is in open plan #\(open.negotiation.id!): \(reason); close the plan first, or agree new instalments")
                }
            }
            for attemptID in waiting {
                try Self.withdraw(attemptID, reason: "invoice \(number) was corrected since it was written; written again from the corrected invoice if still due", at: moment, db)
            }
            try Self.recordOwnersNote(
                "invoice \(number) corrected: " + changes.joined(separator: "; ") + (reason.map { " (\($0))" } ?? ""), about: after, at: moment, db)
            return (before, after, waiting.count)
        }
    }

    /// What a correction changes, in words for the owner's note ("amount 1815.00 EUR is now 1518.00 EUR").
    private static func corrections(from old: Invoice, to new: Invoice) -> [String] {
        func change(_ what: String, _ old: String?, _ new: String?) -> String? {
            old == new ? nil : "\(what) \(old ?? "none") is now \(new ?? "none")"
        }
        return [
            change("amount", old.gross.description, new.gross.description),
            change("issue date", old.issueDate.description, new.issueDate.description),
            change("due date", old.dueDate.description, new.dueDate.description),
            change("concept", old.concept, new.concept),
            change("attachment", old.attachment, new.attachment),
            change("contract rate", old.contractRate.map { "\($0)%" }, new.contractRate.map { "\($0)%" }),
            change("interest regime", old.interestRegime?.rawValue ?? "the client's usual", new.interestRegime?.rawValue ?? "the client's usual"),
        ].compactMap { $0 }
    }

    /// The rules a corrected invoice must still meet with what the ledger holds about it.
    private static func checkCorrection(_ invoice: Invoice, of before: InvoiceSummary, _ db: GRDB.Database) throws {
        let number = invoice.number
        guard invoice.dueDate >= invoice.issueDate else {
            throw LedgerError.conflict("the due date \(invoice.dueDate) would be before the issue date \(invoice.issueDate)")
        }
        if invoice.gross.currency != before.invoice.gross.currency, before.paid.minorUnits > 0 {
            throw LedgerError.conflict(
                "\(before.paid) was received on invoice \(number); its currency cannot change (remove those payments first if they were entered wrongly)")
        }
        if invoice.gross.currency != before.invoice.gross.currency, let open = try openNegotiationID(covering: before.invoice.id!, db) {
            throw LedgerError.conflict("invoice \(number) is covered by open negotiation #\(open), agreed in \(before.invoice.gross.currency.code); close it before changing its currency")
        }
        guard invoice.gross.minorUnits >= before.paid.minorUnits else {
            throw LedgerError.conflict(
                "\(before.paid) was received on invoice \(number), more than \(invoice.gross); correct or remove a payment first (see `cobrador payment list --invoice \(number)`)")
        }
        if let firstPayment = try String.fetchOne(db.cachedStatement(sql: "SELECT min(value_date) FROM payment WHERE invoice_id = ?"), arguments: [before.invoice.id]),
            firstPayment < invoice.issueDate.description
        {
            throw LedgerError.conflict("a payment on invoice \(number) is dated \(firstPayment), before the issue date \(invoice.issueDate)")
        }
        if let sending = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT contact.id FROM contact JOIN contact_invoice ON contact_invoice.contact_id = contact.id
                WHERE contact_invoice.invoice_id = ? AND contact.status = 'sending' LIMIT 1
                """), arguments: [before.invoice.id])
        {
            throw LedgerError.conflict(
                "a message about invoice \(number) is being sent right now (attempt #\(sending)); try again once the pass is over (a minute at most, or the daemon's next start if it stopped mid-pass)")
        }
    }

    @discardableResult
    package func pauseInvoice(number: String, reason: String, until: CalendarDate?, now: Date) throws(LedgerError) -> InvoiceSummary {
        try write { db in
            try Self.requireOpen(try Self.invoice(number: number, db), to: "pause")
            try db.execute(
                sql: "UPDATE invoice SET paused_at = ?, pause_reason = ?, paused_until = ? WHERE number = ?",
                arguments: [Timestamp.string(now), reason, until?.description, number])
            return try Self.invoice(number: number, db)
        }
    }

    @discardableResult
    package func resumeInvoice(number: String) throws(LedgerError) -> InvoiceSummary {
        try write { db in
            try Self.requireOpen(try Self.invoice(number: number, db), to: "resume")
            try db.execute(sql: "UPDATE invoice SET paused_at = NULL, pause_reason = NULL, paused_until = NULL WHERE number = ?", arguments: [number])
            return try Self.invoice(number: number, db)
        }
    }

    private func setStatus(_ status: InvoiceStatus, number: String) throws(LedgerError) -> InvoiceSummary {
        try write { db in
            let current = try Self.invoice(number: number, db)
            guard current.invoice.status == .open else {
                throw LedgerError.conflict("invoice \(number) is already \(current.invoice.status.rawValue)")
            }
            if let negotiation = try Self.openNegotiationID(covering: current.invoice.id!, db) {
                throw LedgerError.conflict("invoice \(number) is covered by open negotiation #\(negotiation); close it first")
            }
            try db.execute(sql: "UPDATE invoice SET status = ? WHERE number = ?", arguments: [status.rawValue, number])
            return try Self.invoice(number: number, db)
        }
    }

    private static func requireOpen(_ summary: InvoiceSummary, to action: String) throws {
        guard summary.invoice.status == .open else {
            throw LedgerError.conflict("invoice \(summary.invoice.number) is \(summary.invoice.status.rawValue); there is nothing to \(action)")
        }
    }

    /// Every invoice as `InvoiceSummary.init(_:)` reads it.
    static let summarySelect = """
        SELECT \(Invoice.columns), client.code AS client_code, client.name AS client_name,
               COALESCE(paid.total, 0) AS paid_minor, invoice.gross_minor - COALESCE(paid.total, 0) AS balance_minor
        FROM invoice
        JOIN client ON client.id = invoice.client_id
        LEFT JOIN (SELECT invoice_id, SUM(amount_minor) AS total FROM payment GROUP BY invoice_id) AS paid
               ON paid.invoice_id = invoice.id
        """

    static func invoice(number: String, _ db: GRDB.Database) throws -> InvoiceSummary {
        guard
            let summary = try SQLiteRow.first(
                db.cachedStatement(
                    sql: """
                    SELECT \(Invoice.columns), client.code AS client_code, client.name AS client_name,
                           (SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE invoice_id = invoice.id) AS paid_minor,
                           invoice.gross_minor - (SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE invoice_id = invoice.id) AS balance_minor
                    FROM invoice JOIN client ON client.id = invoice.client_id
                    WHERE invoice.number = ?
                    """), number, decode: InvoiceSummary.init)
        else { throw LedgerError.unknownInvoice(number) }
        return summary
    }

    static func insert(_ invoice: Invoice, _ db: GRDB.Database) throws {
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM invoice WHERE number = ?"), arguments: [invoice.number]) == true {
            throw LedgerError.duplicateInvoice(invoice.number)
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency, attachment, status,
                                     paused_at, pause_reason, paused_until, contract_rate, interest_regime)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                invoice.number, invoice.clientID, invoice.concept, invoice.issueDate.description, invoice.dueDate.description,
                invoice.gross.minorUnits, invoice.gross.currency.code, invoice.attachment, invoice.status.rawValue,
                invoice.pause.map { Timestamp.string($0.since) }, invoice.pause?.reason, invoice.pause?.until?.description,
                invoice.contractRate.map { NSDecimalNumber(decimal: $0).stringValue }, invoice.interestRegime?.rawValue,
            ])
    }
}

extension Invoice {
    /// The columns `init(_:)` reads, in its order (with handed_over_at last, which
    /// `InvoiceSummary` reads).
    static let columns = """
        invoice.id, invoice.number, invoice.client_id, invoice.concept, invoice.issue_date, invoice.due_date, invoice.gross_minor,
        invoice.currency, invoice.attachment, invoice.status, invoice.paused_at, invoice.pause_reason, invoice.paused_until,
        invoice.contract_rate, invoice.interest_regime, invoice.handed_over_at
        """

    /// The number of `columns`: a query's own columns come after them.
    static let columnCount = Int32(columns.utf8.count { $0 == UInt8(ascii: ",") } + 1)

    /// Reads `columns`. Values that break the schema's rules (possible only if another
    /// program bypassed its CHECKs) fall back to safe ones rather than crash the owner's view.
    init(_ row: SQLiteRow) {
        let currency = Currency(storedCode: row.text(7))
        self.init(
            id: row.int64(0), number: row.text(1), clientID: row.int64(2), concept: row.text(3),
            issueDate: CalendarDate(iso: row.text(4)) ?? CalendarDate(dayNumber: 0),
            dueDate: CalendarDate(iso: row.text(5)) ?? CalendarDate(dayNumber: 0),
            gross: Money(minorUnits: row.int64(6), currency: currency), attachment: row.string(8),
            status: row.string(9).flatMap(InvoiceStatus.init(rawValue:)) ?? .open, pause: Pause(row, from: 10))
        contractRate = row.string(13).flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
        interestRegime = row.string(14).flatMap(InterestRegime.init(rawValue:))
    }
}

extension InvoiceSummary {
    /// Reads `summarySelect`'s columns.
    init(_ row: SQLiteRow) {
        let invoice = Invoice(row)
        let extra = Invoice.columnCount
        self.init(
            invoice: invoice, clientCode: row.text(extra), clientName: row.text(extra + 1),
            paid: Money(minorUnits: row.int64(extra + 2), currency: invoice.gross.currency),
            balance: Money(minorUnits: row.int64(extra + 3), currency: invoice.gross.currency),
            handedOver: row.string(extra - 1) != nil)
    }
}
