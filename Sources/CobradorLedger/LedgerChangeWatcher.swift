import GRDB

/// Notices when any other connection (another program, or cobrador's own writer) commits to
/// the ledger: `PRAGMA data_version` on one dedicated connection changes then. Cheap enough to
/// poll every second or two.
package final class LedgerChangeWatcher: @unchecked Sendable {
    private let connection: DatabaseQueue
    private var version: Int

    init(path: String) throws {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(Ledger.busyTimeout)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        version = try connection.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }

    /// Whether the ledger changed since the last call (or since `reset`).
    package func changed() -> Bool {
        guard let current = try? connection.read({ db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }) else { return false }
        defer { version = current }
        return current != version
    }

    /// Takes the current state as seen, after cobrador's own writes.
    package func reset() {
        _ = changed()
    }
}

extension Ledger {
    package func changeWatcher() throws(LedgerError) -> LedgerChangeWatcher {
        do {
            return try LedgerChangeWatcher(path: path)
        } catch {
            throw Self.describe(error, path: path)
        }
    }
}
