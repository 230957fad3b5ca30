import CobradorCore

/// An invoice with its client and what is still owed, as the owner's commands show it.
package struct InvoiceSummary: Hashable, Sendable {
    package var invoice: Invoice
    package var clientCode: String
    package var clientName: String
    package var paid: Money
    /// Gross minus payments.
    package var balance: Money
    /// Handed over to the owner (the end of the ladder): no message chases it any more.
    package var handedOver: Bool

    package init(invoice: Invoice, clientCode: String, clientName: String, paid: Money, balance: Money, handedOver: Bool) {
        self.invoice = invoice
        self.clientCode = clientCode
        self.clientName = clientName
        self.paid = paid
        self.balance = balance
        self.handedOver = handedOver
    }
}
