import CobradorCore
import CobradorLedger

/// Statutory interest and compensation of invoices from the ledger: the one computation that
/// `cobrador interest`, the preview and the notices a pass sends all use, so the amounts in a
/// notice equal `cobrador interest` to the cent.
package struct Claims: Sendable {
    package let ledger: Ledger
    package let configuration: Configuration
    package let rates: RateTable

    package init(ledger: Ledger, configuration: Configuration, rates: RateTable) {
        self.ledger = ledger
        self.configuration = configuration
        self.rates = rates
    }

    /// The stages whose messages carry the claim.
    package static let claimingStages: Set<String> = ["formal-notice", "final-notice"]

    /// The breakdown of invoice `number` on `day`, honouring the waivers of the negotiations that
    /// cover it; a withdrawn one (opened by mistake, superseded) never took effect.
    package func breakdown(_ number: String, on day: CalendarDate) throws -> InterestBreakdown {
        let summary = try ledger.invoice(number: number)
        let client = try ledger.client(code: summary.clientCode)
        let covering = try ledger.negotiations(clientCode: client.code, includeClosed: true).map(\.negotiation)
            .filter { $0.invoiceIDs.contains(summary.invoice.id ?? 0) && $0.outcome != .withdrawn }
        let calculator = InterestCalculator(table: rates, divisor: configuration.interest.divisor, euPoints: configuration.interest.euPoints)
        return calculator.compute(
            invoice: summary.invoice, payments: try ledger.payments(invoiceNumber: number).map(\.payment), asOf: day,
            regime: summary.invoice.interestRegime ?? InterestRegime(for: client, business: configuration.interest.businessRegime), debtorCountry: client.country,
            waivesInterest: covering.contains(where: \.waivesInterest),
            waivesCompensation: covering.contains(where: \.waivesCompensation))
    }

    /// The claims a message of `stage` carries: every invoice's breakdown for the notices, and
    /// for reminders from `[interest] show_from` on in the client's `cadence`; none otherwise.
    package func forMessage(
        stage: String, cadence: [Configuration.Stage], invoiceNumbers: [String], on day: CalendarDate
    ) throws -> [(number: String, breakdown: InterestBreakdown)] {
        let names = cadence.map(\.name)
        let shown = configuration.interest.showFrom.flatMap { from in
            names.firstIndex(of: from).flatMap { start in names.firstIndex(of: stage).map { $0 >= start } }
        } ?? false
        guard Self.claimingStages.contains(stage) || shown else { return [] }
        return try invoiceNumbers.map { ($0, try breakdown($0, on: day)) }
    }
}
