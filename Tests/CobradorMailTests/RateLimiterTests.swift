import CobradorMail
import Foundation
import Testing

@Suite struct RateLimiterTests {
    let start = Date(timeIntervalSince1970: 1_796_025_600)

    @Test func whatIsOverTheQuotaWaitsForTheWindowToMove() {
        var limiter = RateLimiter(perMinute: 3, perHour: 5, perDay: nil)
        var sentAt: [Date] = []
        var clock = start
        for _ in 0..<7 {
            clock = limiter.nextAllowed(after: clock)
            limiter.record(clock)
            sentAt.append(clock)
        }
        let offsets = sentAt.map { Int($0.timeIntervalSince(start)) }
        // Three at once, then the minute quota; after five, the hour quota holds the sixth an hour.
        #expect(offsets == [0, 0, 0, 60, 60, 3600, 3600])
    }

    @Test func withoutQuotasNothingWaits() {
        var limiter = RateLimiter(perMinute: nil, perHour: nil, perDay: nil)
        for _ in 0..<100 { limiter.record(start) }
        #expect(limiter.nextAllowed(after: start) == start)
    }

    @Test func aDailyCapSpansTheDay() {
        var limiter = RateLimiter(perMinute: nil, perHour: nil, perDay: 2)
        limiter.record(start)
        limiter.record(start.addingTimeInterval(600))
        #expect(limiter.nextAllowed(after: start.addingTimeInterval(3600)) == start.addingTimeInterval(86_400))
    }
}
