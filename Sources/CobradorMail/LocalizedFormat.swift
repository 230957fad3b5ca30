import CobradorCore
import Foundation

/// Money and dates as a client reads them, from CLDR through Foundation: es "12.345,67 €"
/// (CLDR, as the RAE recommends, leaves four-digit amounts ungrouped: "1234,56 €") and
/// "29 de noviembre de 2026"; en "€12,345.67" and "29 November 2026".
package struct LocalizedFormat: Sendable {
    package let language: Language

    package init(language: Language) {
        self.language = language
    }

    private var locale: Locale { Locale(identifier: language == .es ? "es_ES" : "en_GB") }

    package func money(_ money: Money) -> String {
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
        let formatter = language == .es ? Self.spanishDates : Self.englishDates
        return formatter.string(from: Self.utc.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!)
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
