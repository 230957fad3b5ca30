import CobradorCore
import GRDB

extension Ledger {
    /// The receivables report on `day`. SQLite sums the open balances per client, currency,
    /// bucket and hold, so a million invoices come back as a few thousand rows.
    package func agingReport(on day: CalendarDate) throws(LedgerError) -> AgingReport {
        try read { db in
            var negotiating: [Int64: Set<NegotiationKind>] = [:]
            for row in try GRDB.Row.fetchAll(db, sql: "SELECT DISTINCT client_id, kind FROM negotiation WHERE closed_at IS NULL") {
                if let kind = NegotiationKind(rawValue: row["kind"]) { negotiating[row["client_id"], default: []].insert(kind) }
            }
            let boundaries = AgingReport.Bucket.earliestDueDates(on: day)
            let bucketCase = "CASE " + boundaries.map { "WHEN invoice.due_date >= '\($0.1)' THEN '\($0.0.rawValue)' " }.joined()
                + "ELSE '\(AgingReport.Bucket.over90.rawValue)' END"
            let today = day.description
            let rows = try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT client.id AS client_id, client.code, client.name, open.currency, open.bucket, open.paused,
                           SUM(open.balance) AS balance, COUNT(*) AS invoices
                    FROM (
                        SELECT invoice.client_id, invoice.currency, \(bucketCase) AS bucket,
                               invoice.gross_minor - COALESCE(paid.total, 0) AS balance,
                               invoice.paused_at IS NOT NULL AND (invoice.paused_until IS NULL OR invoice.paused_until >= ?) AS paused
                        FROM invoice
                        LEFT JOIN (SELECT invoice_id, SUM(amount_minor) AS total FROM payment GROUP BY invoice_id) AS paid
                               ON paid.invoice_id = invoice.id
                        WHERE invoice.status = 'open'
                    ) AS open
                    JOIN client ON client.id = open.client_id
                    WHERE open.balance > 0
                    GROUP BY client.id, open.currency, open.bucket, open.paused
                    """, arguments: [today])
            let pausedClients = Set(
                try Int64.fetchAll(
                    db, sql: "SELECT id FROM client WHERE paused_at IS NOT NULL AND (paused_until IS NULL OR paused_until >= ?)", arguments: [today]))
            let items = rows.map { row in
                let clientID: Int64 = row["client_id"]
                return AgingReport.Item(
                    clientCode: row["code"], clientName: row["name"],
                    balance: Money(minorUnits: row["balance"], currency: Currency(storedCode: row["currency"])),
                    bucket: AgingReport.Bucket(rawValue: row["bucket"]) ?? .over90, invoiceCount: row["invoices"],
                    paused: row["paused"] || pausedClients.contains(clientID), negotiations: negotiating[clientID] ?? [])
            }
            return AgingReport(asOf: day, items: items)
        }
    }

    /// Codes of the clients with an open invoice handed over (lawyer, court, agency) that is
    /// still owed: cobrador no longer chases it.
    package func clientsWithHandedOverInvoices() throws(LedgerError) -> Set<String> {
        try read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT client.code FROM invoice JOIN client ON client.id = invoice.client_id
                        WHERE invoice.status = 'open' AND invoice.handed_over_at IS NOT NULL
                          AND invoice.gross_minor > (SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE invoice_id = invoice.id)
                        """))
        }
    }
}
