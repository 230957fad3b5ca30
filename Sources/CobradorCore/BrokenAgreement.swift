/// A plan or promise that came with a waiver of interest and that the client broke: the law
/// lets interest run on the payments it had fallen due for and that were not made (the notes:
/// "under a plan, interest runs on the missed instalments"), from the day after each.
package struct BrokenAgreement: Sendable, Hashable {
    /// What this invoice's share of the agreement left unpaid at the start of each day, in
    /// minor units: the agreed payments due before the day, less what was paid towards them,
    /// less what the covered invoices due before this one take of it.
    package var unpaidByDay: [CalendarDate: Int64]
    /// The days `unpaid` may change, in order.
    package var changes: [CalendarDate]

    package init(unpaidByDay: [CalendarDate: Int64], changes: [CalendarDate]) {
        self.unpaidByDay = unpaidByDay
        self.changes = changes
    }

    /// The unpaid amount on `day`: the value at the last change on or before it (0 before any).
    package func unpaid(_ day: CalendarDate) -> Int64 {
        guard let last = changes.last(where: { $0 <= day }) else { return 0 }
        return unpaidByDay[last] ?? 0
    }
}
