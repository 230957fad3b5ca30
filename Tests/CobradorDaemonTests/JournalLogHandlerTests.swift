import Foundation
import Logging
import Synchronization
import Testing

@testable import CobradorDaemon

/// What the daemon's log lines look like to journald and to a person reading a file.
@Suite struct JournalLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    func logger(underJournal: Bool, _ lines: Lines) -> Logger {
        Logger(label: "cobrador") { JournalLogHandler(label: $0, underJournal: underJournal, write: lines.append) }
    }

    @Test func underSystemdEachLineCarriesItsPriorityAndNoTimestamp() {
        let lines = Lines()
        let log = logger(underJournal: true, lines)
        log.info("pass done", metadata: ["sent": "2", "failed": "0"])
        log.error(
            "reload failed; still running on the last good configuration",
            metadata: ["error": "not fit to write to clients:\ncobrador.toml:3: policy.window: unknown key\ncobrador.toml:9: sender.email: not an address"])
        log.debug("not shown at the default level")
        #expect(lines.all == [
            "<6>pass done failed=0 sent=2\n",
            "<3>reload failed; still running on the last good configuration error=\"not fit to write to clients: cobrador.toml:3: policy.window: unknown key; cobrador.toml:9: sender.email: not an address\"\n",
        ])
    }

    @Test func elsewhereLinesStartWithTheTimeAndTheLevelInWords() throws {
        let lines = Lines()
        logger(underJournal: false, lines).warning("the relay's quota is reached; the rest waits", metadata: ["until": "2026-11-30T10:00:00Z"])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix(" warning: the relay's quota is reached; the rest waits until=2026-11-30T10:00:00Z\n"))
        #expect(try Date(String(line.prefix { $0 != " " }), strategy: .iso8601) <= Date())
    }
}
