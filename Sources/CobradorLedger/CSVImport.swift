import CobradorCore
import Foundation
import GRDB

/// Imports clients, invoices or payments from a CSV file into the ledger: all or nothing.
///
/// Columns are found by their header (any order, case-insensitive). Every row is checked
/// and every problem collected, with its line and column, inside one write transaction; if
/// there is any, the transaction rolls back and the problems are reported together.
/// Re-importing the same file changes nothing: clients are keyed by code, invoices by
/// number, payments by (invoice, amount, date, reference). An invoice that exists with other
/// values is reported as a conflict and never overwritten.
package struct CSVImport: Sendable {
    package enum Kind: String, CaseIterable, Sendable {
        case clients, invoices, payments

        /// Known columns; the required ones first.
        var columns: (required: [String], optional: [String]) {
            switch self {
            case .clients:
                (["code", "name", "email", "country"], ["region", "language", "time_zone", "debtor_kind", "tax_id", "address", "notes"])
            case .invoices:
                (["number", "client", "concept", "issue_date", "due_date", "amount"], ["currency", "attachment", "contract_rate", "interest_regime"])
            case .payments:
                (["invoice", "amount", "date"], ["currency", "method", "reference"])
            }
        }
    }

    package var kind: Kind
    package var settings: CobradorCore.Configuration.CSVImportSettings
    /// Accept and skip columns cobrador does not know (exports often carry extra ones).
    package var ignoreUnknownColumns: Bool
    /// The owner's today: a payment cannot have arrived after it.
    package var today: CalendarDate

    package init(kind: Kind, settings: CobradorCore.Configuration.CSVImportSettings, ignoreUnknownColumns: Bool = false, today: CalendarDate) {
        self.kind = kind
        self.settings = settings
        self.ignoreUnknownColumns = ignoreUnknownColumns
        self.today = today
    }

    /// Imports `file` into `ledger`. `progress` is called now and then with (rows done, rows).
    package func run(file: String, into ledger: Ledger, progress: (@Sendable (Int, Int) -> Void)? = nil) throws(LedgerError) -> ImportSummary {
        let records = try read(file: file)
        guard let header = records.first else {
            throw .importRejected(file: file, problems: [ImportProblem(line: 1, column: nil, message: "the file is empty; the first line must name the columns")])
        }
        let columns = try mapColumns(header, file: file)
        let rows = Array(records.dropFirst())
        return try ledger.write { db in
            var summary = ImportSummary()
            var problems: [ImportProblem] = []
            var context = RowContext(db: db, folder: (file as NSString).deletingLastPathComponent)
            for (offset, record) in rows.enumerated() {
                if offset % 1000 == 0 { progress?(offset, rows.count) }
                var row = CSVRow(record: record, columns: columns)
                guard record.fields.count == header.fields.count else {
                    // More fields than columns: most often a value with the separator in it,
                    // such as several addresses in a file separated by semicolons.
                    let example = record.separator == ";" ? "\"a@client.es; b@client.es\"" : "\"Acme, S.L.\""
                    let more = record.fields.count > header.fields.count ? "; a value with \(record.separator) in it must be in double quotes, as in \(example)" : ""
                    problems.append(ImportProblem(
                        line: record.line, column: nil,
                        message: "\(record.fields.count) fields where the header has \(header.fields.count); check for a stray separator or quote" + more))
                    continue
                }
                do {
                    try importRow(&row, context: &context, summary: &summary)
                } catch let error as LedgerError {
                    row.problems.append(ImportProblem(line: record.line, column: nil, message: error.description))
                }
                problems += row.problems
                if problems.count >= 1000 { break }
            }
            progress?(rows.count, rows.count)
            summary.rows = rows.count
            if !settings.decimalComma, header.separator == ";", problems.contains(where: { $0.column == "amount" }) {
                problems.append(ImportProblem(
                    line: nil, column: nil,
                    message: "this file separates columns with ';': if its amounts are written 1234,56, import it with --decimal-comma"))
            }
            guard problems.isEmpty else { throw LedgerError.importRejected(file: file, problems: problems) }
            return summary
        }
    }

    private func read(file: String) throws(LedgerError) -> [CSVReader.Record] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .importRejected(file: file, problems: [ImportProblem(line: nil, column: nil, message: "cannot read the file (missing or not readable)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .importRejected(file: file, problems: [ImportProblem(line: nil, column: nil, message: "the file is not UTF-8 text; export it as CSV UTF-8")])
        }
        do {
            return try CSVReader.parse(text)
        } catch {
            switch error {
            case .unterminatedQuote(let line):
                throw .importRejected(file: file, problems: [ImportProblem(line: line, column: nil, message: "a quoted field opened here is never closed")])
            case .textAfterQuote(let line):
                throw .importRejected(file: file, problems: [ImportProblem(line: line, column: nil, message: "text follows a closing quote; write a quote inside a quoted field as \"\"")])
            }
        }
    }

    private func mapColumns(_ header: CSVReader.Record, file: String) throws(LedgerError) -> [String: Int] {
        var columns: [String: Int] = [:]
        var problems: [ImportProblem] = []
        let known = kind.columns.required + kind.columns.optional
        for (index, name) in header.fields.enumerated() {
            let key = name.trimmingSpaces().lowercased().replacingOccurrences(of: " ", with: "_")
            if columns[key] != nil {
                problems.append(ImportProblem(line: 1, column: name, message: "this column appears twice"))
            } else if known.contains(key) {
                columns[key] = index
            } else if !ignoreUnknownColumns {
                problems.append(ImportProblem(
                    line: 1, column: name,
                    message: "unknown column for \(kind.rawValue); known columns are \(known.joined(separator: ", ")) (or pass --ignore-unknown-columns)"))
            }
        }
        for required in kind.columns.required where columns[required] == nil {
            problems.append(ImportProblem(line: 1, column: required, message: "this required column is missing"))
        }
        if kind == .invoices, columns["currency"] == nil, settings.defaultCurrency == nil {
            problems.append(ImportProblem(line: 1, column: "currency", message: "no currency column and no [import] default_currency in the configuration"))
        }
        guard problems.isEmpty else { throw .importRejected(file: file, problems: problems) }
        return columns
    }

    /// Lookups shared by the rows of one import.
    private struct RowContext {
        let db: GRDB.Database
        /// The CSV file's folder: a relative attachment path is read from there.
        let folder: String
        var clientIDs: [String: Int64] = [:]
        var numbersInFile: [String: Int] = [:]
        /// The payments of each invoice the file names, as the ledger held them before this
        /// import wrote any (read at the invoice's first row, before its first write); `claimed`
        /// once a row of the file is that payment.
        var paymentsBefore: [Int64: [(id: Int64, amount: Int64, date: String, reference: String?, claimed: Bool)]] = [:]

        init(db: GRDB.Database, folder: String) {
            self.db = db
            self.folder = folder
        }

        /// Claims for a row of the file an unclaimed payment of the invoice held before the
        /// import, of that amount and date, whose reference `matches`; returns its id.
        mutating func claimPayment(invoiceID: Int64, amount: Money, date: CalendarDate, where matches: (String?) -> Bool) throws -> Int64? {
            if paymentsBefore[invoiceID] == nil {
                paymentsBefore[invoiceID] = try GRDB.Row.fetchAll(
                    db.cachedStatement(sql: "SELECT id, amount_minor, value_date, reference FROM payment WHERE invoice_id = ? ORDER BY id"), arguments: [invoiceID]
                ).map { (id: $0["id"], amount: $0["amount_minor"], date: $0["value_date"], reference: $0["reference"], claimed: false) }
            }
            guard let index = paymentsBefore[invoiceID]!.firstIndex(where: {
                !$0.claimed && $0.amount == amount.minorUnits && $0.date == date.description && matches($0.reference)
            }) else { return nil }
            paymentsBefore[invoiceID]![index].claimed = true
            return paymentsBefore[invoiceID]![index].id
        }

        mutating func clientID(code: String) throws -> Int64? {
            let key = code.lowercased()
            if let id = clientIDs[key] { return id }
            let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM client WHERE code = ?"), arguments: [code])
            if let id { clientIDs[key] = id }
            return id
        }
    }

    private func importRow(_ row: inout CSVRow, context: inout RowContext, summary: inout ImportSummary) throws {
        switch kind {
        case .clients: try importClient(&row, context: &context, summary: &summary)
        case .invoices: try importInvoice(&row, context: &context, summary: &summary)
        case .payments: try importPayment(&row, context: &context, summary: &summary)
        }
    }

    private func importClient(_ row: inout CSVRow, context: inout RowContext, summary: inout ImportSummary) throws {
        let code = row.required("code") { try FieldRules.code($0) }
        let name = row.required("name") { try FieldRules.singleLine($0) }
        let emails = row.required("email") { text in
            let addresses = try text.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).map { try FieldRules.emailAddress(String($0)) }
            guard !addresses.isEmpty else { throw CoreError.invalidValue(field: nil, value: text, reason: "at least one address is required") }
            return addresses
        }
        let country = row.required("country") { try FieldRules.country($0) }
        let region = country.flatMap { country in row.optional("region") { try FieldRules.region($0, country: country) } }
        let language = row.optional("language") { try FieldRules.choice($0, as: Language.self) }
        let timeZone = row.optional("time_zone") { try FieldRules.timeZone($0) }
        let kind = row.optional("debtor_kind") { try FieldRules.choice($0, as: DebtorKind.self) }
        let taxID = row.optional("tax_id") { try FieldRules.singleLine($0) }
        let address = row.optional("address") { try FieldRules.singleLine($0) }
        let notes = row.optional("notes") { try FieldRules.freeText($0) } ?? nil
        guard row.problems.isEmpty, let code, let name, let emails, let country else { return }
        if let earlier = context.numbersInFile[code.lowercased()] {
            row.fail("code", "the client \(code) already appears on line \(earlier)")
            return
        }
        context.numbersInFile[code.lowercased()] = row.line
        let client = Client(
            code: code, name: name, emails: emails, language: language ?? (country == "ES" ? .es : .en), timeZone: timeZone,
            country: country, region: region, debtorKind: kind ?? .company, taxID: taxID, postalAddress: address, notes: notes)
        if try context.clientID(code: code) != nil {
            // Only the columns the file has change: a file without `tax_id` keeps the stored one.
            let existing = try Ledger.client(code: code, context.db)
            var incoming = existing
            incoming.name = name
            incoming.emails = emails
            incoming.country = country
            if row.has("region") { incoming.region = region }
            if row.has("language") { incoming.language = language ?? client.language }
            if row.has("time_zone") { incoming.timeZone = timeZone }
            if row.has("debtor_kind") { incoming.debtorKind = kind ?? .company }
            if row.has("tax_id") { incoming.taxID = taxID }
            if row.has("address") { incoming.postalAddress = address }
            if row.has("notes") { incoming.notes = notes }
            if incoming == existing {
                summary.unchanged += 1
            } else {
                try Ledger.update(incoming, context.db)
                summary.updated += 1
            }
        } else {
            let stored = try Ledger.insert(client, context.db)
            context.clientIDs[code.lowercased()] = stored.id
            summary.added += 1
        }
    }

    private func importInvoice(_ row: inout CSVRow, context: inout RowContext, summary: inout ImportSummary) throws {
        let number = row.required("number") { try FieldRules.singleLine($0, maxLength: 64) }
        let clientCode = row.required("client") { try FieldRules.code($0) }
        let concept = row.required("concept") { try FieldRules.singleLine($0) }
        let issueDate = row.required("issue_date") { try FieldRules.date($0) }
        let dueDate = row.required("due_date") { try FieldRules.date($0) }
        let currency = row.optional("currency") { try FieldRules.currency($0) } ?? settings.defaultCurrency
        // Stored absolute, as `invoice add` does: the daemon reads it from another directory.
        // Checked for a new invoice only: a file re-imported later changes no stored invoice.
        let isNew = try number.map { try Bool.fetchOne(context.db.cachedStatement(sql: "SELECT 1 FROM invoice WHERE number = ?"), arguments: [$0]) == nil } ?? false
        let attachment = row.optional("attachment") { [folder = context.folder] text in
            let path = try FieldRules.singleLine(text)
            let absolute = path.hasPrefix("/") ? path : URL(fileURLWithPath: folder.isEmpty ? "." : folder).appendingPathComponent(path).standardizedFileURL.path
            guard !isNew || FileManager.default.isReadableFile(atPath: absolute) else {
                throw CoreError.invalidValue(field: nil, value: text, reason: "\(absolute) does not exist or cannot be read")
            }
            return absolute
        }
        let contractRate = row.optional("contract_rate") { try FieldRules.percent($0) }
        let interestRegime = row.optional("interest_regime") { try FieldRules.choice($0, as: InterestRegime.self) }
        let amount = currency.flatMap { currency in
            row.required("amount") { try FieldRules.positiveAmount($0, currency: currency, decimalComma: settings.decimalComma) }
        }
        if currency == nil { row.fail("currency", "a currency is required (no default_currency is configured)") }
        if let issueDate, let dueDate, dueDate < issueDate {
            row.fail("due_date", "the due date \(dueDate) is before the issue date \(issueDate)")
        }
        // Checked whatever else is wrong with the row: every problem is listed at the first try.
        if let number {
            if let earlier = context.numbersInFile[number] {
                row.fail("number", "the invoice \(number) already appears on line \(earlier)")
            } else {
                context.numbersInFile[number] = row.line
            }
        }
        let clientID = try clientCode.flatMap { try context.clientID(code: $0) }
        if let clientCode, clientID == nil {
            row.fail("client", "no client with code \"\(clientCode)\" in the ledger; import the clients first")
        }
        guard row.problems.isEmpty, let number, let clientID, let concept, let issueDate, let dueDate, let amount else { return }
        var invoice = Invoice(
            number: number, clientID: clientID, concept: concept, issueDate: issueDate, dueDate: dueDate, gross: amount, attachment: attachment)
        invoice.contractRate = contractRate
        invoice.interestRegime = interestRegime
        guard let existing = try SQLiteRow.first(context.db.cachedStatement(sql: "SELECT \(Invoice.columns) FROM invoice WHERE number = ?"), number, decode: Invoice.init)
        else {
            try Ledger.insert(invoice, context.db)
            summary.added += 1
            return
        }
        var differences: [String] = []
        if existing.gross != amount { differences.append("amount \(existing.gross) in the ledger, \(amount) in the file") }
        if existing.clientID != clientID { differences.append("a different client") }
        if existing.dueDate != dueDate { differences.append("due date \(existing.dueDate) in the ledger, \(dueDate) in the file") }
        if existing.issueDate != issueDate { differences.append("issue date \(existing.issueDate) in the ledger, \(issueDate) in the file") }
        if existing.concept != concept { differences.append("another concept") }
        if differences.isEmpty {
            summary.unchanged += 1
        } else {
            summary.conflicts.append(ImportProblem(
                line: row.line, column: nil,
                message: "invoice \(number) is already in the ledger with \(differences.joined(separator: "; ")); the ledger was kept as it is "
                    + "(if the file is right, correct the invoice with `cobrador invoice edit \(number)`)"))
        }
    }

    private func importPayment(_ row: inout CSVRow, context: inout RowContext, summary: inout ImportSummary) throws {
        let number = row.required("invoice") { try FieldRules.singleLine($0, maxLength: 64) }
        let valueDate = row.required("date") { try FieldRules.date($0) }
        let method = row.optional("method") { try FieldRules.singleLine($0) }
        let reference = row.optional("reference") { try FieldRules.singleLine($0) }
        let statedCurrency = row.optional("currency") { try FieldRules.currency($0) }
        guard let number else { return }
        guard let target = try GRDB.Row.fetchOne(context.db.cachedStatement(sql: "SELECT id, currency, issue_date FROM invoice WHERE number = ?"), arguments: [number]) else {
            row.fail("invoice", "no invoice numbered \"\(number)\" in the ledger; import the invoices first")
            return
        }
        let currency = Currency(storedCode: target["currency"])
        if let statedCurrency, statedCurrency != currency {
            row.fail("currency", "invoice \(number) is in \(currency.code), the payment in \(statedCurrency.code)")
        }
        let amount = row.required("amount") { try FieldRules.positiveAmount($0, currency: currency, decimalComma: settings.decimalComma) }
        if let valueDate, valueDate > today {
            row.fail("date", "a payment's value date cannot be in the future (today is \(today))")
        }
        if let valueDate, let issued = CalendarDate(iso: target["issue_date"] as String), valueDate < issued {
            row.fail("date", "\(valueDate) is before invoice \(number) was issued (\(issued))")
        }
        guard row.problems.isEmpty, let valueDate, let amount else { return }
        // Each row is one payment. It is one the ledger already holds (re-importing changes
        // nothing) when an unclaimed payment of the same amount and date is there: one with
        // the same reference, else, for a row with a reference, one entered by hand without
        // any (which the row completes), else, for a row without one, any.
        let invoiceID: Int64 = target["id"]
        if let reference {
            if try context.claimPayment(invoiceID: invoiceID, amount: amount, date: valueDate, where: { $0 == reference }) != nil {
                summary.unchanged += 1
                return
            }
            if let handEntered = try context.claimPayment(invoiceID: invoiceID, amount: amount, date: valueDate, where: { $0 == nil }) {
                try context.db.cachedStatement(sql: "UPDATE payment SET reference = ?, method = coalesce(method, ?) WHERE id = ?")
                    .execute(arguments: [reference, method, handEntered])
                summary.updated += 1
                return
            }
        } else if try context.claimPayment(invoiceID: invoiceID, amount: amount, date: valueDate, where: { $0 == nil }) != nil
            || context.claimPayment(invoiceID: invoiceID, amount: amount, date: valueDate, where: { _ in true }) != nil
        {
            summary.unchanged += 1
            return
        }
        do {
            try Ledger.insert(
                Payment(invoiceID: invoiceID, amount: amount, valueDate: valueDate, method: method, reference: reference), invoiceNumber: number,
                recordedAt: Timestamp.string(Date()), context.db)
            summary.added += 1
        } catch let error as LedgerError {
            row.fail("amount", error.description)
        }
    }
}

/// One CSV record being read into typed values; problems accumulate with their column.
private struct CSVRow {
    let record: CSVReader.Record
    let columns: [String: Int]
    var problems: [ImportProblem] = []

    init(record: CSVReader.Record, columns: [String: Int]) {
        self.record = record
        self.columns = columns
    }

    var line: Int { record.line }

    /// Whether the file has `column` at all (an empty cell still counts).
    func has(_ column: String) -> Bool { columns[column] != nil }

    mutating func fail(_ column: String, _ message: String) {
        problems.append(ImportProblem(line: record.line, column: column, message: message))
    }

    private func text(_ column: String) -> String? {
        guard let index = columns[column], index < record.fields.count else { return nil }
        let value = record.fields[index]
        return value.trimmingSpaces().isEmpty ? nil : value
    }

    mutating func required<T>(_ column: String, _ rule: (String) throws -> T) -> T? {
        guard let value = text(column) else {
            fail(column, "a value is required")
            return nil
        }
        return check(column, value, rule)
    }

    mutating func optional<T>(_ column: String, _ rule: (String) throws -> T) -> T? {
        guard let value = text(column) else { return nil }
        return check(column, value, rule)
    }

    private mutating func check<T>(_ column: String, _ value: String, _ rule: (String) throws -> T) -> T? {
        do {
            return try rule(value)
        } catch CoreError.invalidValue(_, let bad, let reason) {
            fail(column, "\"\(bad.visibleControlCharacters)\" is not valid: \(reason)")
        } catch {
            fail(column, "\(error)")
        }
        return nil
    }
}
