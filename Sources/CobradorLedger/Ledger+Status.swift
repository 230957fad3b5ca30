import CobradorCore
import GRDB

extension Ledger {
    /// The receivables report on `day`: every open invoice with something owed, with its
    /// client's pause and the negotiations covering it. One query over the open-invoice index.
    package func agingReport(on day: CalendarDate) throws(LedgerError) -> AgingReport {
        try read { db in
            var negotiating: [Int64: Set<NegotiationKind>] = [:]
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT negotiation_invoice.invoice_id, negotiation.kind FROM negotiation
                    JOIN negotiation_invoice ON negotiation_invoice.negotiation_id = negotiation.id
                    WHERE negotiation.closed_at IS NULL
                    """)
            {
                if let kind = NegotiationKind(rawValue: row["kind"]) { negotiating[row["invoice_id"], default: []].insert(kind) }
            }
            let today = day.description
            let cursor = try GRDB.Row.fetchCursor(
                db,
                sql: """
                    SELECT invoice.id, invoice.due_date, invoice.currency, client.code, client.name,
                           invoice.gross_minor - COALESCE((SELECT SUM(amount_minor) FROM payment WHERE invoice_id = invoice.id), 0) AS balance_minor,
                           (client.paused_at IS NOT NULL AND (client.paused_until IS NULL OR client.paused_until >= ?))
                           OR (invoice.paused_at IS NOT NULL AND (invoice.paused_until IS NULL OR invoice.paused_until >= ?)) AS paused
                    FROM invoice INDEXED BY invoice_open_due
                    JOIN client ON client.id = invoice.client_id
                    WHERE invoice.status = 'open'
                    """, arguments: [today, today])
            var items: [AgingReport.Item] = []
            while let row = try cursor.next() {
                let balance: Int64 = row["balance_minor"]
                guard balance > 0 else { continue }
                items.append(
                    AgingReport.Item(
                        clientCode: row["code"], clientName: row["name"],
                        balance: Money(minorUnits: balance, currency: Currency(storedCode: row["currency"])),
                        dueDate: CalendarDate(iso: row["due_date"] as String) ?? day, paused: row["paused"],
                        negotiations: negotiating[row["id"]] ?? []))
            }
            return AgingReport(asOf: day, items: items)
        }
    }
}
