import CobradorCore
import Foundation

/// Money and dates as a client reads them, from CLDR through Foundation: es "12.345,67 €"
/// (CLDR, as the RAE recommends, leaves four-digit amounts ungrouped: "1234,56 €") and
/// "29 de noviembre de 2026"; en "€12,345.67" and "29 November 2026".
///
/// ICU takes tens of microseconds per amount, a good part of composing a message, so each
/// currency's layout is learnt from ICU once (symbol, separators, grouping), checked against
/// ICU on a range of amounts, and then applied with integer arithmetic; where the check
/// fails, and for negative amounts, ICU formats each amount. Dates are formatted once each.
package struct LocalizedFormat: Sendable {
    package let language: Language

    package init(language: Language) {
        self.language = language
    }

    private var locale: Locale { Locale(identifier: language == .es ? "es_ES" : "en_GB") }

    package func money(_ money: Money) -> String {
        if money.minorUnits >= 0, let layout = Self.memory.layout(money.currency, language, learn: { moneyLayout(money.currency) }) {
            return layout.format(money.minorUnits)
        }
        return icuMoney(money)
    }

    /// ICU's text for an amount: the reference the fast path is checked against.
    func icuMoney(_ money: Money) -> String {
        let decimal = Decimal(money.minorUnits) / pow(Decimal(10), money.currency.minorDigits)
        return decimal.formatted(
            .currency(code: money.currency.code).locale(locale).precision(.fractionLength(money.currency.minorDigits)))
    }

    /// "10,15 %" / "10.15%".
    package func percent(_ value: Decimal) -> String {
        let text = NSDecimalNumber(decimal: value).stringValue
        return language == .es ? text.replacingOccurrences(of: ".", with: ",") + "\u{00A0}%" : text + "%"
    }

    package func date(_ date: CalendarDate) -> String {
        Self.memory.date(date, language) {
            let formatter = language == .es ? Self.spanishDates : Self.englishDates
            return formatter.string(from: Self.utc.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!)
        }
    }

    /// How one currency's amounts are written in one language: prefix, grouped integer part,
    /// decimal separator and digits, suffix.
    struct MoneyLayout: Sendable {
        var prefix: String
        var suffix: String
        var groupSeparator: String
        var decimalSeparator: String
        var minorDigits: Int
        /// The integer part is grouped from this many digits on (CLDR's minimum grouping: 5 in
        /// Spanish, 4 in English).
        var groupsFrom: Int

        /// Minor units in one major unit: 10 to the power `digits`.
        static func scale(_ digits: Int) -> Int64 {
            (0..<digits).reduce(Int64(1)) { value, _ in value * 10 }
        }

        func format(_ minorUnits: Int64) -> String {
            let scale = Self.scale(minorDigits)
            let whole = String(minorUnits / scale)
            var text = prefix
            if whole.count >= groupsFrom {
                for (index, digit) in whole.enumerated() {
                    if index > 0 && (whole.count - index) % 3 == 0 { text += groupSeparator }
                    text.append(digit)
                }
            } else {
                text += whole
            }
            if minorDigits > 0 {
                let fraction = String(minorUnits % scale)
                text += decimalSeparator + String(repeating: "0", count: minorDigits - fraction.count) + fraction
            }
            return text + suffix
        }
    }

    /// Learns a currency's layout from ICU's text for 1234567.89 (in its own number of
    /// decimals) and 1234.56, and keeps it only if it writes a range of amounts exactly as ICU.
    func moneyLayout(_ currency: Currency) -> MoneyLayout? {
        let digits = currency.minorDigits
        let scale = MoneyLayout.scale(digits)
        let sample = icuMoney(Money(minorUnits: 1_234_567 * scale + (scale - 1) / 9 * 8, currency: currency))
        guard let first = sample.firstIndex(where: \.isASCIIDigit), let last = sample.lastIndex(where: \.isASCIIDigit) else { return nil }
        let body = sample[first...last]
        // "1", a group separator, "234"...
        guard let groupEnd = body.dropFirst().firstIndex(where: \.isASCIIDigit) else { return nil }
        let group = String(body[body.index(after: body.startIndex)..<groupEnd])
        var decimal = ""
        if digits > 0 {
            let integerEnd = body.index(body.endIndex, offsetBy: -digits)
            guard let separatorStart = body[..<integerEnd].lastIndex(where: \.isASCIIDigit) else { return nil }
            decimal = String(body[body.index(after: separatorStart)..<integerEnd])
        }
        var layout = MoneyLayout(
            prefix: String(sample[..<first]), suffix: String(sample[sample.index(after: last)...]), groupSeparator: group, decimalSeparator: decimal,
            minorDigits: digits, groupsFrom: 4)
        if layout.format(1234 * scale) != icuMoney(Money(minorUnits: 1234 * scale, currency: currency)) { layout.groupsFrom = 5 }
        let checks: [Int64] = [0, 1, 5, 99, 100, 999, 1000, 1234, 9999, 10_000, 12_345, 99_999, 100_000, 123_456, 999_999, 1_000_000, 1_234_567, 12_345_678, 987_654_321]
        for whole in checks {
            for minor in Set([0, 1, scale / 2, scale - 1]) where minor < scale {
                let money = Money(minorUnits: whole * scale + minor, currency: currency)
                guard layout.format(money.minorUnits) == icuMoney(money) else { return nil }
            }
        }
        return layout
    }

    /// What is learnt once per process: money layouts and formatted dates, shared by threads.
    private static let memory = Memory()

    private final class Memory: @unchecked Sendable {
        private let lock = NSLock()
        private var layouts: [String: MoneyLayout?] = [:]
        private var dates: [DateKey: String] = [:]

        private struct DateKey: Hashable {
            var date: CalendarDate
            var language: Language
        }

        func layout(_ currency: Currency, _ language: Language, learn: () -> MoneyLayout?) -> MoneyLayout? {
            let key = "\(currency.code) \(language.rawValue)"
            if let known = lock.withLock({ layouts[key] }) { return known }
            let learnt = learn()
            lock.withLock { layouts[key] = .some(learnt) }
            return learnt
        }

        func date(_ date: CalendarDate, _ language: Language, format: () -> String) -> String {
            let key = DateKey(date: date, language: language)
            if let known = lock.withLock({ dates[key] }) { return known }
            let text = format()
            lock.withLock {
                // Dates of a few years at most; a bound all the same for a long-running daemon.
                if dates.count > 20_000 { dates.removeAll() }
                dates[key] = text
            }
            return text
        }
    }

    // Made once: building an ICU date formatter costs more than composing a whole message.
    // Never changed after, so sharing them between threads is safe.
    private static let spanishDates = dateFormatter(locale: "es_ES", format: "d 'de' MMMM 'de' yyyy")
    private static let englishDates = dateFormatter(locale: "en_GB", format: "d MMMM yyyy")
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static func dateFormatter(locale: String, format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: locale)
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
