import CobradorCore
import Foundation
import Testing

@Suite struct InterestCalculatorTests {
    static let shipped: RateTable = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/rates.toml").path
        return try! RateTable.parse(text: try! String(contentsOfFile: path, encoding: .utf8), file: path)
    }()
    let euro = Currency(code: "EUR")!

    func invoice(_ minor: Int64, due: String, currency: Currency? = nil) -> Invoice {
        Invoice(
            id: 1, number: "F-1", clientID: 1, concept: "Work", issueDate: CalendarDate(iso: due)!.adding(days: -30), dueDate: CalendarDate(iso: due)!,
            gross: Money(minorUnits: minor, currency: currency ?? euro))
    }

    func payment(_ minor: Int64, on day: String, currency: Currency? = nil) -> Payment {
        Payment(invoiceID: 1, amount: Money(minorUnits: minor, currency: currency ?? euro), valueDate: CalendarDate(iso: day)!)
    }

    /// The worked example in the shared notes (Lefebvre): 20,000 EUR due 30 Nov 2022, paid 19 Jan 2023.
    @Test func theWorkedExampleAcrossTwoHalfYears() {
        let lines = { (divisor: Int) in
            InterestCalculator(table: Self.shipped, divisor: divisor).compute(
                invoice: invoice(20_000_00, due: "2022-11-30"), payments: [payment(20_000_00, on: "2023-01-19")],
                asOf: CalendarDate(iso: "2023-03-01")!, regime: .spainBusiness
            ).lines.map { "\($0.from) \($0.through) \($0.days) \($0.percent) \($0.amount.decimalString)" }
        }
        // 360-day year: Lefebvre prints 137.77 + 110.83; 137.777... rounds half-up to 137.78.
        #expect(lines(360) == ["2022-12-01 2022-12-31 31 8 137.78", "2023-01-01 2023-01-19 19 10.5 110.83"])
        #expect(lines(365) == ["2022-12-01 2022-12-31 31 8 135.89", "2023-01-01 2023-01-19 19 10.5 109.32"])
    }

    @Test func aPartialPaymentLowersTheBaseFromTheDayAfterItsValueDate() {
        let breakdown = InterestCalculator(table: Self.shipped).compute(
            invoice: invoice(10_000_00, due: "2024-01-31"), payments: [payment(4_000_00, on: "2024-02-15")],
            asOf: CalendarDate(iso: "2024-02-29")!, regime: .spainBusiness)
        #expect(breakdown.lines.map { "\($0.from) \($0.through) \($0.base.decimalString) \($0.amount.decimalString)" } == [
            "2024-02-01 2024-02-15 10000.00 51.37",  // 10,000 x 12.5% x 15 / 365
            "2024-02-16 2024-02-29 6000.00 28.77",  // 6,000 x 12.5% x 14 / 365
        ])
        #expect(breakdown.interest.decimalString == "80.14")
        #expect(breakdown.compensation?.decimalString == "40.00")
        #expect(breakdown.outstanding.decimalString == "6000.00")
        #expect(breakdown.total.decimalString == "6120.14")
        #expect(!breakdown.usesProvisionalRate)
    }

    /// The compensation is for a late payment: an invoice paid in full by its due date owes
    /// none, one paid a day late owes all of it.
    @Test(arguments: [(InterestRegime.spainBusiness, "2024-01-31", "0.00", nil), (.ukBusiness, "2024-01-31", "0.00", nil), (.spainBusiness, "2024-02-01", "3.42", "40.00")])
    func onlyALatePaymentOwesTheCompensation(regime: InterestRegime, paid: String, interest: String, compensation: String?) {
        let pound = Currency(code: "GBP")!
        let currency = regime == .ukBusiness ? pound : euro
        let breakdown = InterestCalculator(table: Self.shipped).compute(
            invoice: invoice(10_000_00, due: "2024-01-31", currency: currency), payments: [payment(10_000_00, on: paid, currency: currency)],
            asOf: CalendarDate(iso: "2024-11-30")!, regime: regime)
        #expect(breakdown.interest.decimalString == interest)  // 10,000 x 12.5% x 1 / 365 for the day late
        #expect(breakdown.compensation?.decimalString == compensation)
        #expect(breakdown.notes.contains(.paidOnTime) == (compensation == nil))
    }

    /// A waiver that came with a broken agreement: interest on what it left unpaid, each part
    /// from the day after it fell due, never on more than the balance.
    @Test func aBrokenAgreementsWaiverLeavesTheInterestOnWhatItLeftUnpaid() {
        let day = { (iso: String) in CalendarDate(iso: iso)! }
        // 600 due 1 March and missed, 400 more due 1 April and missed: 600 from 2 March, 1,000 from 2 April.
        let agreement = BrokenAgreement(unpaidByDay: [day("2024-03-02"): 600_00, day("2024-04-02"): 1_000_00])
        let breakdown = InterestCalculator(table: Self.shipped).compute(
            invoice: invoice(800_00, due: "2024-01-31"), payments: [], asOf: CalendarDate(iso: "2024-04-30")!, regime: .spainBusiness, waivesInterest: true,
            brokenAgreement: agreement)
        #expect(breakdown.lines.map { "\($0.from) \($0.through) \($0.base.decimalString) \($0.amount.decimalString)" } == [
            "2024-03-02 2024-04-01 600.00 6.37",  // 600 x 12.5% x 31 / 365
            "2024-04-02 2024-04-30 800.00 7.95",  // the balance, 800, not the 1,000 the agreement had due: x 29 days
        ])
        #expect(breakdown.notes.contains(.waiverLapsed) && !breakdown.notes.contains(.interestWaived))
        #expect(breakdown.compensation?.decimalString == "40.00")
    }

    @Test func theUKRateIsFixedWhenTheDebtBecameLateAndTheSumFollowsItsSize() {
        let pound = Currency(code: "GBP")!
        let breakdown = InterestCalculator(table: Self.shipped).compute(
            invoice: invoice(5_000_00, due: "2025-03-31", currency: pound), payments: [], asOf: CalendarDate(iso: "2025-12-31")!, regime: .ukBusiness)
        #expect(breakdown.lines.count == 1)
        #expect(breakdown.lines[0].percent == Decimal(string: "12.75"))  // 4.75 on 31 December 2024 + 8, for the whole debt
        #expect(breakdown.lines[0].days == 275)
        #expect(breakdown.interest.decimalString == "480.31")
        #expect(breakdown.compensation?.decimalString == "70.00")
        #expect(!breakdown.usesProvisionalRate)
        // Late in the first half of 2026: the statutory 11.75% (3.75 on 31 December 2025 + 8),
        // a published rate, so the letter before claim calls nothing provisional.
        let late2026 = InterestCalculator(table: Self.shipped).compute(
            invoice: invoice(10_000_00, due: "2026-02-14", currency: pound), payments: [], asOf: CalendarDate(iso: "2026-11-30")!, regime: .ukBusiness)
        #expect(late2026.lines.map(\.percent) == [Decimal(string: "11.75")!] && !late2026.usesProvisionalRate)
        #expect(late2026.compensation?.decimalString == "100.00")
        // A debt in euros is not measured against sterling tiers: the lowest sum, and why.
        let inEuros = InterestCalculator(table: Self.shipped).compute(
            invoice: invoice(10_000_00, due: "2026-02-14"), payments: [], asOf: CalendarDate(iso: "2026-11-30")!, regime: .ukBusiness)
        #expect(inEuros.compensation?.description == "40.00 GBP" && inEuros.notes.contains(.lowestUKTier(currency: "EUR")), "\(inEuros.notes)")
    }

    @Test func otherEUCountriesAddTheirPointsToTheECBRate() {
        let breakdown = InterestCalculator(table: Self.shipped, euPoints: 9).compute(
            invoice: invoice(1_000_00, due: "2025-06-30"), payments: [], asOf: CalendarDate(iso: "2025-07-10")!, regime: .euBusiness)
        #expect(breakdown.lines.map(\.percent) == [Decimal(string: "11.15")])  // 2.15 + 9
        #expect(breakdown.interest.decimalString == "3.05")  // 1,000 x 11.15% x 10 / 365 = 3.0547
    }

    /// Germany: the base rate of § 247 BGB (1.27% from July 2025, 2.27% in the first half,
    /// as the Bundesbank published them) + 9 points, not the ECB rate + 8.
    @Test func aGermanDebtRunsAtTheGermanBaseRatePlusNine() {
        let breakdown = InterestCalculator(table: Self.shipped).compute(
            invoice: invoice(1_000_00, due: "2025-06-20"), payments: [], asOf: CalendarDate(iso: "2025-07-10")!, regime: .euBusiness, debtorCountry: "DE")
        #expect(breakdown.lines.map(\.percent) == [Decimal(string: "11.27"), Decimal(string: "10.27")])
        #expect(breakdown.lines.last?.source.contains("German base rate (§ 247 BGB), + 9 points") == true, "\(breakdown.lines)")
        #expect(breakdown.compensation?.description == "40.00 EUR")
        let irish = InterestCalculator(table: Self.shipped).compute(
            invoice: invoice(1_000_00, due: "2025-06-20"), payments: [], asOf: CalendarDate(iso: "2025-07-10")!, regime: .euBusiness, debtorCountry: "IE")
        #expect(irish.lines.map(\.percent) == [Decimal(string: "11.15"), Decimal(string: "10.15")])
    }

    @Test func aContractRatePrevailsOverTheStatutoryOne() {
        var agreed = invoice(10_000_00, due: "2024-01-31")
        agreed.contractRate = Decimal(string: "6")
        let breakdown = InterestCalculator(table: Self.shipped).compute(
            invoice: agreed, payments: [payment(4_000_00, on: "2024-06-15")], asOf: CalendarDate(iso: "2024-07-31")!, regime: .spainBusiness)
        #expect(breakdown.lines.map { "\($0.from) \($0.through) \($0.percent) \($0.amount.decimalString) \($0.source)" } == [
            "2024-02-01 2024-06-15 6 223.56 rate agreed in the contract",  // 10,000 x 6% x 136 / 365
            "2024-06-16 2024-07-31 6 45.37 rate agreed in the contract",  // 6,000 x 6% x 46 / 365
        ])
        #expect(breakdown.compensation?.decimalString == "40.00")
    }

    @Test func waiversConsumersAndMissingRatesAreSaid() {
        let calculator = InterestCalculator(table: Self.shipped)
        let waived = calculator.compute(
            invoice: invoice(1_000_00, due: "2024-01-31"), payments: [], asOf: CalendarDate(iso: "2024-03-01")!, regime: .spainBusiness,
            waivesInterest: true, waivesCompensation: true)
        #expect(waived.lines.isEmpty && waived.compensation == nil && waived.notes == [.interestWaived, .compensationWaived])
        let consumer = calculator.compute(invoice: invoice(1_000_00, due: "2024-01-31"), payments: [], asOf: CalendarDate(iso: "2024-03-01")!, regime: .spainConsumer)
        #expect(consumer.lines.isEmpty && consumer.compensation == nil && consumer.notes == [.consumerInterestNotComputed])
        // Past the table's last rate the claim runs to the day asked, at that rate, provisional,
        // and says so: a notice must not stop counting at the end of the table.
        let beyond = calculator.compute(invoice: invoice(1_000_00, due: "2026-12-15"), payments: [], asOf: CalendarDate(iso: "2027-01-10")!, regime: .spainBusiness)
        #expect(beyond.lines.map(\.through.description) == ["2026-12-31", "2027-01-10"])
        #expect(beyond.lines.last?.provisional == true && beyond.lines.last?.percent == beyond.lines.first?.percent && beyond.lines.last?.days == 10)
        #expect(beyond.notes.first?.description.hasPrefix("no rate is known from 2027-01-01: the last known one (10.15%) is assumed and marked provisional") == true, "\(beyond.notes)")
        #expect(beyond.usesProvisionalRate)
        // A statement for a Spanish court says it in Spanish.
        #expect(
            beyond.notes.first?.text(in: .es).hasPrefix("no se conoce el tipo desde el 2027-01-01: se supone el último conocido (10,15 %), marcado como provisional") == true)
        let british = calculator.compute(invoice: invoice(1_000_00, due: "2027-02-15"), payments: [], asOf: CalendarDate(iso: "2027-03-10")!, regime: .ukBusiness)
        #expect(british.lines.count == 1 && british.lines[0].through.description == "2027-03-10" && british.usesProvisionalRate)
    }

    @Test(arguments: [("ES", DebtorKind.company, InterestRegime.spainBusiness), ("ES", .consumer, .spainConsumer), ("FR", .selfEmployed, .euBusiness), ("GB", .company, .ukBusiness), ("US", .company, .none)])
    func theRegimeFollowsCountryAndKind(country: String, kind: DebtorKind, regime: InterestRegime) {
        #expect(InterestRegime(for: Client(code: "C", name: "C", emails: [], language: .en, country: country, debtorKind: kind)) == regime)
    }
}
