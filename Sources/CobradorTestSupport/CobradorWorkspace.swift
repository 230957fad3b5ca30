import Foundation

/// A folder with a configuration and a ledger made by the real `cobrador init`, and a way to
/// run the real binary against them, as an owner would.
package final class CobradorWorkspace: Sendable {
    package let directory = TemporaryDirectory()
    package var configPath: String { directory.file("cobrador.toml") }
    package var ledgerPath: String { directory.file("ledger.sqlite") }

    /// The built `cobrador` executable: beside the test bundle, in the same build folder.
    package static let binary: String = {
        let candidates = [
            URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
                .deletingLastPathComponent().appendingPathComponent("cobrador").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/cobrador").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// Runs `cobrador init` in a new folder.
    package init() throws {
        let result = try run(["init", "--sender-name", "Lucía Martín", "--sender-email", "cobros@lucia.example", "--time-zone", "Europe/Madrid", "--iban", "ES91 2100 0418 4502 0005 1332"])
        guard result.status == 0 else { throw WorkspaceError(message: "cobrador init failed: \(result.standardError)") }
    }

    /// Runs `cobrador ARGUMENTS` with this workspace's configuration.
    @discardableResult
    package func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessResult.run(
            Self.binary, arguments, environment: ["COBRADOR_CONFIG": configPath].merging(environment) { $1 }, directory: directory.path)
    }

    /// Runs a command that must succeed, and returns its standard output.
    @discardableResult
    package func succeed(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw WorkspaceError(message: "cobrador \(arguments.joined(separator: " ")) exited \(result.status): \(result.standardError)")
        }
        return result.standardOutput
    }

    /// Runs `sqlite3` on the ledger: the second program the schema documentation invites.
    @discardableResult
    package func sqlite(_ sql: String) throws -> ProcessResult {
        try ProcessResult.run("/usr/bin/sqlite3", ["-bail", ledgerPath, sql])
    }

    /// The messages the Maildir transport delivered, oldest first (by file name).
    package func maildirFiles() throws -> [String] {
        let folder = directory.file("maildir/new")
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { folder + "/" + $0 }
    }

    /// The ledger file's bytes, for "left untouched" checks.
    package func ledgerBytes() -> Data {
        FileManager.default.contents(atPath: ledgerPath) ?? Data()
    }

    /// Sets `[daemon] digest_time`: "never" keeps the Maildir to the clients' messages.
    package func setDigestTime(_ value: String) throws {
        try editConfiguration {
            $0.replacingOccurrences(of: #"digest_time = "[^"]*""#, with: "digest_time = \"\(value)\"", options: .regularExpression)
        }
    }

    /// Opens the send window every day around the clock, so that a test of the resident
    /// daemon, which runs at the real time, does not depend on the hour it runs at.
    package func openWindowAroundTheClock() throws {
        let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map { "\($0) = \"00:00-24:00\"" }
        try editConfiguration {
            $0.replacingOccurrences(
                of: "monday = \"09:00-18:00\"\ntuesday = \"09:00-18:00\"\nwednesday = \"09:00-18:00\"\nthursday = \"09:00-18:00\"\nfriday = \"09:00-18:00\"",
                with: days.joined(separator: "\n"))
        }
    }

    /// Rewrites the configuration file through `change`.
    package func editConfiguration(_ change: (String) throws -> String) throws {
        try change(try String(contentsOfFile: configPath, encoding: .utf8)).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Sends through an SMTP relay on loopback (`tls = "none"`, allowed there without a login)
    /// instead of the Maildir `init` configured.
    package func useRelay(port: Int) throws {
        try editConfiguration {
            $0.replacingOccurrences(of: "kind = \"maildir\"", with: "kind = \"smtp\"")
                .replacingOccurrences(of: "# [transport.smtp]", with: "[transport.smtp]\nhost = \"127.0.0.1\"\nport = \(port)\ntls = \"none\"")
        }
    }

    /// Imports `count` clients C1, C2... through the CSV import, each with one invoice F-1,
    /// F-2... due on 2026-10-01, so a reminder is due for each on Monday 2026-11-30.
    package func importClients(_ count: Int) throws {
        var clients = "code,name,email,country\n"
        var invoices = "number,client,concept,issue_date,due_date,amount,currency\n"
        for index in 1...count {
            clients += "C\(index),Client \(index),ap\(index)@clients.example,ES\n"
            invoices += "F-\(index),C\(index),Translation,2026-09-01,2026-10-01,100.00,EUR\n"
        }
        try succeed(["import", "clients", directory.write("clients.csv", clients)])
        try succeed(["import", "invoices", directory.write("invoices.csv", invoices)])
    }

    /// Monday 30 November 2026, 10:00 in Madrid: the rehearsed moment most tests run at.
    package static let monday = "2026-11-30T10:00:00+01:00"

    /// A workspace with `seed`'s clients and invoices and no daily digest, so the Maildir
    /// holds only the clients' messages.
    package static func seeded() throws -> CobradorWorkspace {
        let workspace = try CobradorWorkspace()
        try workspace.seed()
        try workspace.setDigestTime("never")
        return workspace
    }

    /// Adds two clients (es and en) and three invoices used by many tests.
    package func seed() throws {
        try succeed(["client", "add", "ACME", "--name", "Acme Ibérica S.L.", "--email", "pagos@acme.example", "--country", "ES"])
        try succeed(["client", "add", "BRIT", "--name", "Thames Ltd", "--email", "ap@thames.example", "--country", "GB"])
        try succeed(["invoice", "add", "F-1", "--client", "ACME", "--concept", "Translation", "--issued", "2026-09-01", "--due", "2026-10-01", "--amount", "1815.00"])
        try succeed(["invoice", "add", "F-2", "--client", "ACME", "--concept", "Review", "--issued", "2026-11-01", "--due", "2026-12-01", "--amount", "300"])
        try succeed(["invoice", "add", "F-3", "--client", "BRIT", "--concept", "Copywriting", "--issued", "2026-06-01", "--due", "2026-07-01", "--amount", "640.00", "--currency", "GBP"])
    }
}

package struct WorkspaceError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
