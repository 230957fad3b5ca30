import Foundation
import GRDB
import GRDBSQLite

/// The row SQLite holds for a statement being stepped, read by column position. GRDB's `Row`
/// finds columns by name through a dictionary of lower-cased names it builds for every query:
/// for the client and invoice every message reads, that cost more than the queries
/// (scripts/bench-daemon.sh). Queries read with it name their columns in a fixed order
/// (`Client.columns`, `Invoice.columns`), never `*`, which migrations may extend.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
    }

    /// The text of a NOT NULL column ("" should another program have stored NULL).
    func text(_ column: Int32) -> String { string(column) ?? "" }

    /// Calls `body` with each row of `statement` run with `arguments`, then resets it.
    static func forEach(_ statement: Statement, arguments: StatementArguments = [], _ body: (SQLiteRow) throws -> Void) throws {
        try run(statement, arguments: arguments) { row in
            try body(row)
            return true
        }
    }

    /// The first row of `statement` run with `arguments`, decoded by `decode`; nil when there is none.
    static func first<T>(_ statement: Statement, arguments: StatementArguments = [], _ decode: (SQLiteRow) throws -> T) throws -> T? {
        var first: T?
        try run(statement, arguments: arguments) { row in
            first = try decode(row)
            return false
        }
        return first
    }

    /// Whether `statement` run with `arguments` gives a row.
    static func exists(_ statement: Statement, arguments: StatementArguments = []) throws -> Bool {
        try first(statement, arguments: arguments) { _ in true } ?? false
    }

    /// Steps `statement` while `body` asks for the next row, then resets it (GRDB binds the
    /// arguments, and resets it again before its next use).
    private static func run(_ statement: Statement, arguments: StatementArguments, _ body: (SQLiteRow) throws -> Bool) throws {
        statement.setUncheckedArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
            }
            guard try body(SQLiteRow(statement: handle)) else { return }
        }
    }
}
