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
            waivesCompensation: covering.contains(where: \.waivesCompensation),
            brokenAgreement: try brokenAgreement(summary.invoice.id ?? 0, covering: covering, clientCode: client.code))
    }

    /// The plan or promise a waiver of interest on `invoiceID` came with, when the client broke
    /// it and no other waiver still holds (an open, kept or resolved negotiation's holds whole):
    /// what it left unpaid, day by day. That is what the covered invoices still owe beyond what
    /// the agreement had not yet asked for, so a payment made before it was recorded counts, and
    /// any doubt falls on claiming less. A promise asks for everything on its day. The covered
    /// invoices due first take the unpaid part first.
    private func brokenAgreement(_ invoiceID: Int64, covering: [Negotiation], clientCode: String) throws -> BrokenAgreement? {
        let waiving = covering.filter(\.waivesInterest)
        guard !waiving.isEmpty, waiving.allSatisfy({ $0.outcome == .broken }), let agreement = waiving.max(by: { $0.openedAt < $1.openedAt }) else { return nil }
        let invoices = try ledger.invoices(matching: .init(clientCode: clientCode)).map(\.invoice).filter { agreement.invoiceIDs.contains($0.id ?? 0) }
            .sorted { ($0.dueDate, $0.number) < ($1.dueDate, $1.number) }
        let payments = try ledger.payments(clientCode: clientCode).map(\.payment).filter { agreement.invoiceIDs.contains($0.invoiceID) }
        let schedule = agreement.kind == .plan
            ? agreement.instalments.map { ($0.dueDate, $0.amount.minorUnits) } : agreement.promisedDate.map { [($0, Int64.max / 4)] } ?? []
        let total = schedule.reduce(0) { $0 + $1.1 }
        /// What `invoice` still owes at the start of `day`.
        func owed(_ invoice: Invoice, on day: CalendarDate) -> Int64 {
            invoice.gross.minorUnits - payments.filter { $0.invoiceID == invoice.id && $0.valueDate < day }.reduce(0) { $0 + $1.amount.minorUnits }
        }
        var unpaid: [CalendarDate: Int64] = [:]
        for day in Set(schedule.map { $0.0.adding(days: 1) } + payments.map { $0.valueDate.adding(days: 1) }) {
            let notYetAsked = total - schedule.filter { $0.0 < day }.reduce(0) { $0 + $1.1 }
            var left = max(0, invoices.reduce(0) { $0 + owed($1, on: day) } - notYetAsked)
            for earlier in invoices.prefix(while: { $0.id != invoiceID }) { left = max(0, left - owed(earlier, on: day)) }
            unpaid[day] = left
        }
        return BrokenAgreement(unpaidByDay: unpaid)
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
