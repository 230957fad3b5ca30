import CobradorCore

/// A negotiation with its client's code and the numbers of the invoices it covers.
package struct NegotiationRecord: Hashable, Sendable {
    package var negotiation: Negotiation
    package var clientCode: String
    package var invoiceNumbers: [String]

    package init(negotiation: Negotiation, clientCode: String, invoiceNumbers: [String]) {
        self.negotiation = negotiation
        self.clientCode = clientCode
        self.invoiceNumbers = invoiceNumbers
    }
}
