import CobradorCore
import CobradorMail
import Foundation
import Testing

/// A notice names the ground of what it claims: the late-payment law only for statutory interest
/// and compensation; a rate agreed in the contract rests on the contract (a consumer's debt, or a
/// debtor no such law covers, must not be told the law grants it).
@Suite struct ClaimBasisTests {
    static let rates: RateTable = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/rates.toml").path
        return try! RateTable.parse(text: try! String(contentsOfFile: path, encoding: .utf8), file: path)
    }()

    /// An invoice of 1,000 EUR due on 2026-09-30, as of 2026-11-30.
    func breakdown(_ regime: InterestRegime, contractRate: Decimal? = nil, waivesInterest: Bool = false) -> InterestBreakdown {
        var invoice = Invoice(
            id: 1, number: "F-1", clientID: 1, concept: "Work", issueDate: CalendarDate(iso: "2026-09-01")!, dueDate: CalendarDate(iso: "2026-09-30")!,
            gross: Money(minorUnits: 1_000_00, currency: Currency(code: "EUR")!))
        invoice.contractRate = contractRate
        return InterestCalculator(table: Self.rates).compute(
            invoice: invoice, payments: [], asOf: CalendarDate(iso: "2026-11-30")!, regime: regime, waivesInterest: waivesInterest)
    }

    @Test func aBusinessDebtRestsOnTheLaw() {
        let claims = [breakdown(.spainBusiness)]
        #expect(MessageContext.basis(claims, spanish: false) == "Under the applicable late-payment legislation, interest and fixed compensation for recovery costs are also due")
        #expect(MessageContext.basis(claims, spanish: true) == "Conforme a la normativa de morosidad aplicable, se deben además intereses de demora y la indemnización por costes de cobro")
    }

    @Test(arguments: [InterestRegime.spainConsumer, .none])
    func aContractRateWithoutAStatuteRestsOnTheContractAlone(regime: InterestRegime) {
        let claims = [breakdown(regime, contractRate: 5)]
        #expect(MessageContext.basis(claims, spanish: false) == "Under our contract, interest at the agreed rate is also due")
        #expect(MessageContext.basis(claims, spanish: true) == "Conforme a lo pactado en nuestro contrato, se deben además intereses de demora al tipo pactado")
    }

    @Test func aBusinessDebtAtAContractRateRestsOnBoth() {
        #expect(MessageContext.basis([breakdown(.spainBusiness, contractRate: 6)], spanish: false)
            == "Under the applicable late-payment legislation and our contract, interest and fixed compensation for recovery costs are also due")
    }

    @Test func theCompensationAloneWhenTheInterestWasWaived() {
        #expect(MessageContext.basis([breakdown(.spainBusiness, waivesInterest: true)], spanish: true)
            == "Conforme a la normativa de morosidad aplicable, se debe además la indemnización por costes de cobro")
    }
}
