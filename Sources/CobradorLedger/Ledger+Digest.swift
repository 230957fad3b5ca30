import CobradorCore
import Foundation
import GRDB

extension Ledger {
    /// What the digest lists: what happened after `start` (the last digest, which listed what
    /// happened up to its own moment) and up to `end`.
    package func digestLines(
        from start: Date, to end: Date, today: CalendarDate, zone: TimeZone, tolerance: @Sendable (Currency) -> Int64
    ) throws(LedgerError) -> DigestLines {
        try read { db in
            var lines = DigestLines()
            let from = Timestamp.string(start)
            let to = Timestamp.string(end)
            // "09:30" today; "2026-11-29 23:10" for what happened before today.
            func time(_ text: String?) -> String {
                guard let date = Timestamp.date(text) else { return "" }
                let local = Planner.localTime(date, in: zone)
                return String(CalendarDate(date, in: zone) == today ? local.dropFirst(11).prefix(5) : local.prefix(16))
            }
            var failed: [(id: Int64, line: [String: String])] = []
            var sentWithIDs: [(id: Int64, line: [String: String])] = []
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT contact.*, client.code, \(Self.contactInvoiceNumbers) AS numbers,
                           (SELECT max(at) FROM attempt_event WHERE attempt_event.contact_id = contact.id AND attempt_event.status = 'failed') AS failed_at
                    FROM contact JOIN client ON client.id = contact.client_id
                    WHERE contact.message IS NOT NULL AND contact.stage IS NOT NULL AND contact.stage <> 'digest'
                      AND ((contact.status = 'sent' AND contact.sent_at > ? AND contact.sent_at <= ?)
                           OR (\(Self.shownStatus("contact.status", reason: "contact.error")) = 'failed' AND failed_at > ? AND failed_at <= ?)
                           OR contact.status = 'unknown')
                    ORDER BY contact.id
                    """, arguments: [from, to, from, to])
            {
                // A failure is dated by its step in the attempt log: a retry given up without
                // being tried again failed days after its last try.
                let line: [String: String] = [
                    "time": time(row["sent_at"] ?? row["failed_at"] ?? row["last_attempt_at"]), "client": row["code"], "stage": row["stage"] ?? "",
                    "invoices": Self.invoiceNumbers(row["numbers"]).joined(separator: ", "), "recipient": row["recipients"] ?? "", "error": row["error"] ?? row["server_reply"] ?? "",
                    "message_id": row["message_id"] ?? "",
                ]
                switch row["status"] as String {
                case "sent":
                    lines.sent.append(line)
                    sentWithIDs.append((row["id"], line))
                case "failed": failed.append((row["id"], line))
                default: lines.unknown.append(line)
                }
            }
            // A failure the pass wrote again and sent since (a retry given up after a relay
            // outage, then planned afresh, maybe with an invoice more) says when: it needs
            // nothing from the owner.
            func invoices(_ line: [String: String]) -> Set<Substring> { Set((line["invoices"] ?? "").split(separator: ", ")) }
            lines.failed = failed.map { id, line in
                guard let later = sentWithIDs.last(where: { sent in
                    sent.id > id && sent.line["client"] == line["client"] && sent.line["stage"] == line["stage"] && invoices(line).isSubset(of: invoices(sent.line))
                }) else { return line }
                return line.merging(["resent": later.line["time"] ?? ""]) { _, new in new }
            }
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT negotiation_event.negotiation_id, negotiation_event.at, negotiation_event.cause, client.code
                    FROM negotiation_event JOIN negotiation ON negotiation.id = negotiation_event.negotiation_id JOIN client ON client.id = negotiation.client_id
                    WHERE negotiation_event.kind IN ('promise-broken', 'plan-broken') AND negotiation_event.at > ? AND negotiation_event.at <= ?
                    """, arguments: [from, to])
            {
                let record = try Self.negotiation(id: row["negotiation_id"], db)
                let negotiation = record.negotiation
                let brokenOn = Timestamp.date(row["at"]).map { CalendarDate($0, in: zone) } ?? today
                // The planner's rule: the first instalment that what was paid from the plan's
                // opening through the day it broke does not cover.
                let paid = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT COALESCE(SUM(amount_minor), 0) FROM payment
                        WHERE invoice_id IN (SELECT invoice_id FROM negotiation_invoice WHERE negotiation_id = ?) AND value_date >= ? AND value_date <= ?
                        """, arguments: [negotiation.id, CalendarDate(negotiation.openedAt, in: zone).description, brokenOn.description]) ?? 0
                lines.broken.append(
                    BrokenNegotiation(
                        client: row["code"], kind: negotiation.kind, invoices: record.invoiceNumbers.joined(separator: ", "), cause: row["cause"],
                        promisedDate: negotiation.promisedDate, missedInstalment: negotiation.kind == .plan ? negotiation.firstUncoveredInstalment(paid: paid) : nil))
            }
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT negotiation.*, client.code,
                           (SELECT group_concat(invoice.number, ', ') FROM negotiation_invoice JOIN invoice ON invoice.id = negotiation_invoice.invoice_id
                            WHERE negotiation_invoice.negotiation_id = negotiation.id) AS numbers
                    FROM negotiation JOIN client ON client.id = negotiation.client_id
                    WHERE negotiation.kind = 'dispute' AND negotiation.closed_at IS NULL AND negotiation.review_date <= ?
                    """, arguments: [today.description])
            {
                lines.reviews.append(
                    DisputeReview(
                        client: row["code"], invoices: row["numbers"] ?? "", reviewDate: (row["review_date"] as String?).flatMap { CalendarDate(iso: $0) },
                        reason: row["reason"] ?? ""))
            }
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT invoice.number, invoice.currency, client.code,
                           invoice.gross_minor - (SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE invoice_id = invoice.id) AS balance_minor
                    FROM invoice JOIN client ON client.id = invoice.client_id
                    WHERE invoice.handed_over_at > ? AND invoice.handed_over_at <= ?
                    """, arguments: [from, to])
            {
                lines.handOvers.append(
                    HandOver(client: row["code"], invoice: row["number"], outstanding: Money(minorUnits: row["balance_minor"], currency: Currency(storedCode: row["currency"]))))
            }
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT client.code, bad_address.address, bad_address.reply, bad_address.marked_at
                    FROM bad_address JOIN client ON client.id = bad_address.client_id ORDER BY client.code, bad_address.address
                    """)
            {
                lines.badAddresses.append(["client": row["code"], "address": row["address"], "reply": row["reply"], "time": time(row["marked_at"])])
            }
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT invoice.number, invoice.currency, invoice.gross_minor, client.code,
                           (SELECT SUM(amount_minor) FROM payment WHERE invoice_id = invoice.id) AS paid_minor,
                           (SELECT max(value_date) FROM payment WHERE invoice_id = invoice.id) AS paid_on
                    FROM invoice JOIN client ON client.id = invoice.client_id
                    WHERE invoice.status = 'open'
                      AND invoice.id IN (SELECT invoice_id FROM payment WHERE datetime(created_at) > datetime(?) AND datetime(created_at) <= datetime(?))
                      AND EXISTS (SELECT 1 FROM contact_invoice JOIN contact ON contact.id = contact_invoice.contact_id
                                  WHERE contact_invoice.invoice_id = invoice.id AND contact.stage IS NOT NULL AND contact.status = 'sent')
                    ORDER BY client.code, invoice.number
                    """, arguments: [from, to])
            {
                let currency = Currency(storedCode: row["currency"])
                let gross: Int64 = row["gross_minor"]
                let paid: Int64 = row["paid_minor"]
                guard gross - paid <= tolerance(currency), let paidOn = CalendarDate(iso: row["paid_on"] as String) else { continue }
                lines.paid.append(
                    PaidInFull(client: row["code"], invoice: row["number"], received: Money(minorUnits: paid, currency: currency), paidOn: paidOn))
            }
            return lines
        }
    }

    /// The pauses with no end that hold back money still owed (open invoices, not handed
    /// over), oldest first: a client's pause with all its invoices owed, then each paused
    /// invoice of a client not paused itself. Nothing ends them but the owner, so the digest
    /// brings them back to mind.
    package func openEndedPauses(zone: TimeZone) throws(LedgerError) -> [OpenEndedPause] {
        try read { db in
            let owed = """
                SELECT invoice.*, invoice.gross_minor - (SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE invoice_id = invoice.id) AS balance_minor
                FROM invoice WHERE invoice.status = 'open' AND invoice.handed_over_at IS NULL
                """
            var pauses: [(at: String, pause: OpenEndedPause)] = []
            func add(_ rows: [GRDB.Row]) {
                // Rows come ordered by what is paused: one pause per client or invoice, summed per currency.
                for row in rows {
                    let key: String = row["paused_key"]
                    let money = Money(minorUnits: row["balance_minor"], currency: Currency(storedCode: row["currency"]))
                    if let last = pauses.indices.last, pauses[last].pause.key == key {
                        pauses[last].pause.add(number: row["number"], owed: money)
                        continue
                    }
                    let since = Timestamp.date(row["paused_at"]).map { CalendarDate($0, in: zone) }
                    var pause = OpenEndedPause(key: key, client: row["code"], since: since, reason: row["pause_reason"], isClient: row["is_client"])
                    pause.add(number: row["number"], owed: money)
                    pauses.append((row["paused_at"], pause))
                }
            }
            add(
                try GRDB.Row.fetchAll(
                    db,
                    sql: """
                        SELECT 'client ' || client.id AS paused_key, 1 AS is_client, client.code, client.paused_at, client.pause_reason,
                               owed.number, owed.currency, owed.balance_minor
                        FROM client JOIN (\(owed)) AS owed ON owed.client_id = client.id
                        WHERE client.paused_at IS NOT NULL AND client.paused_until IS NULL AND owed.balance_minor > 0
                        ORDER BY client.id, owed.due_date, owed.number
                        """))
            add(
                try GRDB.Row.fetchAll(
                    db,
                    sql: """
                        SELECT 'invoice ' || owed.id AS paused_key, 0 AS is_client, client.code, owed.paused_at, owed.pause_reason,
                               owed.number, owed.currency, owed.balance_minor
                        FROM (\(owed)) AS owed JOIN client ON client.id = owed.client_id
                        WHERE owed.paused_at IS NOT NULL AND owed.paused_until IS NULL AND owed.balance_minor > 0
                          AND NOT (client.paused_at IS NOT NULL AND client.paused_until IS NULL)
                        ORDER BY owed.id
                        """))
            return pauses.sorted { $0.at < $1.at }.map(\.pause)
        }
    }

    /// Whether the digest of `day` is done: sent, or possibly delivered (unknown: sending it
    /// again could make two), or refused for good. Only a temporary failure is tried again.
    package func digestDone(day: CalendarDate) throws(LedgerError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM digest WHERE day = ? AND status IN ('sent', 'unknown', 'permanent-failure')", arguments: [day.description]) ?? false
        }
    }

    /// When the last digest before `day` went out, if one did.
    package func lastDigestSent(before day: CalendarDate) throws(LedgerError) -> Date? {
        try read { db in
            Timestamp.date(
                try String.fetchOne(db, sql: "SELECT sent_at FROM digest WHERE status = 'sent' AND day < ? ORDER BY day DESC LIMIT 1", arguments: [day.description]))
        }
    }

    package func recordDigest(day: CalendarDate, at moment: Date, status: String, reply: String) throws(LedgerError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO digest (day, sent_at, status, reply) VALUES (?, ?, ?, ?) ON CONFLICT(day) DO UPDATE SET sent_at = excluded.sent_at, status = excluded.status, reply = excluded.reply",
                arguments: [day.description, Timestamp.string(moment), status, reply])
        }
    }
}
