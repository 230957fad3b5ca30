import Foundation

/// Statutory late-payment interest and compensation. Simple interest per day from the day
/// after the due date through the day asked; the base is the amount outstanding including
/// VAT, lowered by each payment from the day after its value date (as in the worked example
/// in the shared notes, where the payment day still accrues); each rate period and each change
/// of base is its own line; each line is computed in exact decimals and rounded once, half-up.
package struct InterestCalculator: Sendable {
    package let table: RateTable
    /// Days in the year the rate is divided by (365 by default; the law fixes none).
    package let divisor: Int
    /// Points over the ECB rate for other EU countries (Directive: at least 8).
    package let euPoints: Decimal

    package init(table: RateTable, divisor: Int = 365, euPoints: Decimal = 8) {
        self.table = table
        self.divisor = divisor
        self.euPoints = euPoints
    }

    /// Germany's statutory rate for a business debt: the base rate of § 247 BGB, which moves
    /// with the ECB rate and stands 0.88 points below it, plus 9 points (§ 288(2) BGB).
    static let germanBaseRateBelowECB: Decimal = Decimal(string: "0.88")!
    static let germanPoints: Decimal = 9

    /// `debtorCountry` names the law of an `euBusiness` debt: Germany's own rate, else the ECB
    /// rate + `euPoints`. `brokenAgreement`, with `waivesInterest`, is the plan or promise the
    /// waiver came with and the client broke: interest then runs on what it left unpaid.
    package func compute(
        invoice: Invoice, payments: [Payment], asOf: CalendarDate, regime: InterestRegime, debtorCountry: String? = nil, waivesInterest: Bool = false,
        waivesCompensation: Bool = false, brokenAgreement: BrokenAgreement? = nil
    ) -> InterestBreakdown {
        // A waiver whose agreement was broken still spares what the client paid as agreed.
        let missed = waivesInterest ? brokenAgreement : nil
        let waived = waivesInterest && missed == nil
        let german = regime == .euBusiness && debtorCountry == "DE"
        let points = german ? Self.germanPoints - Self.germanBaseRateBelowECB : euPoints
        let pointsSource =
            german ? " − \(Self.germanBaseRateBelowECB) = German base rate (§ 247 BGB), + \(Self.germanPoints) points (§ 288(2) BGB)" : " + \(euPoints) points"
        let currency = invoice.gross.currency
        let paidBy = { (day: CalendarDate) -> Int64 in
            payments.filter { $0.valueDate < day }.reduce(0) { $0 + $1.amount.minorUnits }
        }
        let outstanding = Money(minorUnits: invoice.gross.minorUnits - paidBy(asOf.adding(days: 1)), currency: currency)
        var notes: [InterestNote] = []
        var lines: [InterestBreakdown.Line] = []
        let start = invoice.dueDate.adding(days: 1)
        /// What accrues on `day`: the balance, or under a broken agreement what it left unpaid.
        let base = { (day: CalendarDate) -> Int64 in
            let balance = invoice.gross.minorUnits - paidBy(day)
            return missed.map { min(balance, $0.unpaid(day)) } ?? balance
        }
        /// The days the base may change: after a payment, and after an agreed payment's day.
        let changes = payments.map { $0.valueDate.adding(days: 1) } + (missed?.changes ?? [])
        // Paid in full by the due date: no interest and no compensation, whatever the regime.
        let paidOnTime = paidBy(start) >= invoice.gross.minorUnits

        switch regime {
        case _ where invoice.contractRate != nil && !waived && start <= asOf:
            // A contract rate prevails over the statutory one: one rate for every day.
            if missed != nil { notes.append(.waiverLapsed) }
            if paidOnTime { notes.append(.paidOnTime) }
            var day = start
            while day <= asOf {
                var end = asOf
                if let change = changes.filter({ $0 > day && $0 <= end }).min() { end = change.adding(days: -1) }
                let base = base(day)
                let percent = invoice.contractRate!
                if base > 0 {
                    let days = day.days(until: end) + 1
                    lines.append(
                        InterestBreakdown.Line(
                            from: day, through: end, days: days, base: Money(minorUnits: base, currency: currency), percent: percent, divisor: divisor,
                            amount: Money(minorUnits: Self.amount(base: base, percent: percent, days: days, divisor: divisor), currency: currency),
                            source: "rate agreed in the contract", provisional: false))
                }
                day = end.adding(days: 1)
            }
        case .none:
            notes.append(.noStatutoryInterest)
        case .spainConsumer:
            notes.append(.consumerInterestNotComputed)
        case _ where waived:
            notes.append(.interestWaived)
        case _ where start > asOf:
            notes.append(.notYetLate(on: asOf))
        case _ where paidOnTime:
            notes.append(.paidOnTime)
        default:
            if missed != nil { notes.append(.waiverLapsed) }
            // The UK rate is fixed for the life of the debt at the rate in force when it became late.
            let fixed = regime == .ukBusiness ? table.periodOrAssumed("BOE", on: start) : nil
            var day = start
            while day <= asOf {
                let period: RatePeriod?
                let percent: Decimal
                switch regime {
                case .spainBusiness:
                    period = table.periodOrAssumed("ES", on: day)
                    percent = period?.percent ?? 0
                case .euBusiness:
                    period = table.periodOrAssumed("ECB", on: day)
                    percent = (period?.percent ?? 0) + points
                default:
                    period = fixed
                    percent = (fixed?.percent ?? 0) + 8
                }
                guard let period else {
                    notes.append(.noRateKnown(from: day))
                    break
                }
                // Said once, from the first day no rate is known, however many lines follow.
                let assumed = InterestNote.rateAssumed(from: period.from, percent: period.percent)
                if period.provisional && table.period(period.regime, on: day) == nil && !notes.contains(assumed) { notes.append(assumed) }
                // The segment ends where the rate period, the base or the asked range changes.
                var end = regime == .ukBusiness ? asOf : min(period.until, asOf)
                if let change = changes.filter({ $0 > day && $0 <= end }).min() {
                    end = change.adding(days: -1)
                }
                let base = base(day)
                if base > 0 {
                    let days = day.days(until: end) + 1
                    lines.append(
                        InterestBreakdown.Line(
                            from: day, through: end, days: days, base: Money(minorUnits: base, currency: currency), percent: percent,
                            divisor: divisor, amount: Money(minorUnits: Self.amount(base: base, percent: percent, days: days, divisor: divisor), currency: currency),
                            source: period.source + (regime == .euBusiness ? pointsSource : regime == .ukBusiness ? " + 8 points" : ""),
                            provisional: period.provisional))
                }
                day = end.adding(days: 1)
            }
        }
        let interest = Money(minorUnits: lines.reduce(0) { $0 + $1.amount.minorUnits }, currency: currency)
        var compensation: Money?
        if start <= asOf, !paidOnTime, !waivesCompensation {
            switch regime {
            case .spainBusiness, .euBusiness: compensation = Money(minorUnits: 40_00, currency: Currency(code: "EUR")!)
            case .ukBusiness:
                // The Act's tiers are of a debt in sterling: another currency's amount is not
                // compared with them (no exchange rate is known), and the lowest is claimed.
                let principal = invoice.gross.minorUnits
                let isSterling = currency.code == "GBP"
                if !isSterling { notes.append(.lowestUKTier(currency: currency.code)) }
                compensation = Money(
                    minorUnits: !isSterling || principal < 1000_00 ? 40_00 : principal < 10_000_00 ? 70_00 : 100_00, currency: Currency(code: "GBP")!)
            default: break
            }
        } else if waivesCompensation {
            notes.append(.compensationWaived)
        }
        let sameCurrency = compensation.map { $0.currency == currency ? $0.minorUnits : 0 } ?? 0
        if let compensation, compensation.currency != currency {
            notes.append(.compensationApart(currency: compensation.currency.code))
        }
        return InterestBreakdown(
            regime: regime, asOf: asOf, outstanding: outstanding, lines: lines, interest: interest, compensation: compensation,
            byContract: invoice.contractRate != nil && !waived,
            total: Money(minorUnits: outstanding.minorUnits + interest.minorUnits + sameCurrency, currency: currency), notes: notes)
    }

    /// base x percent / 100 x days / divisor, in exact decimals, rounded half-up to a minor unit.
    static func amount(base: Int64, percent: Decimal, days: Int, divisor: Int) -> Int64 {
        var exact = Decimal(base) * percent * Decimal(days) / (Decimal(100) * Decimal(divisor))
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}
