import Foundation

/// The contact policy's hours and holidays for one client, in the client's time zone.
package struct SendWindow: Sendable {
    package let timeZone: TimeZone
    private let window: [ContactPolicy.Weekday: [ContactPolicy.ClockRange]]
    private let holidays: Set<CalendarDate>
    private let calendar: Calendar

    /// The holidays are those listed for `country` and for `region` (such as ES and ES-MD).
    package init(policy: ContactPolicy, timeZone: TimeZone, country: String, region: String? = nil) {
        self.timeZone = timeZone
        self.window = policy.window
        self.holidays = policy.holidays(country: country, region: region)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The calendar day `instant` falls on for this client.
    package func day(of instant: Date) -> CalendarDate { CalendarDate(instant, in: timeZone) }

    /// Midnight at the start of `day` for this client.
    package func startOfDay(_ day: CalendarDate) -> Date { time(day, minute: 0) }

    /// The instant `minute` minutes after midnight of `day` (DST-aware).
    package func time(_ day: CalendarDate, minute: Int) -> Date {
        calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: minute / 60, minute: minute % 60))!
    }

    package static func weekday(_ day: CalendarDate) -> ContactPolicy.Weekday {
        // 1970-01-01 was a Thursday.
        ContactPolicy.Weekday.allCases[((day.dayNumber + 3) % 7 + 7) % 7]
    }

    /// Why nothing can go out on `day` at all, or nil when the window opens that day.
    package func closedReason(_ day: CalendarDate) -> String? {
        if holidays.contains(day) { return "\(day) is a holiday" }
        if window[Self.weekday(day)] == nil { return "no send window on \(Self.weekday(day).rawValue)s" }
        return nil
    }

    /// The first moment at or after `instant`, on `day`, inside the window (after a midday
    /// break, the afternoon's start); nil when the day is closed or its window is over by then.
    package func opening(on day: CalendarDate, notBefore instant: Date) -> Date? {
        guard closedReason(day) == nil, let hours = window[Self.weekday(day)] else { return nil }
        for range in hours {
            let moment = max(time(day, minute: range.startMinute), instant)
            if moment < time(day, minute: range.endMinute) { return moment }
        }
        return nil
    }
}
