import Foundation

/// Keeps sending within a relay's quotas (per minute, hour and day, sliding windows). It never
/// drops anything: it says when the next message may go, and the caller leaves the rest for
/// then.
package struct RateLimiter: Sendable {
    package let limits: [(window: TimeInterval, count: Int)]
    /// Send times within the longest window, oldest first.
    private var sent: [Date] = []

    package init(perMinute: Int?, perHour: Int?, perDay: Int?) {
        limits = [(60.0, perMinute), (3600.0, perHour), (86_400.0, perDay)].compactMap { window, count in count.map { (window, $0) } }
    }

    /// The earliest moment at or after `now` when one more message is within every quota.
    package func nextAllowed(after now: Date) -> Date {
        var earliest = now
        for limit in limits {
            let recent = sent.filter { $0 > now.addingTimeInterval(-limit.window) }
            if recent.count >= limit.count {
                // The oldest send that must leave the window before another may go.
                earliest = max(earliest, recent[recent.count - limit.count].addingTimeInterval(limit.window))
            }
        }
        return earliest
    }

    package mutating func record(_ moment: Date) {
        sent.append(moment)
        let horizon = limits.map(\.window).max() ?? 0
        sent.removeAll { $0 <= moment.addingTimeInterval(-horizon) }
    }
}
