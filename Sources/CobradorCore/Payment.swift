/// Money received against one invoice, in the invoice's currency.
package struct Payment: Hashable, Sendable {
    package var id: Int64?
    package var invoiceID: Int64
    package var amount: Money
    /// The day the money arrived (interest stops accruing on this part from this day).
    package var valueDate: CalendarDate
    package var method: String?
    package var reference: String?

    package init(id: Int64? = nil, invoiceID: Int64, amount: Money, valueDate: CalendarDate, method: String? = nil, reference: String? = nil) {
        self.id = id
        self.invoiceID = invoiceID
        self.amount = amount
        self.valueDate = valueDate
        self.method = method
        self.reference = reference
    }
}
