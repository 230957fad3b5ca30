import CobradorCore
import Foundation
import GRDB

extension Ledger {
    /// Opens a promise, plan or dispute for a client. `invoiceNumbers` empty means every
    /// open invoice of the client that still has something owed. An invoice already covered
    /// by an open negotiation cannot be covered twice; a plan's instalments must add up to at
    /// least what the covered invoices owe, in their one currency.
    @discardableResult
    package func openNegotiation(_ negotiation: Negotiation, clientCode: String, invoiceNumbers: [String]) throws(LedgerError) -> NegotiationRecord {
        try write { db in
            let client = try Self.client(code: clientCode, db)
            let numbers = try invoiceNumbers.isEmpty
                ? String.fetchAll(db.cachedStatement(sql: """
                        SELECT number FROM invoice
                        WHERE client_id = ? AND status = 'open' AND handed_over_at IS NULL
                          AND gross_minor > (SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE invoice_id = invoice.id)
                        ORDER BY due_date, number
                        """), arguments: [client.id])
                : invoiceNumbers
            guard !numbers.isEmpty else {
                throw LedgerError.conflict("client \(client.code) has no unpaid open invoice for a negotiation to cover")
            }
            var covered: [InvoiceSummary] = []
            for number in numbers {
                let summary = try Self.invoice(number: number, db)
                guard summary.invoice.clientID == client.id else {
                    throw LedgerError.conflict("invoice \(number) belongs to client \(summary.clientCode), not \(client.code)")
                }
                guard summary.invoice.status == .open else {
                    throw LedgerError.conflict("invoice \(number) is \(summary.invoice.status.rawValue); only open invoices can be negotiated")
                }
                // cobrador no longer follows it: a promise on it would never be checked.
                guard !summary.handedOver else {
                    throw LedgerError.conflict("invoice \(number) was handed over (lawyer, court or agency); cobrador no longer follows it, so it cannot be negotiated here")
                }
                if let other = try Self.openNegotiationID(covering: summary.invoice.id!, db) {
                    throw LedgerError.conflict("invoice \(number) is already covered by open negotiation #\(other); close it first")
                }
                covered.append(summary)
            }
            if negotiation.kind == .plan {
                try Self.checkPlan(negotiation.instalments, covers: covered)
            }
            try db.cachedStatement(sql: """
                    INSERT INTO negotiation (client_id, kind, opened_at, promised_date, review_date, reason, notes, waive_interest, waive_compensation)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    client.id, negotiation.kind.rawValue, Timestamp.string(negotiation.openedAt), negotiation.promisedDate?.description,
                    negotiation.reviewDate?.description, negotiation.reason, negotiation.notes, negotiation.waivesInterest,
                    negotiation.waivesCompensation,
                ])
            let id = db.lastInsertedRowID
            for summary in covered {
                try db.cachedStatement(sql: "INSERT INTO negotiation_invoice (negotiation_id, invoice_id) VALUES (?, ?)").execute(arguments: [id, summary.invoice.id])
            }
            for instalment in negotiation.instalments {
                try db.cachedStatement(sql: "INSERT INTO instalment (negotiation_id, due_date, amount_minor) VALUES (?, ?, ?)").execute(arguments: [id, instalment.dueDate.description, instalment.amount.minorUnits])
            }
            try Self.logEvent(db, negotiationID: id, kind: "opened", at: negotiation.openedAt, cause: negotiation.reason ?? "opened by the owner")
            return try Self.negotiation(id: id, db)
        }
    }

    /// Closes an open negotiation with its outcome, and the waivers agreed in the end (a
    /// dispute settled without the compensation): they hold for its invoices from then on.
    @discardableResult
    package func closeNegotiation(
        id: Int64, outcome: NegotiationOutcome, note: String?, waivesInterest: Bool = false, waivesCompensation: Bool = false, now: Date
    ) throws(LedgerError) -> NegotiationRecord {
        try write { db in
            let record = try Self.negotiation(id: id, db)
            guard record.negotiation.isOpen else {
                throw LedgerError.conflict("negotiation #\(id) was already closed (\(record.negotiation.outcome?.rawValue ?? "closed"))")
            }
            let fitting: [NegotiationOutcome] = record.negotiation.kind == .dispute ? [.resolved, .withdrawn] : [.kept, .broken, .withdrawn]
            guard fitting.contains(outcome) else {
                throw LedgerError.conflict(
                    "a \(record.negotiation.kind.rawValue) ends \(fitting.map(\.rawValue).joined(separator: ", ")), not \(outcome.rawValue)")
            }
            try db.cachedStatement(sql: """
                    UPDATE negotiation SET closed_at = ?, outcome = ?, closing_note = ?,
                                           waive_interest = max(waive_interest, ?), waive_compensation = max(waive_compensation, ?)
                    WHERE id = ?
                    """).execute(arguments: [Timestamp.string(now), outcome.rawValue, note, waivesInterest, waivesCompensation, id])
            try Self.logEvent(db, negotiationID: id, kind: "closed", at: now, cause: "closed by the owner: \(outcome.rawValue)" + (note.map { "; \($0)" } ?? ""))
            return try Self.negotiation(id: id, db)
        }
    }

    /// Negotiations, newest first; only open ones unless `includeClosed`.
    package func negotiations(clientCode: String? = nil, includeClosed: Bool = false) throws(LedgerError) -> [NegotiationRecord] {
        try read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let clientCode {
                let client = try Self.client(code: clientCode, db)
                conditions.append("client_id = ?")
                arguments += [client.id]
            }
            if !includeClosed { conditions.append("closed_at IS NULL") }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM negotiation \(whereClause) ORDER BY id DESC"), arguments: arguments)
                .map { id in try Self.negotiation(id: id, db) }
        }
    }

    package func negotiation(id: Int64) throws(LedgerError) -> NegotiationRecord {
        try read { db in try Self.negotiation(id: id, db) }
    }

    /// The open negotiation covering `invoiceID`, if any (an invoice is in one at a time).
    /// An open negotiation on the invoice other than `excluded`, if any.
    static func openNegotiationID(covering invoiceID: Int64, except excluded: Int64? = nil, _ db: GRDB.Database) throws -> Int64? {
        try SQLiteRow.first(db.cachedStatement(sql: """
                SELECT negotiation.id FROM negotiation JOIN negotiation_invoice ON negotiation_invoice.negotiation_id = negotiation.id
                WHERE negotiation_invoice.invoice_id = ? AND negotiation.closed_at IS NULL AND negotiation.id IS NOT ?
                """), invoiceID, excluded) { $0.int64(0) }
    }

    static func negotiation(id: Int64, _ db: GRDB.Database) throws -> NegotiationRecord {
        guard
            let row = try GRDB.Row.fetchOne(db.cachedStatement(sql: "SELECT negotiation.*, client.code AS client_code FROM negotiation JOIN client ON client.id = negotiation.client_id WHERE negotiation.id = ?"),
                arguments: [id])
        else { throw LedgerError.unknownNegotiation(id) }
        let invoices = try GRDB.Row.fetchAll(db.cachedStatement(sql: """
                SELECT invoice.id, invoice.number, invoice.currency FROM negotiation_invoice JOIN invoice ON invoice.id = negotiation_invoice.invoice_id
                WHERE negotiation_invoice.negotiation_id = ? ORDER BY invoice.due_date, invoice.number
                """), arguments: [id])
        let currency = Currency(storedCode: invoices.first?["currency"] ?? "EUR")
        let instalments = try GRDB.Row.fetchAll(db.cachedStatement(sql: "SELECT due_date, amount_minor FROM instalment WHERE negotiation_id = ? ORDER BY due_date"), arguments: [id])
            .map { row in
                Instalment(
                    dueDate: CalendarDate(iso: row["due_date"] as String) ?? CalendarDate(dayNumber: 0),
                    amount: Money(minorUnits: row["amount_minor"], currency: currency))
            }
        func day(_ column: String) -> CalendarDate? { (row[column] as String?).flatMap { CalendarDate(iso: $0) } }
        let negotiation = Negotiation(
            id: row["id"], clientID: row["client_id"], kind: NegotiationKind(rawValue: row["kind"]) ?? .dispute,
            invoiceIDs: invoices.map { $0["id"] }, openedAt: Timestamp.date(row["opened_at"]) ?? .distantPast,
            promisedDate: day("promised_date"), reviewDate: day("review_date"), instalments: instalments, reason: row["reason"],
            notes: row["notes"], waivesInterest: row["waive_interest"], waivesCompensation: row["waive_compensation"],
            closedAt: Timestamp.date(row["closed_at"]), outcome: (row["outcome"] as String?).flatMap(NegotiationOutcome.init(rawValue:)))
        return NegotiationRecord(negotiation: negotiation, clientCode: row["client_code"], invoiceNumbers: invoices.map { $0["number"] })
    }

    static func checkPlan(_ instalments: [Instalment], covers invoices: [InvoiceSummary]) throws {
        let currencies = Set(invoices.map(\.balance.currency))
        guard currencies.count == 1, let currency = currencies.first else {
            throw LedgerError.conflict("a plan covers invoices of one currency; these are in \(currencies.map(\.code).sorted().joined(separator: ", "))")
        }
        guard !instalments.isEmpty else { throw LedgerError.conflict("a plan needs at least one instalment") }
        guard Set(instalments.map(\.dueDate)).count == instalments.count else {
            throw LedgerError.conflict("two instalments fall on the same day")
        }
        let owed = invoices.reduce(0) { $0 + $1.balance.minorUnits }
        let planned = instalments.reduce(0) { $0 + $1.amount.minorUnits }
        guard planned >= owed else {
            throw LedgerError.conflict(
                "the instalments add up to \(Money(minorUnits: planned, currency: currency)) but the covered invoices owe \(Money(minorUnits: owed, currency: currency))")
        }
    }
}
