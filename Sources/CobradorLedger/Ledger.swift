import CobradorCore
import Foundation
import GRDB

/// The SQLite ledger: the source of truth for clients, invoices, payments, negotiations and
/// contacts.
///
/// Other programs may write the same file. Every write here is one short `BEGIN IMMEDIATE`
/// transaction (GRDB's default for writes), with a busy timeout, so a second writer makes
/// cobrador wait, never fail with "database is locked". A ledger written by a newer version
/// is refused before anything touches it.
package final class Ledger: Sendable {
    package let path: String
    let database: DatabasePool

    /// How long a write waits for another writer before giving up.
    package static let busyTimeout: TimeInterval = 10

    /// Opens an existing ledger, bringing its schema up to date.
    package static func open(path: String) throws(LedgerError) -> Ledger {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path: path) }
        guard !isDirectory.boolValue else { throw .notALedger(path: path, detail: "it is a folder; `ledger` names the ledger file itself") }
        // SQLite would take an empty file for a new database, and a read-only command would
        // then show an empty ledger ("nothing is owed") instead of saying it is the wrong file.
        guard ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 1) > 0 else {
            throw .notALedger(path: path, detail: "the file is empty; remove it and run `cobrador init`, or point `ledger` at the right file")
        }
        try refuseForeignOrNewer(path: path)
        return try Ledger(path: path)
    }

    /// Creates a new, empty ledger; refuses to touch an existing file.
    package static func create(path: String) throws(LedgerError) -> Ledger {
        guard !FileManager.default.fileExists(atPath: path) else { throw .alreadyExists(path: path) }
        return try Ledger(path: path)
    }

    private init(path: String) throws(LedgerError) {
        self.path = path
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // A new ledger gets 16 KiB pages (an existing one keeps its own): an attempt's row
            // holds its message (about 3 KB), so with SQLite's 4 KiB pages each took a page of
            // its own, written whole when the attempt was reserved and again with its outcome.
            try db.execute(sql: "PRAGMA page_size = 16384")
            // 64 MiB of page cache: a status over a million invoices reads each page once.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            // A commit must survive power loss: the ledger is evidence. Set on the writer after
            // the pool opened, since GRDB's WAL set-up sets NORMAL after prepareDatabase.
            try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            // Temporary tables (the planner's candidate ids) stay in memory, not in a file.
            try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA temp_store = MEMORY") }
            try LedgerSchema.migrator.migrate(database)
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Gives a file made next to the ledger at `ledgerPath` to the ledger's owner when this
    /// process is root and the ledger is not root's: a `run --once` by hand must not leave a
    /// file the service's user cannot open.
    package static func giveToLedgerOwner(_ descriptor: Int32, ledgerPath: String) {
        var file = stat()
        var ledger = stat()
        guard geteuid() == 0, fstat(descriptor, &file) == 0, file.st_uid == 0, stat(ledgerPath, &ledger) == 0, ledger.st_uid != 0 else { return }
        _ = fchown(descriptor, ledger.st_uid, ledger.st_gid)
    }

    /// Gives back the page caches a pass filled (up to 64 MiB per connection on a big ledger):
    /// an idle daemon has no use for them.
    package func releaseMemory() {
        database.releaseMemory()
    }

    /// The schema version of the file, from `PRAGMA user_version`.
    package func schemaVersion() throws(LedgerError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// Reads in a snapshot; errors become `LedgerError`.
    func read<T: Sendable>(_ body: (GRDB.Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Writes in one `BEGIN IMMEDIATE` transaction: all of `body` or nothing.
    func write<T: Sendable>(_ body: (GRDB.Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try database.write(body)
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Writes like `write`, but the commit is not forced to disk (`synchronous = NORMAL` for
    /// this transaction): it survives the process being killed, since the kernel holds the
    /// write, and becomes durable with the next durable commit, but a machine crash before
    /// that may lose it. Only for steps whose loss the crash recovery accounts for; it saves
    /// a disk sync (milliseconds here) per message.
    func writeWithoutSync<T: Sendable>(_ body: (GRDB.Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try database.writeWithoutTransaction { db in
                try db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute()
                var result: Result<T, any Error>?
                do {
                    try db.inTransaction(.immediate) {
                        result = .success(try body(db))
                        return .commit
                    }
                } catch {
                    result = .failure(error)
                }
                // Every later commit must be durable again: if that cannot be set, nothing goes on.
                try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
                return try result!.get()
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Looks at an existing file read-only: not SQLite, not ours, or written by a newer
    /// version is an error, and nothing about the file changes.
    private static func refuseForeignOrNewer(path: String) throws(LedgerError) {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            let (version, applied, tables) = try queue.read { db in
                (
                    try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                    try db.tableExists("grdb_migrations") ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : [],
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
                )
            }
            let known = Set(LedgerSchema.migrator.migrations)
            if version > LedgerSchema.version || !applied.isSubset(of: known) {
                throw LedgerError.newerSchema(path: path, found: max(version, applied.count), supported: LedgerSchema.version)
            }
            if applied.isEmpty && tables > 0 {
                throw LedgerError.notALedger(path: path, detail: "it holds tables cobrador did not create")
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw .notALedger(path: path, detail: "the file is not an SQLite database")
        } catch {
            throw describe(error, path: path)
        }
    }

    /// Calls `body` with each row of `statement`, decoded while SQLite still holds it: GRDB
    /// finds a column of such a row by a hash lookup, but of a copied row (what `fetchAll` and
    /// `fetchOne` give) by lowering every column's name, which costs more than the query.
    static func forEachRow(_ statement: Statement, arguments: StatementArguments = [], _ body: (GRDB.Row) throws -> Void) throws {
        let rows = try GRDB.Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() { try body(row) }
    }

    /// Maps any error met during a transaction to a `LedgerError` the owner can read.
    static func describe(_ error: any Error, path: String) -> LedgerError {
        switch error {
        case let error as LedgerError: return error
        case let error as CoreError: return .invalid(error)
        case let error as DatabaseError:
            if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                return .database(path: path, message: "another program kept the ledger locked for more than \(Int(busyTimeout)) seconds; nothing was written, try again")
            }
            if error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN {
                return .database(
                    path: path,
                    message: "\(error.message ?? "cannot write it"); check that this user may write the ledger and its folder (under systemd, the service runs as the user cobrador: `chown -R cobrador:cobrador` the state folder)")
            }
            if error.resultCode == .SQLITE_NOTADB {
                return .notALedger(path: path, detail: "the file is not an SQLite database")
            }
            return .database(path: path, message: error.message ?? "\(error)")
        default: return .database(path: path, message: "\(error)")
        }
    }
}
