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

    @Test func dayArithmeticMatchesFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 1999, month: 12, day: 25))!
        let origin = CalendarDate(iso: "1999-12-25")!
        for offset in stride(from: 0, to: 12_000, by: 37) {
            let expected = CalendarDate(calendar.date(byAdding: .day, value: offset, to: start)!, in: calendar.timeZone)
            #expect(origin.adding(days: offset) == expected)
            #expect(origin.days(until: expected) == offset)
        }
    }

    @Test func theDayDependsOnTheTimeZone() {
        // 23:30 UTC on 29 November is already 30 November in Madrid.
        let instant = Date(timeIntervalSince1970: 1_795_995_000)
        #expect(CalendarDate(instant, in: TimeZone(identifier: "UTC")!).description == "2026-11-29")
        #expect(CalendarDate(instant, in: TimeZone(identifier: "Europe/Madrid")!).description == "2026-11-30")
    }
}
