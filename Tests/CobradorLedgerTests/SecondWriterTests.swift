import CobradorCore
import CobradorTestSupport
import Foundation
import Testing

@testable import CobradorLedger

/// The owner's accounting program writes the ledger while cobrador does: neither may fail.
@Suite struct SecondWriterTests {
    @Test func cobradorWaitsForTheSqliteToolInsteadOfFailing() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("ledger.sqlite")
        let ledger = try Ledger.create(path: path)
        try ledger.addClient(Client(code: "ACME", name: "Acme", emails: ["a@acme.example"], language: .es, country: "ES", debtorKind: .company))

        // 40 transactions of the sqlite3 tool, each holding the write lock while it burns
        // a few milliseconds, with cobrador writing all along.
        var script = ".timeout 10000\n"
        for index in 0..<40 {
            script += """
                BEGIN IMMEDIATE;
                INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency)
                VALUES ('EXT-\(index)', 1, 'From accounting', '2026-09-01', '2026-10-01', 10000, 'EUR');
                WITH RECURSIVE spin(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM spin WHERE x < 40000) SELECT count(*) FROM spin;
                COMMIT;

                """
        }
        let scriptPath = folder.write("writer.sql", script)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "/usr/bin/sqlite3 -bail '\(path)' < '\(scriptPath)' > /dev/null 2> '\(folder.file("writer.err"))'"]
        try writer.run()

        // cobrador writes as its daemon and commands do: short transactions, a moment apart.
        var written = 0
        while writer.isRunning || written < 40 {
            Thread.sleep(forTimeInterval: 0.005)
            try ledger.addInvoice(
                Invoice(
                    number: "OWN-\(written)", clientID: 0, concept: "By cobrador", issueDate: CalendarDate(iso: "2026-09-01")!,
                    dueDate: CalendarDate(iso: "2026-10-01")!, gross: Money(minorUnits: 100, currency: Currency(code: "EUR")!)),
                clientCode: "ACME")
            written += 1
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0, "sqlite3: \((try? String(contentsOfFile: folder.file("writer.err"), encoding: .utf8)) ?? "")")
        let numbers = try ledger.invoices().map(\.invoice.number)
        #expect(numbers.filter { $0.hasPrefix("EXT-") }.count == 40)
        #expect(numbers.filter { $0.hasPrefix("OWN-") }.count == written)
    }
}
