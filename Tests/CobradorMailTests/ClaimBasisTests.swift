import CobradorCore
import CobradorMail
import Foundation
import Testing

/// A notice names the ground of what it claims: the late-payment law (by its name where it is one
/// country's) only for statutory interest and compensation; a rate agreed in the contract rests
/// on the contract (a consumer's debt, or a debtor no such law covers, must not be told the law
/// grants it).
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

    @Test func aBusinessDebtRestsOnTheLawNamed() {
        let claims = [breakdown(.spainBusiness)]
        #expect(MessageContext.basis(claims, spanish: false)
            == "Under Spanish Law 3/2004 of 29 December, establishing measures to combat late payment in commercial transactions (arts. 5, 7 and 8), interest and fixed compensation for recovery costs are also due")
        #expect(MessageContext.basis(claims, spanish: true)
            == "Conforme a la Ley 3/2004, de 29 de diciembre, por la que se establecen medidas de lucha contra la morosidad en las operaciones comerciales (arts. 5, 7 y 8), se deben además intereses de demora y la indemnización por costes de cobro")
        #expect(MessageContext.basis([breakdown(.ukBusiness)], spanish: false)
            == "Under the Late Payment of Commercial Debts (Interest) Act 1998, interest and fixed compensation for recovery costs are also due")
        #expect(MessageContext.basis([breakdown(.euBusiness)], spanish: false) == "Under the applicable late-payment legislation, interest and fixed compensation for recovery costs are also due")
        // Two invoices under two laws name both.
        #expect(MessageContext.basis([breakdown(.ukBusiness), breakdown(.euBusiness)], spanish: true)
            == "Conforme a la normativa de morosidad aplicable y a la Late Payment of Commercial Debts (Interest) Act 1998 del Reino Unido, se deben además intereses de demora y la indemnización por costes de cobro")
    }

    @Test(arguments: [InterestRegime.spainConsumer, .none])
    func aContractRateWithoutAStatuteRestsOnTheContractAlone(regime: InterestRegime) {
        let claims = [breakdown(regime, contractRate: 5)]
        #expect(MessageContext.basis(claims, spanish: false) == "Under our contract, interest at the agreed rate is also due")
        #expect(MessageContext.basis(claims, spanish: true) == "Conforme a lo pactado en nuestro contrato, se deben además intereses de demora al tipo pactado")
    }

    /// The law grants the compensation; the interest runs at the contract's rate: the law's
    /// articles on interest are not cited.
    @Test func aBusinessDebtAtAContractRateRestsOnBoth() {
        #expect(MessageContext.basis([breakdown(.euBusiness, contractRate: 6)], spanish: false)
            == "Under the applicable late-payment legislation and our contract, interest and fixed compensation for recovery costs are also due")
        #expect(MessageContext.basis([breakdown(.spainBusiness, contractRate: 6)], spanish: true)
            == "Conforme a la Ley 3/2004, de 29 de diciembre, por la que se establecen medidas de lucha contra la morosidad en las operaciones comerciales (art. 8) y a lo pactado en nuestro contrato, se deben además intereses de demora y la indemnización por costes de cobro")
    }

    @Test func theCompensationAloneWhenTheInterestWasWaived() {
        #expect(MessageContext.basis([breakdown(.spainBusiness, waivesInterest: true)], spanish: true)
            == "Conforme a la Ley 3/2004, de 29 de diciembre, por la que se establecen medidas de lucha contra la morosidad en las operaciones comerciales (art. 8), se debe además la indemnización por costes de cobro")
    }
}
