/// A plan or promise that came with a waiver of interest and that the client broke: the law
/// lets interest run on the payments it had fallen due for and that were not made (the notes:
/// "under a plan, interest runs on the missed instalments"), from the day after each.
package struct BrokenAgreement: Sendable, Hashable {
    /// What this invoice's share of the agreement left unpaid from each day on, in minor units,
    /// until the next day listed.
    package let unpaidByDay: [CalendarDate: Int64]
    /// The days `unpaid` may change, in order.
    package let changes: [CalendarDate]

    package init(unpaidByDay: [CalendarDate: Int64]) {
        self.unpaidByDay = unpaidByDay
        changes = unpaidByDay.keys.sorted()
    }

    /// The unpaid amount on `day`: the value at the last change on or before it (0 before any).
    package func unpaid(_ day: CalendarDate) -> Int64 {
        guard let last = changes.last(where: { $0 <= day }) else { return 0 }
        return unpaidByDay[last] ?? 0
    }
}
