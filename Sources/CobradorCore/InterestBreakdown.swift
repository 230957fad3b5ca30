import Foundation

/// What a late invoice owes on top of its balance, line by line, so a debtor or a judge can
/// recompute every figure: each period's days, base, rate and divisor, the amount rounded once.
package struct InterestBreakdown: Sendable {
    package struct Line: Sendable, Hashable {
        package var from: CalendarDate
        package var through: CalendarDate
        package var days: Int
        package var base: Money
        package var percent: Decimal
        package var divisor: Int
        package var amount: Money
        package var source: String
        package var provisional: Bool
    }

    package var regime: InterestRegime
    package var asOf: CalendarDate
    package var outstanding: Money
    package var lines: [Line]
    package var interest: Money
    package var compensation: Money?
    /// The interest runs at a rate agreed in the contract, not a statutory one: a notice must
    /// not cite the late-payment law for it (a consumer's, or a debt no such law covers).
    package var byContract: Bool
    /// Outstanding + interest (+ compensation when it is in the same currency).
    package var total: Money
    /// Why something is or is not claimed (a waiver, a missing rate, a consumer debt).
    package var notes: [InterestNote]

    package var usesProvisionalRate: Bool { lines.contains(where: \.provisional) }
}
