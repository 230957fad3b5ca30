import CobradorCore
import Foundation
import GRDB

extension Ledger {
    /// Adds a client; its code must be new.
    @discardableResult
    package func addClient(_ client: Client) throws(LedgerError) -> Client {
        try write { db in try Self.insert(client, db) }
    }

    /// Every client, by code.
    package func clients() throws(LedgerError) -> [Client] {
        try read { db in
            let emails = try Self.emailsByClient(db)
            var clients: [Client] = []
            try SQLiteRow.forEach(db.cachedStatement(sql: "SELECT \(Client.columns) FROM client ORDER BY code")) { row in
                clients.append(Client(row, emails: emails[row.int64(0)] ?? []))
            }
            return clients
        }
    }

    /// The client with `code` (case-insensitive).
    package func client(code: String) throws(LedgerError) -> Client {
        try read { db in try Self.client(code: code, db) }
    }

    /// Changes a client in place: `change` receives the stored client and edits it.
    @discardableResult
    package func updateClient(code: String, _ change: @Sendable (inout Client) throws -> Void) throws(LedgerError) -> Client {
        try write { db in
            var client = try Self.client(code: code, db)
            try change(&client)
            try Self.update(client, db)
            return client
        }
    }

    /// Stops chasing the client until `until` (inclusive) or until resumed.
    @discardableResult
    package func pauseClient(code: String, reason: String, until: CalendarDate?, now: Date) throws(LedgerError) -> Client {
        try updateClient(code: code) { $0.pause = Pause(reason: reason, since: now, until: until) }
    }

    @discardableResult
    package func resumeClient(code: String) throws(LedgerError) -> Client {
        guard try client(code: code).pause != nil else { throw .conflict("client \(code) is not paused; there is nothing to resume") }
        return try updateClient(code: code) { $0.pause = nil }
    }

    static func client(code: String, _ db: GRDB.Database) throws -> Client {
        guard var client = try SQLiteRow.first(db.cachedStatement(sql: "SELECT \(Client.columns) FROM client WHERE code = ?"), code, decode: { Client($0, emails: []) })
        else { throw LedgerError.unknownClient(code) }
        try SQLiteRow.forEach(db.cachedStatement(sql: "SELECT address FROM client_email WHERE client_id = ? ORDER BY position"), client.id) {
            client.emails.append($0.text(0))
        }
        return client
    }

    static func insert(_ client: Client, _ db: GRDB.Database) throws -> Client {
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM client WHERE code = ?"), arguments: [client.code]) == true {
            throw LedgerError.duplicateClient(client.code)
        }
        try db.cachedStatement(sql: """
                INSERT INTO client (code, name, language, time_zone, country, debtor_kind, tax_id, postal_address,
                                    paused_at, pause_reason, paused_until, notes, region)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: StatementArguments([client.code] + columnValues(client)))
        var stored = client
        stored.id = db.lastInsertedRowID
        try replaceEmails(of: stored, db)
        return stored
    }

    static func update(_ client: Client, _ db: GRDB.Database) throws {
        try db.cachedStatement(sql: """
                UPDATE client SET name = ?, language = ?, time_zone = ?, country = ?, debtor_kind = ?, tax_id = ?,
                    postal_address = ?, paused_at = ?, pause_reason = ?, paused_until = ?, notes = ?, region = ?
                WHERE id = ?
                """).execute(arguments: StatementArguments(columnValues(client) + [client.id]))
        try replaceEmails(of: client, db)
    }

    /// Every client's addresses, keyed by client id, in order.
    static func emailsByClient(_ db: GRDB.Database) throws -> [Int64: [String]] {
        var emails: [Int64: [String]] = [:]
        for row in try GRDB.Row.fetchAll(db.cachedStatement(sql: "SELECT client_id, address FROM client_email ORDER BY client_id, position")) {
            emails[row["client_id"], default: []].append(row["address"])
        }
        return emails
    }

    /// Every client with an address a relay refused for good: code, then the first such
    /// address and the relay's words.
    package func clientsWithBadAddresses() throws(LedgerError) -> [String: (address: String, reply: String)] {
        try read { db in
            var held: [String: (address: String, reply: String)] = [:]
            for row in try GRDB.Row.fetchAll(
                db, sql: "SELECT client.code, bad_address.address, bad_address.reply FROM bad_address JOIN client ON client.id = bad_address.client_id ORDER BY bad_address.address")
            where held[row["code"]] == nil {
                held[row["code"]] = (row["address"], row["reply"])
            }
            return held
        }
    }

    /// The messages a relay refused for good (the reply itself is their error) that hold their
    /// stage (`ReservationRefusal.failedBefore`) until the client's addresses are edited: the
    /// relay's reply by dispatch prefix ("stage|invoice ids|"), for `plan` to show them held.
    package func refusedDispatches() throws(LedgerError) -> [String: String] {
        try read { db in
            var refused: [String: String] = [:]
            for row in try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT contact.dispatch_key, contact.server_reply FROM contact JOIN client ON client.id = contact.client_id
                    WHERE contact.dispatch_key IS NOT NULL AND \(Self.refusedForGood)
                    """)
            {
                // The key ends with the day (YYYY-MM-DD).
                let key: String = row["dispatch_key"]
                refused[String(key.dropLast(10))] = row["server_reply"]
            }
            return refused
        }
    }

    /// The addresses of a client a relay refused for good, with the relay's words.
    package func badAddresses(clientCode: String) throws(LedgerError) -> [(address: String, reply: String)] {
        try read { db in
            try GRDB.Row.fetchAll(db.cachedStatement(sql: """
                    SELECT address, reply FROM bad_address WHERE client_id = (SELECT id FROM client WHERE code = ?) ORDER BY address
                    """), arguments: [clientCode]
            ).map { (address: $0["address"], reply: $0["reply"]) }
        }
    }

    /// Forgets the relay's refusals of a client's addresses: the owner says they are right
    /// now (`client edit --email`), so e-mail chasing resumes, and a message the relay refused
    /// before may go again. Returns the addresses that were marked bad.
    package func trustAddresses(clientCode: String) throws(LedgerError) -> [String] {
        try write { db in
            let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM client WHERE code = ?"), arguments: [clientCode])
            let addresses = try String.fetchAll(db.cachedStatement(sql: "SELECT address FROM bad_address WHERE client_id = ? ORDER BY address"), arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM bad_address WHERE client_id = ?").execute(arguments: [id])
            if let id { try Self.confirmAddresses(clientID: id, db) }
            return addresses
        }
    }

    private static func columnValues(_ client: Client) -> [(any DatabaseValueConvertible)?] {
        [
            client.name, client.language.rawValue, client.timeZone, client.country, client.debtorKind.rawValue, client.taxID,
            client.postalAddress, client.pause.map { Timestamp.string($0.since) }, client.pause?.reason,
            client.pause?.until?.description, client.notes, client.region,
        ]
    }

    /// Replaces a client's addresses (`client edit`, a CSV import); a relay's refusal of an
    /// address that is gone is forgotten. When the addresses change, a message written for the
    /// old ones and still waiting to go (reserved, or deferred for a retry) is closed unsent,
    /// and one in flight is closed if it comes back deferred: the next pass writes it again
    /// for the new ones, instead of a retry reaching an address the owner removed.
    private static func replaceEmails(of client: Client, _ db: GRDB.Database) throws {
        let before = try String.fetchAll(db.cachedStatement(sql: "SELECT address FROM client_email WHERE client_id = ?"), arguments: [client.id])
        if Set(before.map { $0.lowercased() }) != Set(client.emails.map { $0.lowercased() }), let id = client.id {
            try closeWaitingAttempts(clientID: id, at: Date(), db)
            try confirmAddresses(clientID: id, db)
        }
        try db.cachedStatement(sql: "DELETE FROM client_email WHERE client_id = ?").execute(arguments: [client.id])
        for bad in try String.fetchAll(db.cachedStatement(sql: "SELECT address FROM bad_address WHERE client_id = ?"), arguments: [client.id])
        where !client.emails.contains(where: { $0.caseInsensitiveCompare(bad) == .orderedSame }) {
            try db.cachedStatement(sql: "DELETE FROM bad_address WHERE client_id = ? AND address = ?").execute(arguments: [client.id, bad])
        }
        for (position, address) in client.emails.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO client_email (client_id, address, position) VALUES (?, ?, ?)").execute(arguments: [client.id, address, position])
        }
    }
}

extension Client {
    /// The columns `init(_:emails:)` reads, in its order.
    static let columns = """
        client.id, client.code, client.name, client.language, client.time_zone, client.country, client.region, client.debtor_kind,
        client.tax_id, client.postal_address, client.paused_at, client.pause_reason, client.paused_until, client.notes
        """

    /// Reads `columns`.
    init(_ row: SQLiteRow, emails: [String]) {
        self.init(
            id: row.int64(0), code: row.text(1), name: row.text(2), emails: emails,
            language: row.string(3).flatMap(Language.init(rawValue:)) ?? .es, timeZone: row.string(4), country: row.text(5), region: row.string(6),
            debtorKind: row.string(7).flatMap(DebtorKind.init(rawValue:)) ?? .company, taxID: row.string(8),
            postalAddress: row.string(9), pause: Pause(row, from: 10), notes: row.string(13))
    }
}

extension Pause {
    /// The pause stored in a client or invoice row, if any: its columns paused_at,
    /// pause_reason and paused_until from `column` on.
    init?(_ row: SQLiteRow, from column: Int32) {
        guard let reason = row.string(column + 1) else { return nil }
        self.init(
            reason: reason, since: Timestamp.date(row.string(column)) ?? .distantPast,
            until: row.string(column + 2).flatMap { CalendarDate(iso: $0) })
    }
}
