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
        let formatter = DateFormatter()
        formatter.locale = locale
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = language == .es ? "d 'de' MMMM 'de' yyyy" : "d MMMM yyyy"
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return formatter.string(from: calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!)
    }
}
