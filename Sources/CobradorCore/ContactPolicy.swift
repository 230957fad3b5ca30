/// When and how often clients may be written to, and what is too small to chase.
package struct ContactPolicy: Sendable, Hashable {
    /// IANA zone used for clients that have none.
    package var timeZone: String
    /// The send window per weekday: its hours, in order and apart (a morning and an
    /// afternoon); a day without an entry is closed.
    package var window: [Weekday: [ClockRange]]
    /// Days on which nothing goes out, per country ("ES") or region ("ES-MD").
    package var holidays: [String: Set<CalendarDate>]
    /// At least this many days between two messages to one client.
    package var minimumGapDays: Int
    /// Balances at or below the tolerance of their currency are not chased.
    package var tolerance: [Currency: Money]
    /// Days after a promised date or an instalment's date before the promise or plan counts as broken.
    package var graceDays: Int = 3
    /// Days before an instalment's date that its reminder goes out (a second one goes on the day).
    package var instalmentReminderDays: Int = 3
    /// Send the `promise-broken` message when a promise breaks (escalation resumes either way).
    package var promiseBrokenMessage: Bool = true
    /// Send the `plan-broken` message (the acceleration notice) when a plan breaks.
    package var planBrokenMessage: Bool = true
    /// Days a message gives the client to pay (see `deadline(after:country:region:)`); the day
    /// after the last stage's deadline the case is handed over (lawyer, court, agency) and the
    /// owner told.
    package var handOverDays: Int = 14

    /// The holidays listed for `country` and for `region` (such as ES and ES-MD).
    package func holidays(country: String, region: String?) -> Set<CalendarDate> {
        (holidays[country] ?? []).union(region.flatMap { holidays[$0] } ?? [])
    }

    /// Days a debtor has to answer a formal notice before a claim may follow, where a rule gives
    /// them (`answerRule`): nothing after the notice may announce the claim sooner.
    package static let negotiationDays = 30

    /// Whether a rule gives this debtor `negotiationDays` to answer a formal notice, and why
    /// (given the day of the notice). In Spain, no answer within 30 natural days of its receipt
    /// is the failed attempt to negotiate a court claim needs (Ley Orgánica 1/2025). Under the
    /// Pre-Action Protocol for Debt Claims (`preActionProtocol`), an individual has 30 days to
    /// reply to the letter before claim, which that letter's own pay-by date gives too.
    package static func answerRule(
        country: String, region: String?, debtor: DebtorKind
    ) -> (reason: (CalendarDate) -> String, letterGivesThem: Bool)? {
        if country == "ES" { return ({ "the formal notice of \($0) gave \(negotiationDays) days to answer its invitation to negotiate" }, false) }
        if preActionProtocol(country: country, region: region, debtor: debtor) {
            return ({ "the letter before claim of \($0) gave an individual \(negotiationDays) days to reply (Pre-Action Protocol for Debt Claims)" }, true)
        }
        return nil
    }

    /// Whether the Pre-Action Protocol for Debt Claims governs the formal notice: a debtor who
    /// is an individual (a consumer or a sole trader) in England and Wales, which a client in
    /// the UK is unless its region says Scotland or Northern Ireland.
    package static func preActionProtocol(country: String, region: String?, debtor: DebtorKind) -> Bool {
        country == "GB" && debtor != .company && !["GB-SCT", "GB-NIR"].contains(region ?? "")
    }

    /// `preActionProtocol` for `client`.
    package static func preActionProtocol(for client: Client) -> Bool {
        preActionProtocol(country: client.country, region: client.region, debtor: client.debtorKind)
    }

    /// The template whose message makes that invitation.
    package static let formalNoticeTemplate = "formal-notice"

    /// The pay-by date a message sent on `day` gives: `handOverDays` later, and where
    /// `answerRule` gives the debtor days to answer a formal notice, no sooner than their end:
    /// from `formalNoticeDay` (the day one reached them) for a later message, and from `day`
    /// for the notice itself (`isFormalNotice`) when the rule says so; moved on past days the
    /// send window is closed and holidays of `country` and `region` (nobody should be asked to
    /// pay by a Sunday or 1 January). The hand-over comes the day after it.
    package func deadline(
        after day: CalendarDate, country: String, region: String?, debtor: DebtorKind, formalNoticeDay: CalendarDate? = nil, isFormalNotice: Bool = false
    ) -> CalendarDate {
        let closed = holidays(country: country, region: region)
        var deadline = day.adding(days: handOverDays)
        if let rule = Self.answerRule(country: country, region: region, debtor: debtor) {
            if let formalNoticeDay { deadline = max(deadline, formalNoticeDay.adding(days: Self.negotiationDays)) }
            if isFormalNotice && rule.letterGivesThem { deadline = max(deadline, day.adding(days: Self.negotiationDays)) }
        }
        // A window open on no day at all must not loop: a fortnight is enough for any real one.
        var moved = 0
        while moved < 14, closed.contains(deadline) || window[SendWindow.weekday(deadline)] == nil {
            deadline = deadline.adding(days: 1)
            moved += 1
        }
        return deadline
    }

    /// `deadline(after:country:region:debtor:...)` for `client`.
    package func deadline(after day: CalendarDate, for client: Client, formalNoticeDay: CalendarDate? = nil, isFormalNotice: Bool = false) -> CalendarDate {
        deadline(
            after: day, country: client.country, region: client.region, debtor: client.debtorKind, formalNoticeDay: formalNoticeDay, isFormalNotice: isFormalNotice)
    }

    /// Send the `thank-you` message when an invoice that was chased is paid in full.
    package var thankYou: Bool = false

    /// The most a balance in `currency` may be and still count as paid.
    package func tolerance(for currency: Currency) -> Int64 { tolerance[currency]?.minorUnits ?? 0 }

    package enum Weekday: String, CaseIterable, Sendable, Hashable, Comparable {
        case monday, tuesday, wednesday, thursday, friday, saturday, sunday

        package static func < (lhs: Weekday, rhs: Weekday) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A span of the day in minutes after midnight, start included, end excluded.
    package struct ClockRange: Sendable, Hashable, CustomStringConvertible {
        package var startMinute: Int
        package var endMinute: Int

        /// Parses "09:00-18:00" (24-hour clock; the end may be 24:00).
        package init(parsing text: String) throws(CoreError) {
            let parts = text.trimmingSpaces().split(separator: "-")
            func minutes(_ part: Substring) -> Int? {
                let clock = part.trimmingSpaces().split(separator: ":")
                guard clock.count == 2, clock[0].count == 2, clock[1].count == 2,
                    let hour = Int(clock[0]), let minute = Int(clock[1]), (0...24).contains(hour), (0..<60).contains(minute),
                    hour < 24 || minute == 0
                else { return nil }
                return hour * 60 + minute
            }
            guard parts.count == 2, let start = minutes(parts[0]), let end = minutes(parts[1]), start < end else {
                throw .invalidValue(field: nil, value: text, reason: "expected a range of hours such as \"09:00-18:00\", start before end")
            }
            startMinute = start
            endMinute = end
        }

        /// Parses one day's hours: "09:00-18:00", or ranges apart and in order separated by
        /// commas, such as "09:00-14:00, 16:00-19:00".
        package static func day(parsing text: String) throws(CoreError) -> [ClockRange] {
            var ranges: [ClockRange] = []
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let range = try? ClockRange(parsing: String(part)) else {
                    throw .invalidValue(
                        field: nil, value: text,
                        reason: "expected hours such as \"09:00-18:00\", or ranges apart and in order such as \"09:00-14:00, 16:00-19:00\", each start before its end")
                }
                if let last = ranges.last, range.startMinute < last.endMinute {
                    throw .invalidValue(
                        field: nil, value: text, reason: "\(range) starts before \(last) ends: give a day's ranges in order, apart, such as \"09:00-14:00, 16:00-19:00\"")
                }
                ranges.append(range)
            }
            return ranges
        }

        package var description: String {
            func clock(_ minutes: Int) -> String {
                let hour = minutes / 60, minute = minutes % 60
                return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
            }
            return "\(clock(startMinute))-\(clock(endMinute))"
        }
    }

    /// Monday to Friday, 09:00 to 18:00.
    package static let defaultWindow: [Weekday: [ClockRange]] = {
        let office = [try! ClockRange(parsing: "09:00-18:00")]
        return [.monday: office, .tuesday: office, .wednesday: office, .thursday: office, .friday: office]
    }()
}
