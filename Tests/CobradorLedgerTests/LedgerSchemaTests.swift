import CobradorCore
import CobradorTestSupport
import Foundation
import GRDB
import Testing

@testable import CobradorLedger

@Suite struct LedgerSchemaTests {
    @Test func aNewLedgerHasTheDocumentedTablesAndVersion() throws {
        let folder = TemporaryDirectory()
        let ledger = try Ledger.create(path: folder.file("ledger.sqlite"))
        #expect(try ledger.schemaVersion() == 5)
        let tables = try ledger.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name")
        }
        #expect(tables == [
            "attempt_event", "bad_address", "client", "client_email", "contact", "contact_invoice", "digest", "instalment", "invoice", "invoice_balance", "negotiation",
            "negotiation_event", "negotiation_invoice", "payment",
        ])
        let journal = try ledger.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        // Room for several attempts (each holds its message) in one page.
        #expect(try ledger.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 16384)
        // Every commit is forced to disk (2 = FULL), whatever GRDB's WAL set-up chose.
        #expect(try ledger.database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
        _ = try ledger.markBodyStarted(1, at: Date(), recheckOn: CalendarDate(iso: "2026-11-30")!, tolerance: { _ in 0 }, checksNegotiations: { _ in true })
        #expect(try ledger.database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
    }

    @Test func reopeningMigratesNothingTwice() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("ledger.sqlite")
        _ = try Ledger.create(path: path)
        let reopened = try Ledger.open(path: path)
        #expect(try reopened.schemaVersion() == 5)
        #expect(throws: LedgerError.self) { try Ledger.create(path: path) }
    }

    @Test func aLedgerFromANewerVersionIsRefusedAndLeftUntouched() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("ledger.sqlite")
        do {
            let ledger = try Ledger.create(path: path)
            try ledger.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v6')")
                try db.execute(sql: "PRAGMA user_version = 6")
            }
            try ledger.database.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: LedgerError.self) { try Ledger.open(path: path) }
        #expect(error?.description.contains("newer cobrador (ledger schema 6; this version knows up to 5)") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let wal = FileManager.default.contents(atPath: path + "-wal") ?? Data()
        #expect(wal.isEmpty)
    }

    /// Writes a ledger at `path` as the version `version` (a migration's identifier) left it,
    /// with an ACME client and what `setUp` adds; returns what `setUp` returns.
    func oldLedger<T>(at path: String, version: String, _ setUp: (GRDB.Database) throws -> T) throws -> T {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try LedgerSchema.migrator.migrate(queue, upTo: version)
        return try queue.write { db in
            try db.execute(sql: "INSERT INTO client (code, name, country) VALUES ('ACME', 'Acme', 'ES')")
            return try setUp(db)
        }
    }

    @Test func aVersion1LedgerIsMigratedKeepingEverything() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("ledger.sqlite")
        try oldLedger(at: path, version: "v1") { db in
            try db.execute(sql: "INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency) VALUES ('F-1', 1, 'x', '2026-09-01', '2026-10-01', 100, 'EUR')")
        }
        let ledger = try Ledger.open(path: path)
        #expect(try ledger.schemaVersion() == 5)
        #expect(try ledger.invoice(number: "F-1").clientCode == "ACME")
        let columns = try ledger.read { db in try db.columns(in: "invoice").map(\.name) }
        #expect(columns.contains("handed_over_at"))
        let contactColumns = try ledger.read { db in try db.columns(in: "contact").map(\.name) }
        #expect(contactColumns.contains("send_phase") && contactColumns.contains("claim_boot"))
    }

    @Test func aVersion3AttemptLogKeepsEveryStepAndItsChainThroughVersion4() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("ledger.sqlite")
        let steps = try oldLedger(at: path, version: "v3") { db in
            try db.execute(sql: "INSERT INTO contact (id, client_id, channel, status, message, sha256) VALUES (7, 1, 'email', 'sent', x'6869', ?)", arguments: [SHA256.hex(Array("hi".utf8))])
            var previous = AttemptChain.origin
            for (index, status) in ["pending", "sending", "sent"].enumerated() {
                let sha256 = index == 0 ? SHA256.hex(Array("hi".utf8)) : nil
                let at = "2026-11-0\(index + 1)T10:00:00Z"
                let hash = AttemptChain.hash(previous: previous, attemptID: 7, at: at, status: status, detail: "step \(index)", sha256: sha256)
                try db.execute(
                    sql: "INSERT INTO attempt_event (id, contact_id, at, status, detail, message_sha256, previous_hash, hash) VALUES (?, 7, ?, ?, ?, ?, ?, ?)",
                    arguments: [10 + index, at, status, "step \(index)", sha256, previous, hash])
                previous = hash
            }
            return try String.fetchAll(db, sql: "SELECT id || ' ' || status || ' ' || hash FROM attempt_event ORDER BY id")
        }
        let ledger = try Ledger.open(path: path)
        #expect(try ledger.schemaVersion() == 5)
        let after = try ledger.read { db in try String.fetchAll(db, sql: "SELECT id || ' ' || status || ' ' || hash FROM attempt_event ORDER BY id") }
        #expect(after == steps && after.count == 3)
        #expect(try ledger.verifyEvidence() == [])
        // The only index left on the log is by attempt, not unique: a step lands at the end.
        let indexes = try ledger.read { db in try GRDB.Row.fetchAll(db, sql: "PRAGMA index_list(attempt_event)").map { "\($0["name"] as String) \($0["unique"] as Int)" } }
        #expect(indexes == ["attempt_event_contact 0"])
    }

    @Test func aVersion4LedgerKeepsEveryContactThroughVersion5AndItsRules() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("ledger.sqlite")
        // Every column of every contact, its name and its value as SQL would write it.
        let everything = { (db: GRDB.Database) throws -> [String] in
            let columns = try db.columns(in: "contact").map { "'\($0.name)=' || quote(\($0.name))" }.joined(separator: " || ' ' || ")
            return try String.fetchAll(db, sql: "SELECT \(columns) FROM contact ORDER BY id")
        }
        let contacts = try oldLedger(at: path, version: "v4") { db in
            try db.execute(sql: "INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency) VALUES ('F-1', 1, 'x', '2026-09-01', '2026-10-01', 100, 'EUR')")
            try db.execute(sql: """
                INSERT INTO contact (id, client_id, stage, channel, recipients, status, message_id, message, sha256, dispatch_key, send_phase, claim_boot, attempt_count, next_attempt_at)
                VALUES (7, 1, 'reminder-1', 'email', 'a@acme.example', 'sent', '1.x@cobrador', x'6869', ?, 'reminder-1|F-1|2026-10-08', NULL, 'b1', 1, NULL),
                       (9, 1, 'reminder-2', 'email', 'a@acme.example', 'deferred', '2.x@cobrador', x'6869', ?, 'reminder-2|F-1|2026-10-15', 'claimed', 'b1', 2, '2026-10-15T12:00:00Z'),
                       (12, 1, NULL, 'phone', NULL, 'recorded', NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL)
                """, arguments: [SHA256.hex(Array("hi".utf8)), SHA256.hex(Array("hi".utf8))])
            try db.execute(sql: "INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (7, 1), (9, 1)")
            return try everything(db)
        }
        let ledger = try Ledger.open(path: path)
        #expect(try ledger.schemaVersion() == 5)
        // Every row, column for column, and the links to its invoices.
        #expect(contacts.count == 3)
        #expect(try ledger.read(everything) == contacts)
        #expect(try ledger.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM contact_invoice JOIN contact ON contact.id = contact_id") } == 2)
        // An old ledger keeps its pages (only a new file gets 16 KiB ones).
        #expect(try ledger.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 4096)
        // The rules still hold against a second writer...
        for bad in ["status = 'lost'", "channel = 'fax'"] {
            #expect(throws: (any Error).self, "accepted \(bad)") { try ledger.write { db in try db.execute(sql: "UPDATE contact SET \(bad) WHERE id = 7") } }
        }
        // ...and the attempts still waiting are found through the index, not by reading every contact.
        let plan = try ledger.read { db in
            try GRDB.Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM contact WHERE status = 'deferred' AND \(Ledger.inFlight)").map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("INDEX contact_status") }, "\(plan)")
        let indexes = try ledger.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('contact', 'client_email') AND sql IS NOT NULL ORDER BY name") }
        #expect(indexes == ["client_email_position", "contact_client", "contact_dispatch", "contact_status"])
    }

    @Test func aFileThatIsNotALedgerIsRefused() throws {
        let folder = TemporaryDirectory()
        let text = folder.write("notes.txt", "these are not the invoices you are looking for\n")
        #expect(throws: LedgerError.self) { try Ledger.open(path: text) }
        let other = folder.file("other.sqlite")
        _ = try ProcessResult.run("/usr/bin/sqlite3", [other, "CREATE TABLE t (x);"])
        let error = #expect(throws: LedgerError.self) { try Ledger.open(path: other) }
        #expect(error?.description.contains("not a cobrador ledger") == true)
        #expect(throws: LedgerError.self) { try Ledger.open(path: folder.file("missing.sqlite")) }
    }

    @Test func theSchemaGuardsAgainstASecondWriter() throws {
        let workspace = try CobradorWorkspace()
        try workspace.seed()
        let bad = [
            "INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency) VALUES ('X1', 1, 'c', '2026-01-01', '2026-02-30', 100, 'EUR')",
            "INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency) VALUES ('X2', 1, 'c', '2026-01-01', '2026-02-01', 12.5, 'EUR')",
            "INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency) VALUES ('X3', 1, 'c', '2026-03-01', '2026-02-01', 100, 'EUR')",
            "INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency) VALUES ('X4', 99, 'c', '2026-01-01', '2026-02-01', 100, 'EUR')",
            "INSERT INTO client (code, name, country) VALUES ('EVIL', 'Evil' || char(13) || char(10) || 'Bcc: x@y.z', 'ES')",
            "INSERT INTO client_email (client_id, address) VALUES (1, 'a@b.example' || char(10) || 'RCPT TO:<x@y.z>')",
            "INSERT INTO payment (invoice_id, amount_minor, value_date) VALUES (1, -5, '2026-11-01')",
        ]
        for sql in bad {
            let result = try workspace.sqlite("PRAGMA foreign_keys = ON; " + sql)
            #expect(result.status != 0, "accepted: \(sql)")
        }
        let good = try workspace.sqlite("""
            INSERT INTO payment (invoice_id, amount_minor, value_date, reference)
            VALUES ((SELECT id FROM invoice WHERE number = 'F-1'), 81500, '2026-10-20', 'accounting export');
            SELECT balance_minor FROM invoice_balance WHERE number = 'F-1';
            """)
        #expect(good.status == 0)
        #expect(good.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "100000")
    }
}
