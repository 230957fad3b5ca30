import TOMLKit

/// Reads one TOML table key by key, recording every problem (wrong type, invalid value,
/// unknown key) with its line instead of stopping at the first, so `cobrador check` can list
/// them all at once. Not Sendable: lives for one load.
final class TOMLTableReader {
    /// Collects issues across all readers of one file.
    final class IssueLog {
        let file: String
        let locator: TOMLLocator
        var issues: [ConfigurationIssue] = []

        init(file: String, locator: TOMLLocator) {
            self.file = file
            self.locator = locator
        }

        func add(_ path: [String], _ message: String) {
            issues.append(ConfigurationIssue(file: file, line: locator.line(of: path), key: path.joined(separator: "."), message: message))
        }
    }

    let path: [String]
    private let table: TOMLTable
    private let log: IssueLog
    private var consumed: Set<String> = []
    /// The keys asked for, in the order the caller asked (not those `accept`ed as data): the
    /// keys an unknown one is listed against.
    private var asked: [String] = []

    init(table: TOMLTable, path: [String], log: IssueLog) {
        self.table = table
        self.path = path
        self.log = log
    }

    var keys: [String] { table.keys }

    func report(_ key: String?, _ message: String) {
        log.add(key.map { path + [$0] } ?? path, message)
    }

    /// Fetches `key`, marking it known; reports a missing required key.
    private func value(_ key: String, required: Bool) -> TOMLValueConvertible? {
        if consumed.insert(key).inserted { asked.append(key) }
        guard let value = table[key] else {
            if required { report(key, "this key is required") }
            return nil
        }
        return value
    }

    private func wrongType(_ key: String, expected: String, found: TOMLValueConvertible) {
        report(key, "expected \(expected), found \(Self.describe(found.type))")
    }

    func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard let text = value.string else {
            wrongType(key, expected: "a string in quotes", found: value)
            return nil
        }
        return text
    }

    /// A string checked by `rule`; a refusal is reported with the key and line.
    func string<T>(_ key: String, required: Bool = false, _ rule: (String) throws -> T) -> T? {
        guard let text = string(key, required: required) else { return nil }
        do {
            return try rule(text)
        } catch let error as CoreError {
            report(key, Self.reason(error))
        } catch {
            report(key, "\(error)")
        }
        return nil
    }

    func int(_ key: String, required: Bool = false, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let value = value(key, required: required) else { return nil }
        guard let number = value.int else {
            wrongType(key, expected: "a whole number", found: value)
            return nil
        }
        if let range, !range.contains(number) {
            report(key, "\(number) is out of range: expected \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    func bool(_ key: String) -> Bool? {
        guard let value = value(key, required: false) else { return nil }
        guard let flag = value.bool else {
            wrongType(key, expected: "true or false", found: value)
            return nil
        }
        return flag
    }

    func stringArray(_ key: String, required: Bool = false) -> [String]? {
        guard let value = value(key, required: required) else { return nil }
        guard let array = value.array else {
            wrongType(key, expected: "a list of strings, as in [\"a\", \"b\"]", found: value)
            return nil
        }
        var strings: [String] = []
        for element in array {
            guard let text = element.string else {
                wrongType(key, expected: "a list of strings, as in [\"a\", \"b\"]", found: element)
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    /// One day, written as a TOML date (2026-12-25) or a string ("2026-12-25").
    func date(_ key: String, required: Bool = true) -> CalendarDate? {
        guard let value = value(key, required: required) else { return nil }
        if let date = value.date, let day = CalendarDate(year: date.year, month: date.month, day: date.day) { return day }
        if let text = value.string, let day = CalendarDate(iso: text) { return day }
        report(key, "expected a date written YYYY-MM-DD")
        return nil
    }

    /// A list of days, written as TOML dates (2026-12-25) or strings ("2026-12-25").
    func dateArray(_ key: String) -> Set<CalendarDate>? {
        guard let value = value(key, required: false) else { return nil }
        guard let array = value.array else {
            wrongType(key, expected: "a list of dates, as in [2026-12-25, 2027-01-01]", found: value)
            return nil
        }
        var dates: Set<CalendarDate> = []
        for element in array {
            if let date = element.date, let day = CalendarDate(year: date.year, month: date.month, day: date.day) {
                dates.insert(day)
            } else if let text = element.string, let day = CalendarDate(iso: text) {
                dates.insert(day)
            } else {
                report(key, "every holiday must be a date written YYYY-MM-DD, found \(element.tomlValue.debugDescription)")
                return nil
            }
        }
        return dates
    }

    func table(_ key: String) -> TOMLTableReader? {
        guard let value = value(key, required: false) else { return nil }
        guard let table = value.table else {
            wrongType(key, expected: "a table ([\((path + [key]).joined(separator: "."))])", found: value)
            return nil
        }
        return TOMLTableReader(table: table, path: path + [key], log: log)
    }

    /// An array of tables (`[[name]]`); elements are addressed `name[0]`, `name[1]`...
    func tableArray(_ key: String) -> [TOMLTableReader]? {
        guard let value = value(key, required: false) else { return nil }
        guard let array = value.array else {
            wrongType(key, expected: "a list of tables ([[\((path + [key]).joined(separator: "."))]])", found: value)
            return nil
        }
        var readers: [TOMLTableReader] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                wrongType(key, expected: "a list of tables ([[\((path + [key]).joined(separator: "."))]])", found: element)
                return nil
            }
            readers.append(TOMLTableReader(table: table, path: path + ["\(key)[\(index)]"], log: log))
        }
        return readers
    }

    /// Reports every key that no reader asked for (a typo must never be silently ignored), with
    /// the nearest known one or, when none is near and there are few, the keys this table takes.
    func rejectUnknownKeys() {
        for key in table.keys where !consumed.contains(key) {
            var message = "unknown key"
            if let guess = Self.closest(to: key, among: consumed.sorted()) {
                message += "; did you mean \"\(guess)\"?"
            } else if !asked.isEmpty, asked.count <= 12 {
                message += "; the keys here are " + asked.joined(separator: ", ")
            }
            report(key, message)
        }
    }

    /// Marks `key` as handled by the caller (for tables whose keys are data, like holidays).
    func accept(_ key: String) { consumed.insert(key) }

    static func reason(_ error: CoreError) -> String {
        switch error {
        case .invalidValue(_, let value, let reason):
            return "\"\(value.visibleControlCharacters)\" is not valid: \(reason)"
        case .configuration(let issues):
            return issues.map(\.message).joined(separator: "; ")
        }
    }

    private static func describe(_ type: TOMLType) -> String {
        switch type {
        case .table: "a table"
        case .array: "a list"
        case .string: "a string"
        case .int: "a whole number"
        case .double: "a decimal number"
        case .bool: "true or false"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date and time"
        }
    }

    /// The known key at edit distance 2 or less, if any.
    private static func closest(to key: String, among candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var current = [i + 1]
                for (j, cb) in b.enumerated() {
                    current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
        let scored = candidates.map { ($0, distance(Array(key), Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }
}
