import CobradorCore
import Foundation
import Testing

@Suite struct CalendarDateTests {
    @Test(arguments: ["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "26-01-01", "2026-1-1", "2026/01/01", "", "2026-01-01T00:00"])
    func refusesImpossibleOrMalformedDates(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test func acceptsLeapDays() {
        #expect(CalendarDate(iso: "2024-02-29") != nil)
        #expect(CalendarDate(iso: "2000-02-29") != nil)
        #expect(CalendarDate(iso: "1900-02-29") == nil)
    }

    /// A day is written as it is read: stored days, dispatch keys and file names depend on it.
    @Test func everyDayIsWrittenAsISOAndReadBack() throws {
        for dayNumber in stride(from: -719_162, through: 2_932_896, by: 997) {
            let day = CalendarDate(dayNumber: dayNumber)
            #expect(CalendarDate(iso: day.description) == day, "\(day.year) \(day.month) \(day.day)")
        }
        #expect(try #require(CalendarDate(iso: "0987-03-04")).description == "0987-03-04")
        #expect(try #require(CalendarDate(iso: "2026-11-30")).description == "2026-11-30")
    }

    @Test func dayArithmeticMatchesFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 1999, month: 12, day: 25))!
        let origin = CalendarDate(iso: "1999-12-25")!
        for offset in stride(from: 0, to: 12_000, by: 37) {
            let parts = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: offset, to: start)!)
            let expected = try #require(CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!))
            #expect(origin.adding(days: offset) == expected)
            #expect(origin.days(until: expected) == offset)
        }
    }

    @Test(arguments: ["Europe/Madrid", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns", "UTC"])
    func theWallClockMatchesFoundationsCalendar(zone: String) throws {
        let timeZone = try #require(TimeZone(identifier: zone))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var generator = SystemRandomNumberGenerator()
        // From 1900 to 2100, with fractions of a second, and around every summer-time change.
        var instants = (0..<3_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...4_102_444_800, using: &generator)) }
        var moment = Date(timeIntervalSince1970: 1_760_000_000)
        while let change = timeZone.nextDaylightSavingTimeTransition(after: moment), change.timeIntervalSince1970 < 1_830_000_000 {
            instants += [-1.5, -1, -0.25, 0, 0.25, 1].map { change.addingTimeInterval($0) }
            moment = change
        }
        for instant in instants {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
            let (day, second) = CalendarDate.wallClock(instant, in: timeZone)
            #expect(day == CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!), "\(instant) in \(zone)")
            #expect(second == parts.hour! * 3600 + parts.minute! * 60 + parts.second!, "\(instant) in \(zone)")
        }
    }

    @Test func theDayDependsOnTheTimeZone() {
        // 23:30 UTC on 29 November is already 30 November in Madrid.
        let instant = Date(timeIntervalSince1970: 1_795_995_000)
        #expect(CalendarDate(instant, in: TimeZone(identifier: "UTC")!).description == "2026-11-29")
        #expect(CalendarDate(instant, in: TimeZone(identifier: "Europe/Madrid")!).description == "2026-11-30")
    }
}
