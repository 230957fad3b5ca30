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
        #expect(policy.deadline(after: reminder, country: "ES", region: noRegion, debtor: .company).description == "2027-01-04")  // past the holiday and the weekend
        #expect(policy.deadline(after: reminder, country: "ES", region: "ES-MD", debtor: .company).description == "2027-01-05")
        #expect(policy.deadline(after: reminder, country: "GB", region: noRegion, debtor: .company).description == "2027-01-01")
        let monday = try #require(CalendarDate(iso: "2026-11-30"))
        #expect(policy.deadline(after: monday, country: "ES", region: noRegion, debtor: .company).description == "2026-12-14")  // an open Monday stays
    }

    /// 30 days to answer a formal notice: in Spain for every later message (the notice keeps
    /// its 14), in the UK for an individual's letter before claim itself too, never for a company.
    @Test func theDaysToAnswerAFormalNotice() throws {
        let policy = ContactPolicy(timeZone: "Europe/London", window: ContactPolicy.defaultWindow, holidays: [:], minimumGapDays: 1, tolerance: [:])
        let notice = try #require(CalendarDate(iso: "2026-11-30"))  // a Monday; + 30 days = Wednesday 30 December
        let later = notice.adding(days: 7)
        func deadline(_ day: CalendarDate, _ country: String, _ debtor: DebtorKind, notice noticeDay: CalendarDate? = nil, isNotice: Bool = false) -> String {
            policy.deadline(after: day, country: country, region: nil, debtor: debtor, formalNoticeDay: noticeDay, isFormalNotice: isNotice).description
        }
        #expect(deadline(notice, "GB", .consumer, isNotice: true) == "2026-12-30")
        #expect(deadline(notice, "GB", .selfEmployed, isNotice: true) == "2026-12-30")
        #expect(deadline(notice, "GB", .company, isNotice: true) == "2026-12-14")
        #expect(deadline(notice, "ES", .company, isNotice: true) == "2026-12-14")
        #expect(deadline(later, "GB", .consumer, notice: notice) == "2026-12-30")
        #expect(deadline(later, "ES", .company, notice: notice) == "2026-12-30")
        #expect(deadline(later, "GB", .company, notice: notice) == "2026-12-21")
        #expect(deadline(later, "DE", .consumer, notice: notice) == "2026-12-21")
    }
}
