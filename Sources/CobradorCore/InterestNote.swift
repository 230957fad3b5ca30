import Foundation

/// Why something in an `InterestBreakdown` is or is not claimed (a waiver, a missing rate, a
/// consumer debt): kept as a case, not a sentence, so that a statement for a Spanish court
/// says it in Spanish. Its `description` is the English the command line and JSON show.
package enum InterestNote: Sendable, Hashable, CustomStringConvertible {
    case noStatutoryInterest
    case consumerInterestNotComputed
    case interestWaived
    /// The waiver came with a plan or promise the client broke: interest runs on what it left unpaid.
    case waiverLapsed
    case compensationWaived
    case notYetLate(on: CalendarDate)
    /// Paid in full by its due date: never late, so nothing is owed for lateness.
    case paidOnTime
    /// No rate from `from` on: interest stops the day before.
    case noRateKnown(from: CalendarDate)
    /// No rate from `from` on: the last known `percent` is assumed, marked provisional.
    case rateAssumed(from: CalendarDate, percent: Decimal)
    /// A UK debt in `currency`, not sterling, claims the lowest fixed sum.
    case lowestUKTier(currency: String)
    /// The compensation is in `currency`, not the invoice's, so it is not in the total.
    case compensationApart(currency: String)

    package var description: String { text(in: .en) }

    package func text(in language: Language) -> String {
        let spanish = language == .es
        switch self {
        case .noStatutoryInterest:
            return spanish ? "a este deudor no se le aplican intereses de demora legales" : "no statutory late-payment interest applies to this debtor"
        case .consumerInterestNotComputed:
            return spanish
                ? "un consumidor solo debe intereses desde la reclamación, al interés legal del dinero (arts. 1100 y 1108 del Código Civil): no se calculan"
                : "a consumer owes interest only from a demand, at the legal rate (Civil Code 1100, 1108): not computed"
        case .interestWaived:
            return spanish ? "intereses renunciados en una negociación" : "interest waived in a negotiation"
        case .waiverLapsed:
            return spanish
                ? "los intereses se renunciaron con un acuerdo que se incumplió: corren sobre los pagos acordados vencidos y no hechos"
                : "interest was waived with an agreement the client broke: it runs on the agreed payments that fell due and were not made"
        case .compensationWaived:
            return spanish ? "indemnización renunciada en una negociación" : "compensation waived in a negotiation"
        case .notYetLate(let day):
            return spanish ? "aún no en mora el \(day)" : "not yet late on \(day)"
        case .paidOnTime:
            return spanish ? "pagada por completo a su vencimiento: nunca estuvo en mora" : "paid in full by its due date: it was never late"
        case .noRateKnown(let day):
            return spanish
                ? "no se conoce el tipo desde el \(day): añádalo como [[interest.rate]] en la configuración; los intereses se calculan hasta el \(day.adding(days: -1))"
                : "no rate is known from \(day): add it as [[interest.rate]] in the configuration; interest is computed up to \(day.adding(days: -1))"
        case .rateAssumed(let day, let percent):
            return spanish
                ? "no se conoce el tipo desde el \(day): se supone el último conocido (\("\(percent)".replacingOccurrences(of: ".", with: ",")) %), marcado como provisional; "
                    + "añada el publicado como [[interest.rate]] en la configuración"
                : "no rate is known from \(day): the last known one (\(percent)%) is assumed and marked provisional; "
                    + "add the published one as [[interest.rate]] in the configuration"
        case .lowestUKTier(let currency):
            return spanish
                ? "la cantidad fija por una deuda en \(currency) se reclama en el tramo más bajo (40 GBP): los tramos de la ley británica son en libras"
                : "the fixed sum for a debt in \(currency) is claimed at the lowest tier (40 GBP): the Act's tiers are in sterling"
        case .compensationApart(let currency):
            return spanish ? "la indemnización se debe en \(currency), aparte del total" : "the compensation is owed in \(currency), apart from the total"
        }
    }
}
