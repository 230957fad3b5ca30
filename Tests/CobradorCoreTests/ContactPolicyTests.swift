import Testing

@testable import CobradorCore

@Suite struct ContactPolicyTests {
    /// A pay-by date on a holiday or a closed day is a date nobody can meet: it moves on to the
    /// next open day, and only the client's country's (and region's) holidays count.
    @Test func aDeadlineNeverFallsOnAClosedDayOrAHolidayOfTheClientsCountry() throws {
        let newYear = try #require(CalendarDate(iso: "2027-01-01"))
        let madrid = try #require(CalendarDate(iso: "2027-01-04"))
        let policy = ContactPolicy(
            timeZone: "Europe/Madrid", window: ContactPolicy.defaultWindow, holidays: ["ES": [newYear], "ES-MD": [madrid]], minimumGapDays: 1, tolerance: [:])
        let reminder = try #require(CalendarDate(iso: "2026-12-18"))  // + 14 days = Friday 1 January 2027
        let noRegion: String? = nil
        #expect(policy.deadline(after: reminder, country: "ES", region: noRegion).description == "2027-01-04")  // past the holiday and the weekend
        #expect(policy.deadline(after: reminder, country: "ES", region: "ES-MD").description == "2027-01-05")
        #expect(policy.deadline(after: reminder, country: "GB", region: noRegion).description == "2027-01-01")
        let monday = try #require(CalendarDate(iso: "2026-11-30"))
        #expect(policy.deadline(after: monday, country: "ES", region: noRegion).description == "2026-12-14")  // an open Monday stays
    }
}
