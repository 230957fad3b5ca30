import CobradorCore
import Foundation

/// Everything a message can say about one client at one stage: the input of the template
/// context. Built by the caller from the ledger and the planner's decision.
package struct MessageFacts: Sendable {
    /// One invoice as the message shows it.
    package struct InvoiceFacts: Sendable {
        package var invoice: Invoice
        package var paid: Money
        package var outstanding: Money

        package init(invoice: Invoice, paid: Money, outstanding: Money) {
            self.invoice = invoice
            self.paid = paid
            self.outstanding = outstanding
        }
    }

    package var sender: Configuration.Sender
    package var client: Client
    package var invoices: [InvoiceFacts]
    /// The cadence stage or event template name.
    package var stage: String
    /// The day the message goes out (client's calendar).
    package var day: CalendarDate
    /// The day by which the client is asked to pay.
    package var deadline: CalendarDate
    package var negotiation: Negotiation?
    /// The instalment an instalment reminder is about, or the one a broken plan missed (the
    /// planner's); when nil, the plan's first instalment due on or after `day`, and the last
    /// one before it as the missed one.
    package var instalment: Instalment?
    /// Statutory interest and compensation per invoice, for the formal and final notices.
    package var claims: [(number: String, breakdown: InterestBreakdown)] = []

    package init(
        sender: Configuration.Sender, client: Client, invoices: [InvoiceFacts], stage: String, day: CalendarDate, deadline: CalendarDate,
        negotiation: Negotiation? = nil
    ) {
        self.sender = sender
        self.client = client
        self.invoices = invoices
        self.stage = stage
        self.day = day
        self.deadline = deadline
        self.negotiation = negotiation
    }
}
