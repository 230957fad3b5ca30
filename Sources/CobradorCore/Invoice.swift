import Foundation

/// An invoice as issued. Its balance is never stored: it is the gross amount minus the
/// payments, derived by the ledger (see `InvoiceBalance`).
package struct Invoice: Hashable, Sendable {
    package var id: Int64?
    /// The invoice number as printed on the invoice, unique in the ledger.
    package var number: String
    package var clientID: Int64
    /// What was sold ("Translation of contract, 12,000 words").
    package var concept: String
    package var issueDate: CalendarDate
    package var dueDate: CalendarDate
    /// The total including tax.
    package var gross: Money
    /// Path to the invoice PDF to attach, if any.
    package var attachment: String?
    package var status: InvoiceStatus
    package var pause: Pause?
    /// A late-payment rate agreed in the contract (percent a year): it replaces the statutory one.
    package var contractRate: Decimal?
    /// The late-payment regime for this invoice when it is not the client's usual one.
    package var interestRegime: InterestRegime?

    package init(
        id: Int64? = nil, number: String, clientID: Int64, concept: String, issueDate: CalendarDate,
        dueDate: CalendarDate, gross: Money, attachment: String? = nil, status: InvoiceStatus = .open, pause: Pause? = nil
    ) {
        self.id = id
        self.number = number
        self.clientID = clientID
        self.concept = concept
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.gross = gross
        self.attachment = attachment
        self.status = status
        self.pause = pause
    }
}
