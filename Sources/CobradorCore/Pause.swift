import Foundation

/// A hold on chasing a client or an invoice, with its reason and an optional last day.
/// After `until` the pause lapses by itself and chasing resumes.
package struct Pause: Hashable, Sendable, Codable {
    package var reason: String
    package var since: Date
    /// The last day of the pause, inclusive; nil means until resumed by hand.
    package var until: CalendarDate?

    package init(reason: String, since: Date, until: CalendarDate?) {
        self.reason = reason
        self.since = since
        self.until = until
    }

    /// Whether the pause still holds on `day`.
    package func isActive(on day: CalendarDate) -> Bool {
        guard let until else { return true }
        return day <= until
    }
}
