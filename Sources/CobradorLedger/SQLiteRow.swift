import Foundation
import GRDB
import GRDBSQLite

/// The row SQLite holds for a statement being stepped, read by column position. GRDB's `Row`
/// finds columns by name through a dictionary of lower-cased names it builds for every query:
/// for the client and invoice every message reads, that cost more than the queries
/// (scripts/bench-daemon.sh). Queries read with it name their columns in a fixed order
/// (`Client.columns`, `Invoice.columns`), never `*`, which migrations may extend. The
/// statements run here (the reads and writes of every message) get their values bound
/// directly, without GRDB's `StatementArguments`.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
    }

    /// The text of a NOT NULL column ("" should another program have stored NULL).
    func text(_ column: Int32) -> String { string(column) ?? "" }

    /// Calls `body` with each row of `statement` run with `values`, then resets it.
    static func forEach<each Value: StatementBinding>(_ statement: Statement, _ values: repeat each Value, body: (SQLiteRow) throws -> Void) throws {
        try bind(statement, repeat each values)
        try step(statement) { row in
            try body(row)
            return true
        }
    }

    /// Calls `body` with each row of `statement` run with `arguments`, a list built at run
    /// time (a filter's conditions), then resets it.
    static func forEach(_ statement: Statement, arguments: StatementArguments, body: (SQLiteRow) throws -> Void) throws {
        statement.setUncheckedArguments(arguments)
        try step(statement) { row in
            try body(row)
            return true
        }
    }

    /// The first row of `statement` run with `values`, decoded by `decode`; nil when there is none.
    static func first<T, each Value: StatementBinding>(_ statement: Statement, _ values: repeat each Value, decode: (SQLiteRow) throws -> T) throws -> T? {
        try bind(statement, repeat each values)
        var first: T?
        try step(statement) { row in
            first = try decode(row)
            return false
        }
        return first
    }

    /// Whether `statement` run with `values` gives a row.
    static func exists<each Value: StatementBinding>(_ statement: Statement, _ values: repeat each Value) throws -> Bool {
        try first(statement, repeat each values) { _ in true } ?? false
    }

    /// Runs `statement` (an insert, an update) with `values` to its end.
    static func execute<each Value: StatementBinding>(_ statement: Statement, _ values: repeat each Value) throws {
        try bind(statement, repeat each values)
        try step(statement) { _ in true }
    }

    /// Binds `values` to the parameters of `statement`, in order, one value for each: GRDB's
    /// `StatementArguments` boxes every value and builds two collections on each use, which
    /// cost more than a small query.
    private static func bind<each Value: StatementBinding>(_ statement: Statement, _ values: repeat each Value) throws {
        let handle = statement.sqliteStatement
        // A statement GRDB or `step` stepped is reset before it is bound again.
        sqlite3_reset(handle)
        var index: Int32 = 0
        for value in repeat each values {
            index += 1
            let code = value.bind(to: handle, at: index)
            guard code == SQLITE_OK else { throw error(code, statement) }
        }
        guard index == sqlite3_bind_parameter_count(handle) else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "\(index) values for \(sqlite3_bind_parameter_count(handle)) parameters", sql: statement.sql)
        }
    }

    /// Steps `statement` while `body` asks for the next row, then resets it.
    private static func step(_ statement: Statement, _ body: (SQLiteRow) throws -> Bool) throws {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code, statement) }
            guard try body(SQLiteRow(statement: handle)) else { return }
        }
    }

    private static func error(_ code: Int32, _ statement: Statement) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement.sqliteStatement))), sql: statement.sql)
    }
}
