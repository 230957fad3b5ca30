import CobradorTestSupport
import Foundation
import Testing

@testable import CobradorLedger

/// The ledger's instants are written by hand: they must read exactly as Foundation's ISO 8601
/// writes them, which other programs and earlier ledgers hold.
@Suite struct TimestampTests {
    @Test func instantsAreWrittenAsFoundationWritesThemAndReadBack() {
        let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
        var generator = SeededGenerator(seed: 11)
        var moments = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -86_400.5), Date(timeIntervalSince1970: 1_796_029_199.999)]
        for _ in 0..<2_000 { moments.append(Date(timeIntervalSince1970: Double.random(in: -1e9...4e9, using: &generator))) }
        for moment in moments {
            #expect(Timestamp.string(moment) == moment.formatted(style), "\(moment.timeIntervalSince1970)")
            #expect(Timestamp.date(Timestamp.string(moment)) == Date(timeIntervalSince1970: moment.timeIntervalSince1970.rounded(.down)))
        }
    }

    /// Another program may write an offset; a wrong date is no instant.
    @Test func otherFormsAreReadAndWrongOnesAreNot() {
        let eight = Date(timeIntervalSince1970: 1_796_025_600)
        #expect(Timestamp.date("2026-11-30T08:00:00Z") == eight)
        #expect(Timestamp.date("2026-11-30T09:00:00+01:00") == eight)
        #expect(Timestamp.date("2026-13-30T08:00:00Z") == nil)
        #expect(Timestamp.date("2026-02-31T08:00:00Z") == nil)
        #expect(Timestamp.date("yesterday") == nil)
    }
}
