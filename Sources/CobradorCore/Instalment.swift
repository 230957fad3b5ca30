/// One agreed payment of a plan.
package struct Instalment: Hashable, Sendable {
    package var dueDate: CalendarDate
    package var amount: Money

    package init(dueDate: CalendarDate, amount: Money) {
        self.dueDate = dueDate
        self.amount = amount
    }

    /// Parses "2026-12-15:250.00", the form used on the command line.
    package init(parsing text: String, currency: Currency) throws(CoreError) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else {
            throw .invalidValue(field: nil, value: text, reason: "an instalment is written DATE:AMOUNT, as in 2026-12-15:250.00")
        }
        self.init(
            dueDate: try FieldRules.date(String(parts[0])),
            amount: try FieldRules.positiveAmount(String(parts[1]), currency: currency))
    }
}
