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
}
