import GRDB

/// Notices when another program commits to the ledger: `PRAGMA data_version` on cobrador's
/// own writer connection changes for every commit but its own, so a payment written while a
/// pass runs is still seen after it, and the pass's own writes never count. Cheap enough to
/// poll every second or two.
package final class LedgerChangeWatcher: @unchecked Sendable {
    private let database: DatabasePool
    private var version: Int?

    init(database: DatabasePool) {
        self.database = database
        version = Self.current(database)
    }

    private static func current(_ database: DatabasePool) -> Int? {
        try? database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA data_version") }
    }

    /// Whether another program changed the ledger since the last call.
    package func changed() -> Bool {
        guard let current = Self.current(database) else { return false }
        defer { version = current }
        return current != version
    }
}

extension Ledger {
    package func changeWatcher() -> LedgerChangeWatcher {
        LedgerChangeWatcher(database: database)
    }
}
