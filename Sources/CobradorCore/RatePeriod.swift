import Foundation

/// One rate of the late-payment table: a regime's rate (percent a year) for a span of days.
package struct RatePeriod: Sendable, Hashable {
    /// "ES" (Spanish statutory, points included), "ECB" (reference rate), "BOE" (Bank of
    /// England base rate at the start of the half-year).
    package var regime: String
    package var from: CalendarDate
    package var until: CalendarDate
    package var percent: Decimal
    package var source: String
    /// Not confirmed from the official text: said on every notice that uses it.
    package var provisional: Bool

    package init(regime: String, from: CalendarDate, until: CalendarDate, percent: Decimal, source: String, provisional: Bool) {
        self.regime = regime
        self.from = from
        self.until = until
        self.percent = percent
        self.source = source
        self.provisional = provisional
    }
}
