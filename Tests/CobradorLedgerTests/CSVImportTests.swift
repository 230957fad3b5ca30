import CobradorCore
import CobradorTestSupport
import Foundation
import Testing

@testable import CobradorLedger

@Suite struct CSVImportTests {
    let folder = TemporaryDirectory()
    let ledger: Ledger
    let settings = Configuration.CSVImportSettings(decimalComma: false, defaultCurrency: Currency(code: "EUR"))
    let today = CalendarDate(iso: "2026-11-29")!

    init() throws {
        ledger = try Ledger.create(path: folder.file("ledger.sqlite"))
        let clients = folder.write("clients.csv", """
            code,name,email,country,language,debtor_kind
            ACME,"Acme, Ibérica S.L.",pagos@acme.example;cfo@acme.example,ES,,company
            BRIT,Thames Ltd,ap@thames.example,GB,en,company

            """)
        _ = try CSVImport(kind: .clients, settings: settings, today: today).run(file: clients, into: ledger)
    }

    func importInvoices(_ text: String, decimalComma: Bool = false) throws(LedgerError) -> ImportSummary {
        var settings = settings
        settings.decimalComma = decimalComma
        return try CSVImport(kind: .invoices, settings: settings, today: today).run(file: folder.write("invoices.csv", text), into: ledger)
    }

    @Test func clientsArriveWithQuotedFieldsAndSeveralAddresses() throws {
        let acme = try ledger.client(code: "ACME")
        #expect(acme.name == "Acme, Ibérica S.L.")
        #expect(acme.emails == ["pagos@acme.example", "cfo@acme.example"])
        #expect(acme.language == .es)
        #expect(try ledger.client(code: "BRIT").language == .en)
    }

    @Test func oneBadRowMeansNothingIsWrittenAndEveryProblemIsListed() throws {
        let error = #expect(throws: LedgerError.self) {
            try importInvoices("""
                number,client,concept,issue_date,due_date,amount,currency
                F-1,ACME,Translation,2026-09-01,2026-10-01,1815.00,EUR
                F-2,NOPE,Review,2026-09-01,2026-10-01,300.00,EUR
                F-3,ACME,Review,2026-09-01,2026-02-30,300.00,EUR
                F-4,ACME,Review,2026-09-01,2026-10-01,-12,EUR
                F-5,ACME,Review,2026-09-01,2026-10-01,12.5x,EUT
                F-1,ACME,Again,2026-09-01,2026-10-01,10.00,EUR
                F-6,NOPE,Review,2026-09-01,2026-10-01,12.5x,EUR
                """)
        }
        guard case .importRejected(_, let problems) = error else {
            Issue.record("expected importRejected, got \(String(describing: error))")
            return
        }
        // A row's problems are all listed, not only the first kind found.
        #expect(problems.map(\.line) == [3, 4, 5, 6, 6, 7, 8, 8])
        #expect(problems.map(\.column) == ["client", "due_date", "amount", "currency", "amount", "number", "amount", "client"])
        #expect(problems[0].description == "line 3, column client: no client with code \"NOPE\" in the ledger; import the clients first")
        #expect(problems[5].message == "the invoice F-1 already appears on line 2")
        #expect(try ledger.invoices().isEmpty)
    }

    @Test func reimportingChangesNothingAndAChangedAmountIsReportedNotApplied() throws {
        let text = """
            number,client,concept,issue_date,due_date,amount
            F-1,ACME,Translation,2026-09-01,2026-10-01,1815.00
            F-2,BRIT,"Copy, two pages",2026-09-01,2026-10-01,300
            """
        #expect(try importInvoices(text).added == 2)
        let again = try importInvoices(text)
        #expect(again.added == 0 && again.unchanged == 2 && again.conflicts.isEmpty)
        let changed = try importInvoices(text.replacingOccurrences(of: "1815.00", with: "1900.00"))
        #expect(changed.conflicts.map(\.line) == [2])
        #expect(changed.conflicts.first?.message.contains("amount 1815.00 EUR in the ledger, 1900.00 EUR in the file") == true)
        #expect(try ledger.invoice(number: "F-1").invoice.gross.minorUnits == 1815_00)
    }

    /// The daemon runs elsewhere (a service's working directory is /): an attachment named
    /// relative to the CSV file is stored as the absolute path it names, and one that cannot
    /// be read is a problem of its row, not a message that can never be written.
    @Test func attachmentsAreFoundNextToTheFileAndCheckedBeforeAnythingIsWritten() throws {
        _ = folder.write("pdf/F-1.pdf", "%PDF-1.4")
        let error = #expect(throws: LedgerError.self) {
            try importInvoices("""
                number,client,concept,issue_date,due_date,amount,attachment
                F-1,ACME,Translation,2026-09-01,2026-10-01,1815.00,pdf/F-1.pdf
                F-2,ACME,Review,2026-09-01,2026-10-01,300,pdf/F-2.pdf
                """)
        }
        #expect(String(describing: error).contains("line 3, column attachment: \"pdf/F-2.pdf\" is not valid: \(folder.file("pdf/F-2.pdf")) does not exist or cannot be read"), "\(String(describing: error))")
        #expect(try ledger.invoices().isEmpty)
        let text = """
            number,client,concept,issue_date,due_date,amount,attachment
            F-1,ACME,Translation,2026-09-01,2026-10-01,1815.00,pdf/F-1.pdf
            """
        #expect(try importInvoices(text).added == 1)
        #expect(try ledger.invoice(number: "F-1").invoice.attachment == folder.file("pdf/F-1.pdf"))
        // Re-imported after the file moved: the stored invoice is unchanged, so nothing to refuse.
        try FileManager.default.removeItem(atPath: folder.file("pdf/F-1.pdf"))
        #expect(try importInvoices(text).unchanged == 1)
    }

    @Test func semicolonFilesWithADecimalCommaAndCRLF() throws {
        // A spreadsheet's blank row (separators only) is skipped like an empty line.
        let summary = try importInvoices(
            "number;client;concept;issue_date;due_date;amount\r\nF-9;ACME;\"Línea 1\";2026-09-01;2026-10-01;1234,56\r\n;;;;;\r\n"
                + "F-10;ACME;Otra;2026-09-01;2026-10-01;12.345,60\r\n", decimalComma: true)
        #expect(summary.added == 2 && summary.rows == 2)
        #expect(try ledger.invoice(number: "F-9").invoice.gross.minorUnits == 1234_56)
        #expect(try ledger.invoice(number: "F-10").invoice.gross.minorUnits == 12345_60)
    }

    @Test func headersAreCheckedBeforeAnyRow() throws {
        let error = #expect(throws: LedgerError.self) {
            try importInvoices("number,client,concpet,issue_date,due_date,amount\nF-1,ACME,x,2026-09-01,2026-10-01,1\n")
        }
        let message = error?.description ?? ""
        #expect(message.contains("line 1, column concpet: unknown column"))
        #expect(message.contains("line 1, column concept: this required column is missing"))
        let lenient = try CSVImport(kind: .invoices, settings: settings, ignoreUnknownColumns: true, today: today).run(
            file: folder.write("extra.csv", "number,client,concept,issue_date,due_date,amount,vat_rate\nF-7,ACME,x,2026-09-01,2026-10-01,1,21\n"), into: ledger)
        #expect(lenient.added == 1)
    }

    @Test func aBrokenQuoteNamesItsLine() throws {
        let error = #expect(throws: LedgerError.self) {
            try importInvoices("number,client,concept,issue_date,due_date,amount\nF-1,ACME,\"never closed,2026-09-01,2026-10-01,1\n")
        }
        #expect(error?.description.contains("line 2: a quoted field opened here is never closed") == true)
    }

    /// Two addresses, unquoted, in a file separated by semicolons: the row had one field too
    /// many and the message did not say why (trial finding).
    @Test func aValueWithTheSeparatorInItIsToldToBeQuoted() throws {
        let file = folder.write("more.csv", "code;name;email;country\nLUNA;Sol y Luna S.L.;pagos@luna.example;cfo@luna.example;ES\n")
        let error = #expect(throws: LedgerError.self) { try CSVImport(kind: .clients, settings: settings, today: today).run(file: file, into: ledger) }
        #expect(error?.description.contains("line 2: 5 fields where the header has 4; check for a stray separator or quote; a value with ; in it must be in double quotes, as in \"a@client.es; b@client.es\"") == true, "\(String(describing: error))")
        #expect(throws: LedgerError.self) { try ledger.client(code: "LUNA") }
        let commas = folder.write("commas.csv", "code,name,email,country\nLUNA,Sol y Luna, S.L.,pagos@luna.example,ES\n")
        let comma = #expect(throws: LedgerError.self) { try CSVImport(kind: .clients, settings: settings, today: today).run(file: commas, into: ledger) }
        #expect(comma?.description.contains("a value with , in it must be in double quotes, as in \"Acme, S.L.\"") == true, "\(String(describing: comma))")
    }

    @Test func paymentsImportOnceAndNeverBeyondTheBalance() throws {
        _ = try importInvoices("number,client,concept,issue_date,due_date,amount\nF-1,ACME,x,2026-09-01,2026-10-01,100.00\n")
        let payments = folder.write("payments.csv", "invoice,amount,date,reference\nF-1,60.00,2026-10-05,T1\nF-1,40.00,2026-10-06,T2\n")
        let importer = CSVImport(kind: .payments, settings: settings, today: today)
        #expect(try importer.run(file: payments, into: ledger).added == 2)
        #expect(try importer.run(file: payments, into: ledger).unchanged == 2)
        #expect(try ledger.invoice(number: "F-1").balance.minorUnits == 0)
        let over = folder.write("over.csv", "invoice,amount,date,reference\nF-1,0.01,2026-10-07,T3\n")
        let error = #expect(throws: LedgerError.self) { try importer.run(file: over, into: ledger) }
        #expect(error?.description.contains("line 2, column amount: invoice F-1 is paid in full already") == true)
    }

    @Test func reimportingClientsWithFewerColumnsKeepsWhatTheFileDoesNotMention() throws {
        try ledger.updateClient(code: "ACME") {
            $0.taxID = "B12345678"
            $0.timeZone = "Europe/Madrid"
            $0.debtorKind = .selfEmployed
        }
        let slim = folder.write("slim.csv", "code,name,email,country\nACME,Acme Nueva S.L.,pagos@acme.example,ES\n")
        #expect(try CSVImport(kind: .clients, settings: settings, today: today).run(file: slim, into: ledger).updated == 1)
        let acme = try ledger.client(code: "ACME")
        #expect(acme.name == "Acme Nueva S.L." && acme.emails == ["pagos@acme.example"])
        #expect(acme.taxID == "B12345678" && acme.timeZone == "Europe/Madrid" && acme.debtorKind == .selfEmployed)
    }

    /// A payment entered by hand, then the bank's rows for it with and without a reference,
    /// in any order and any number of times: one payment, whose reference the bank gave.
    @Test func theBanksRowsAreThePaymentEnteredByHandHoweverOftenTheyCome() throws {
        _ = try importInvoices("number,client,concept,issue_date,due_date,amount\nF-1,ACME,x,2026-09-01,2026-10-01,1000.00\n")
        try ledger.addPayment(Payment(invoiceID: 0, amount: Money(minorUnits: 200_00, currency: Currency(code: "EUR")!), valueDate: CalendarDate(iso: "2026-11-21")!), invoiceNumber: "F-1")
        let importer = CSVImport(kind: .payments, settings: settings, today: today)
        let bare = folder.write("bare.csv", "invoice,amount,date\nF-1,200.00,2026-11-21\n")
        let referenced = folder.write("referenced.csv", "invoice,amount,date,method,reference\nF-1,200.00,2026-11-21,transfer,SEPA-9\n")
        #expect(try importer.run(file: bare, into: ledger).unchanged == 1)
        #expect(try importer.run(file: referenced, into: ledger).updated == 1)
        #expect(try importer.run(file: bare, into: ledger).unchanged == 1)
        #expect(try importer.run(file: referenced, into: ledger).unchanged == 1)
        let payments = try ledger.payments(invoiceNumber: "F-1")
        #expect(payments.map(\.payment.reference) == ["SEPA-9"] && payments.map(\.payment.method) == ["transfer"])
        // One file naming it twice, with and without the reference, is two payments, once.
        let both = folder.write("both.csv", "invoice,amount,date,reference\nF-1,200.00,2026-11-21,\nF-1,200.00,2026-11-21,SEPA-9\n")
        #expect(try importer.run(file: both, into: ledger).added == 1)
        let again = try importer.run(file: both, into: ledger)
        #expect(again.added == 0 && again.updated == 0 && again.unchanged == 2)
        #expect(try ledger.invoice(number: "F-1").balance.minorUnits == 600_00)
    }

    @Test func twoIdenticalPaymentsInOneFileAreBothKept() throws {
        _ = try importInvoices("number,client,concept,issue_date,due_date,amount\nF-1,ACME,x,2026-09-01,2026-10-01,100.00\n")
        let file = folder.write("twice.csv", "invoice,amount,date\nF-1,5.00,2026-11-20\nF-1,5.00,2026-11-20\n")
        let importer = CSVImport(kind: .payments, settings: settings, today: today)
        #expect(try importer.run(file: file, into: ledger).added == 2)
        let again = try importer.run(file: file, into: ledger)
        #expect(again.added == 0 && again.unchanged == 2)
        #expect(try ledger.invoice(number: "F-1").balance.minorUnits == 90_00)
    }

    @Test func paymentDatesMustBeBetweenTheInvoiceAndToday() throws {
        _ = try importInvoices("number,client,concept,issue_date,due_date,amount\nF-1,ACME,x,2026-09-01,2026-10-01,100.00\n")
        let file = folder.write("dates.csv", "invoice,amount,date\nF-1,5.00,2026-08-31\nF-1,5.00,2026-11-30\n")
        let error = #expect(throws: LedgerError.self) { try CSVImport(kind: .payments, settings: settings, today: today).run(file: file, into: ledger) }
        guard case .importRejected(_, let problems) = error else {
            Issue.record("expected importRejected")
            return
        }
        #expect(problems.map(\.description) == [
            "line 2, column date: 2026-08-31 is before invoice F-1 was issued (2026-09-01)",
            "line 3, column date: a payment's value date cannot be in the future (today is 2026-11-29)",
        ])
    }

    @Test func aSemicolonFileWithoutTheDecimalCommaSettingGetsAHint() throws {
        let error = #expect(throws: LedgerError.self) {
            try importInvoices("number;client;concept;issue_date;due_date;amount\nF-9;ACME;x;2026-09-01;2026-10-01;1234,56\n")
        }
        #expect(error?.description.contains("import it with --decimal-comma") == true)
    }

    @Test func clientRowsWithHeaderInjectionAreRefused() throws {
        let error = #expect(throws: LedgerError.self) {
            try CSVImport(kind: .clients, settings: settings, today: today).run(
                file: folder.write("evil.csv", "code,name,email,country\nEVIL,\"Evil\r\nBcc: x@y.example\",a@b.example,ES\n"), into: ledger)
        }
        #expect(error?.description.contains("line 2, column name") == true)
        #expect(try ledger.clients().count == 2)
    }
}
