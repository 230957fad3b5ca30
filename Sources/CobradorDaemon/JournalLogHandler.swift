import Foundation
import Logging

/// Writes log records to stderr, one line each, in a form journald reads well: under systemd
/// (`JOURNAL_STREAM` set) a `<N>` syslog priority prefix and no timestamp (the journal keeps
/// its own); on a terminal or in a file, an ISO 8601 time and the level in words. Metadata
/// follows the message as sorted `key=value` pairs, quoted when they hold spaces; line breaks
/// in values become "; " so one record stays one journal entry.
package struct JournalLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    package var logLevel: Logger.Level = .info
    private let underJournal: Bool
    private let write: @Sendable (String) -> Void

    /// `write` receives each finished line, newline included; by default one `write(2)` to stderr,
    /// so lines from two threads never interleave.
    package init(
        label: String, underJournal: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
        write: @escaping @Sendable (String) -> Void = { line in
            _ = Array(line.utf8).withUnsafeBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    ) {
        self.underJournal = underJournal
        self.write = write
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let own = event.metadata { all.merge(own) { $1 } }
        let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted($0.value.description))" }
        let text = ([event.message.description] + pairs).joined(separator: " ")
        if underJournal {
            write("<\(Self.priority(event.level))>\(text)\n")
        } else {
            write("\(Date().formatted(.iso8601)) \(event.level): \(text)\n")
        }
    }

    /// syslog(3) priorities, which journald reads from the `<N>` prefix.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func quoted(_ value: String) -> String {
        // Lines joined by "; ", but a line that announces a list ("...:") by a space.
        let oneLine = value.split(whereSeparator: \.isNewline).reduce(into: "") { text, line in
            text += text.isEmpty ? "" : text.hasSuffix(":") ? " " : "; "
            text += line
        }
        guard oneLine.isEmpty || oneLine.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return oneLine }
        return "\"" + oneLine.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
