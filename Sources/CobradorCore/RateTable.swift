import Foundation
import TOMLKit

/// The late-payment rates: the table cobrador ships (Data/rates.toml) with the owner's
/// `[[interest.rate]]` entries on top (an owner's entry wins where they overlap).
package struct RateTable: Sendable, Hashable {
    package private(set) var periods: [RatePeriod]

    package init(periods: [RatePeriod]) {
        self.periods = periods
    }

    /// Parses a rates file: `[[rate]]` entries with regime, from, until, percent, source,
    /// provisional. Problems name the file, line and key.
    package static func parse(text: String, file: String) throws(CoreError) -> RateTable {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch {
            throw .configuration([ConfigurationIssue(file: file, line: (error as? TOMLParseError)?.source.begin.line, key: "", message: "TOML syntax error")])
        }
        let log = TOMLTableReader.IssueLog(file: file, locator: TOMLLocator(source: text))
        let reader = TOMLTableReader(table: root, path: [], log: log)
        let periods = read(reader.tableArray("rate") ?? [])
        reader.rejectUnknownKeys()
        guard log.issues.isEmpty else { throw .configuration(log.issues) }
        return RateTable(periods: periods)
    }

    static func read(_ entries: [TOMLTableReader]) -> [RatePeriod] {
        entries.compactMap { entry in
            defer { entry.rejectUnknownKeys() }
            let regime = entry.string("regime", required: true) { text throws -> String in
                guard ["ES", "ECB", "BOE"].contains(text) else {
                    throw CoreError.invalidValue(field: nil, value: text, reason: "expected ES, ECB or BOE")
                }
                return text
            }
            let from = entry.date("from")
            let until = entry.date("until")
            let percent = entry.string("percent", required: true) { text throws -> Decimal in
                guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), value >= 0, value < 100 else {
                    throw CoreError.invalidValue(field: nil, value: text, reason: "expected a percentage such as \"10.15\"")
                }
                return value
            }
            let source = entry.string("source", required: true)
            let provisional = entry.bool("provisional") ?? false
            if let from, let until, until < from { entry.report("until", "the period ends before it starts") }
            guard let regime, let from, let until, let percent, let source, until >= from else { return nil }
            return RatePeriod(regime: regime, from: from, until: until, percent: percent, source: source, provisional: provisional)
        }
    }

    /// This table with `overrides` laid on top: where they overlap, the override wins.
    package func overlaid(with overrides: [RatePeriod]) -> RateTable {
        var result = periods.filter { period in
            !overrides.contains { $0.regime == period.regime && $0.from <= period.until && period.from <= $0.until }
        }
        result += overrides
        return RateTable(periods: result.sorted { ($0.regime, $0.from) < ($1.regime, $1.from) })
    }

    /// The period of `regime` that covers `day`.
    package func period(_ regime: String, on day: CalendarDate) -> RatePeriod? {
        periods.first { $0.regime == regime && $0.from <= day && day <= $0.until }
    }

    /// The period of `regime` that covers `day`, or, past the last known one (a rate not
    /// published yet, or not in this table), that last rate assumed unchanged from `day` on
    /// and marked provisional: a claim stays whole and says which rate is not confirmed.
    package func periodOrAssumed(_ regime: String, on day: CalendarDate) -> RatePeriod? {
        if let known = period(regime, on: day) { return known }
        guard let last = periods.filter({ $0.regime == regime && $0.until < day }).max(by: { $0.until < $1.until }) else { return nil }
        return RatePeriod(
            regime: regime, from: last.until.adding(days: 1), until: day.adding(days: 100 * 366), percent: last.percent,
            source: "no rate known from \(last.until.adding(days: 1)): the one of \(last.from) to \(last.until) assumed unchanged", provisional: true)
    }
}
