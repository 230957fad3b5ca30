import CobradorCore

/// A payment with the number of the invoice it pays, as listed to the owner.
package struct PaymentRecord: Hashable, Sendable {
    package var payment: Payment
    package var invoiceNumber: String
    package var clientCode: String

    package init(payment: Payment, invoiceNumber: String, clientCode: String) {
        self.payment = payment
        self.invoiceNumber = invoiceNumber
        self.clientCode = clientCode
    }
}
