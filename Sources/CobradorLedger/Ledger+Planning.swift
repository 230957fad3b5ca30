import CobradorCore
import Foundation
import GRDB

extension Ledger {
    /// Statuses of contacts with a stage that count as gone out for planning: sent, in flight,
    /// of unknown fate (never planned again), or a task stage handed to the owner (`recorded`
    /// with a stage). Failed ones do not count; the owner's own notes have no stage and do not
    /// take the client's turn.
    static let plannedStatuses = "'pending', 'sending', 'sent', 'deferred', 'unknown', 'recorded'"

    /// What the planner needs from `now` through `end`: the clients that may have something
    /// happen in that time, each with its open invoices that still owe something (or were paid
    /// in the last 8 days, for a thank-you), their payments, the client's automatic contacts,
    /// and its open negotiations and those broken in the last 30 days.
    ///
    /// A pass must not read the whole ledger: one query over the open invoices and the stages
    /// they reached selects the clients whose next stage falls due by `end` (or that repeat a
    /// stage, or wait for hand-over), and only those are loaded, with the clients in a profile,
    /// under negotiation or recently paid. The rules it uses only ever delay a step, so the
    /// selection is a superset of what the planner acts on.
    package func plannerInput(at now: Date, through end: Date, configuration: CobradorCore.Configuration, clientCode: String? = nil) throws(LedgerError) -> PlannerInput {
        try read { db in
            let clientIDs: [Int64]
            if let clientCode {
                clientIDs = [try Self.client(code: clientCode, db).id!]
            } else {
                clientIDs = try Self.candidateClients(db, now: now, through: end, configuration: configuration)
            }
            guard !clientIDs.isEmpty else { return PlannerInput(clients: []) }
            return try Self.withTemporaryIDs(db, table: "planned_client", clientIDs) {
                try Self.clientFiles(db, recentPayments: CalendarDate(now.addingTimeInterval(-8 * 86_400), in: TimeZone(identifier: "UTC")!), now: now)
            }
        }
    }

    private static func candidateClients(_ db: GRDB.Database, now: Date, through end: Date, configuration: CobradorCore.Configuration) throws -> [Int64] {
        let stages = configuration.cadence
        // Stage names are validated codes ([A-Za-z0-9._-]), so they are safe inside the SQL text.
        let position = "CASE contact.stage " + stages.enumerated().map { "WHEN '\($1.name)' THEN \($0) " }.joined() + "END"
        let nextOffset = "CASE COALESCE(reached.last, -1) + 1 " + stages.enumerated().map { "WHEN \($0) THEN \($1.offsetDays) " }.joined() + "END"
        let repeating = stages.indices.filter { stages[$0].repeatEveryDays != nil }.map(String.init).joined(separator: ", ")
        // A day of margin on each side of UTC dates covers every client time zone.
        let horizon = CalendarDate(end, in: TimeZone(identifier: "UTC")!).adding(days: 1).description
        var ids = Set(
            try Int64.fetchAll(
                db,
                sql: """
                    WITH paid AS (SELECT invoice_id, SUM(amount_minor) AS total FROM payment GROUP BY invoice_id),
                    reached AS (
                        SELECT contact_invoice.invoice_id, MAX(\(position)) AS last, MAX(contact.occurred_at) AS last_at
                        FROM contact_invoice JOIN contact ON contact.id = contact_invoice.contact_id
                        WHERE contact.stage IS NOT NULL AND contact.status IN (\(plannedStatuses))
                        GROUP BY contact_invoice.invoice_id)
                    SELECT DISTINCT invoice.client_id
                    FROM invoice
                    LEFT JOIN paid ON paid.invoice_id = invoice.id
                    LEFT JOIN reached ON reached.invoice_id = invoice.id
                    WHERE invoice.status = 'open' AND invoice.handed_over_at IS NULL AND invoice.gross_minor > COALESCE(paid.total, 0)
                      AND ((COALESCE(reached.last, -1) < \(stages.count - 1) AND date(invoice.due_date, (\(nextOffset)) || ' days') <= ?)
                           OR reached.last IN (\(repeating))
                           OR (reached.last = \(stages.count - 1) AND date(reached.last_at, '+\(configuration.policy.handOverDays) days') <= ?))
                    """, arguments: [horizon, horizon]))
        let since = Timestamp.string(now.addingTimeInterval(-30 * 86_400))
        ids.formUnion(
            try Int64.fetchAll(db, sql: "SELECT DISTINCT client_id FROM negotiation WHERE closed_at IS NULL OR (outcome = 'broken' AND closed_at >= ?)", arguments: [since]))
        if configuration.policy.thankYou {
            let recent = CalendarDate(now.addingTimeInterval(-9 * 86_400), in: TimeZone(identifier: "UTC")!).description
            ids.formUnion(
                try Int64.fetchAll(
                    db, sql: "SELECT DISTINCT invoice.client_id FROM payment JOIN invoice ON invoice.id = payment.invoice_id WHERE payment.value_date >= ?",
                    arguments: [recent]))
        }
        for profile in configuration.profiles {
            for code in profile.clients {
                if let id = try Int64.fetchOne(db, sql: "SELECT id FROM client WHERE code = ?", arguments: [code]) { ids.insert(id) }
            }
        }
        return ids.sorted()
    }

    /// The files of the clients in `planned_client`. Invoices covered by a negotiation the pass
    /// sees are loaded even when settled: a plan counts the payments on all of them.
    private static func clientFiles(_ db: GRDB.Database, recentPayments: CalendarDate, now: Date) throws -> PlannerInput {
        let brokenSince = Timestamp.string(now.addingTimeInterval(-30 * 86_400))
        let payments = try Self.payments(db)
        var invoicesByClient: [Int64: [PlannerInput.InvoiceState]] = [:]
        try SQLiteRow.forEach(
            db.cachedStatement(
                sql: """
                SELECT \(Invoice.columns), invoice.gross_minor - COALESCE(paid.total, 0) AS balance_minor
                FROM invoice
                LEFT JOIN (SELECT invoice_id, SUM(amount_minor) AS total, MAX(value_date) AS last FROM payment
                           WHERE invoice_id IN (SELECT id FROM invoice WHERE client_id IN (SELECT id FROM planned_client))
                           GROUP BY invoice_id) AS paid
                       ON paid.invoice_id = invoice.id
                WHERE invoice.client_id IN (SELECT id FROM planned_client)
                  AND invoice.status = 'open' AND invoice.handed_over_at IS NULL
                  AND (invoice.gross_minor > COALESCE(paid.total, 0) OR paid.last >= ?
                       OR invoice.id IN (SELECT negotiation_invoice.invoice_id FROM negotiation_invoice
                                         JOIN negotiation ON negotiation.id = negotiation_invoice.negotiation_id
                                         WHERE negotiation.client_id IN (SELECT id FROM planned_client)
                                           AND (negotiation.closed_at IS NULL OR (negotiation.outcome = 'broken' AND negotiation.closed_at >= ?))))
                ORDER BY invoice.due_date, invoice.number
                """), recentPayments.description, brokenSince
        ) { row in
            let invoice = Invoice(row)
            invoicesByClient[invoice.clientID, default: []].append(
                PlannerInput.InvoiceState(
                    invoice: invoice, balance: Money(minorUnits: row.int64(Invoice.columnCount), currency: invoice.gross.currency),
                    payments: payments[invoice.id!] ?? []))
        }
        var emails: [Int64: [String]] = [:]
        try SQLiteRow.forEach(
            db.cachedStatement(sql: "SELECT client_id, address FROM client_email WHERE client_id IN (SELECT id FROM planned_client) ORDER BY client_id, position")
        ) { row in
            emails[row.int64(0), default: []].append(row.text(1))
        }
        let contacts = try Self.plannedContacts(db)
        let negotiations = try Self.plannedNegotiations(db, since: now.addingTimeInterval(-30 * 86_400))
        var clients: [PlannerInput.ClientFile] = []
        try SQLiteRow.forEach(db.cachedStatement(sql: "SELECT \(Client.columns) FROM client WHERE id IN (SELECT id FROM planned_client) ORDER BY code")) { row in
            let id = row.int64(0)
            guard let invoices = invoicesByClient[id] else { return }
            clients.append(
                PlannerInput.ClientFile(
                    client: Client(row, emails: emails[id] ?? []), invoices: invoices, contacts: contacts[id] ?? [],
                    negotiations: negotiations[id] ?? []))
        }
        return PlannerInput(clients: clients)
    }

    /// Records what the planner decided that is not a message: a negotiation that broke,
    /// was kept or completed (closed, with an event), a dispute whose review date came (an
    /// event), an invoice handed over. One write transaction per event; recording the same
    /// event twice changes nothing.
    package func record(_ event: PlannedEvent) throws(LedgerError) {
        let cause = event.reasons.joined(separator: "; ")
        try write { db in
            switch event.kind {
            case .message, .task:
                return
            case .handOver:
                for id in event.invoiceIDs {
                    try db.execute(
                        sql: "UPDATE invoice SET handed_over_at = ?, hand_over_cause = ? WHERE id = ? AND handed_over_at IS NULL",
                        arguments: [Timestamp.string(event.at), cause, id])
                }
            case .promiseBroken, .planBroken, .promiseKept, .planCompleted:
                guard let id = event.negotiationID else { return }
                let outcome: NegotiationOutcome = event.kind == .promiseBroken || event.kind == .planBroken ? .broken : .kept
                try db.execute(
                    sql: "UPDATE negotiation SET closed_at = ?, outcome = ?, closing_note = ? WHERE id = ? AND closed_at IS NULL",
                    arguments: [Timestamp.string(event.at), outcome.rawValue, cause, id])
                if db.changesCount > 0 { try Self.logEvent(db, negotiationID: id, kind: event.kind.rawValue, at: event.at, cause: cause) }
            case .disputeReviewDue:
                guard let id = event.negotiationID,
                    try Bool.fetchOne(db, sql: "SELECT 1 FROM negotiation_event WHERE negotiation_id = ? AND kind = ?", arguments: [id, event.kind.rawValue]) != true
                else { return }
                try Self.logEvent(db, negotiationID: id, kind: event.kind.rawValue, at: event.at, cause: cause)
            }
        }
    }

    static func logEvent(_ db: GRDB.Database, negotiationID: Int64, kind: String, at: Date, cause: String) throws {
        try db.execute(
            sql: "INSERT INTO negotiation_event (negotiation_id, at, kind, cause) VALUES (?, ?, ?, ?)",
            arguments: [negotiationID, Timestamp.string(at), kind, cause])
    }

    /// Runs `body` with a temporary table `table(id)` holding `ids`, so queries can join on it
    /// instead of passing thousands of parameters.
    private static func withTemporaryIDs<T>(_ db: GRDB.Database, table: String, _ ids: [Int64], _ body: () throws -> T) throws -> T {
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS \(table) (id INTEGER PRIMARY KEY)")
        try db.execute(sql: "DELETE FROM \(table)")
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO \(table) (id) VALUES (?)")
        for id in ids { try insert.execute(arguments: [id]) }
        defer { try? db.execute(sql: "DELETE FROM \(table)") }
        return try body()
    }

    private static func payments(_ db: GRDB.Database) throws -> [Int64: [Payment]] {
        var result: [Int64: [Payment]] = [:]
        try forEachRow(
            db.cachedStatement(
                sql: """
                    SELECT payment.*, invoice.currency FROM payment JOIN invoice ON invoice.id = payment.invoice_id
                    WHERE invoice.client_id IN (SELECT id FROM planned_client) ORDER BY payment.value_date
                    """)
        ) { row in
            result[row["invoice_id"], default: []].append(
                Payment(
                    id: row["id"], invoiceID: row["invoice_id"], amount: Money(minorUnits: row["amount_minor"], currency: Currency(storedCode: row["currency"])),
                    valueDate: CalendarDate(iso: row["value_date"] as String) ?? CalendarDate(dayNumber: 0)))
        }
        return result
    }

    private static func plannedContacts(_ db: GRDB.Database) throws -> [Int64: [PlannerInput.PastContact]] {
        var byContact: [Int64: (client: Int64, stage: String, at: Date, delivered: Date?, invoices: [Int64])] = [:]
        try forEachRow(
            db.cachedStatement(
                sql: """
                    SELECT contact.id, contact.client_id, contact.stage, contact.occurred_at, contact_invoice.invoice_id,
                           CASE WHEN contact.status = 'recorded' THEN contact.occurred_at ELSE contact.sent_at END AS delivered_at
                    FROM contact LEFT JOIN contact_invoice ON contact_invoice.contact_id = contact.id
                    WHERE contact.client_id IN (SELECT id FROM planned_client) AND contact.stage IS NOT NULL
                      AND contact.status IN (\(plannedStatuses))
                    """)
        ) { row in
            let id: Int64 = row["id"]
            var entry = byContact[id] ?? (row["client_id"], row["stage"], Timestamp.date(row["occurred_at"]) ?? .distantPast, Timestamp.date(row["delivered_at"]), [])
            if let invoice: Int64 = row["invoice_id"] { entry.invoices.append(invoice) }
            byContact[id] = entry
        }
        var result: [Int64: [PlannerInput.PastContact]] = [:]
        for entry in byContact.values.sorted(by: { $0.at < $1.at }) {
            result[entry.client, default: []].append(PlannerInput.PastContact(stage: entry.stage, invoiceIDs: entry.invoices, at: entry.at, deliveredAt: entry.delivered))
        }
        return result
    }

    private static func plannedNegotiations(_ db: GRDB.Database, since: Date) throws -> [Int64: [PlannerInput.NegotiationState]] {
        let ids = try Int64.fetchAll(
            db,
            sql: """
                SELECT id FROM negotiation WHERE client_id IN (SELECT id FROM planned_client)
                  AND (closed_at IS NULL OR closed_at >= ?)
                """, arguments: [Timestamp.string(since)])
        var result: [Int64: [PlannerInput.NegotiationState]] = [:]
        for id in ids {
            let record = try negotiation(id: id, db)
            let recorded = Set(try String.fetchAll(db, sql: "SELECT kind FROM negotiation_event WHERE negotiation_id = ?", arguments: [id]))
            result[record.negotiation.clientID, default: []].append(PlannerInput.NegotiationState(negotiation: record.negotiation, recordedEvents: recorded))
        }
        return result
    }
}
