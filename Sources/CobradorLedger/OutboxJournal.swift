import CobradorCore
import Foundation

/// The pass's record of what happened to its claimed messages since the ledger last heard of
/// them: a file next to the ledger (`<ledger>.outbox`), one line per step, each appended with
/// one `write`. Two steps go here rather than into a ledger transaction each, because a
/// commit per message costs more than sending it:
/// - "the relay asked for the body" (354 to DATA), written before the first body byte
///   leaves: if it cannot be written, the body is held back;
/// - the outcome (the relay's answer), written as soon as it comes.
///
/// The ledger then records a batch of outcomes in one transaction (the next batch's
/// reservation, or `Ledger.recordOutcomes`), and the journal is emptied. At the start of a
/// pass `Ledger.resolveInterrupted` reads what a killed process left here: an outcome is
/// recorded as it was; a body that started with no outcome makes the attempt `unknown`. The
/// writes are not forced to disk: the kernel keeps them when the process is killed; a machine
/// crash may lose them, which is why an attempt claimed in an earlier boot is taken as unknown.
/// Used only under the pass lock, by one thread.
package final class OutboxJournal {
    package let path: String
    private let descriptor: Int32
    /// Outcomes written here and not yet recorded in the ledger, oldest first.
    package private(set) var unrecorded: [Ledger.Outcome] = []
    /// Attempts whose body started and whose outcome is neither here nor in the ledger: while
    /// there is one, the file is never emptied, so the next pass takes it as unknown.
    private var bodiesWithoutOutcome: Set<Int64> = []

    /// The journal of a ledger.
    package static func path(forLedger ledgerPath: String) -> String {
        ledgerPath + ".outbox"
    }

    /// Opens (or creates) the journal of the ledger at `ledgerPath`.
    package init(ledgerPath: String) throws(LedgerError) {
        path = Self.path(forLedger: ledgerPath)
        descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .database(path: path, message: "cannot open the outbox journal: \(String(cString: strerror(errno)))") }
        Ledger.giveToLedgerOwner(descriptor, ledgerPath: ledgerPath)
    }

    deinit {
        close(descriptor)
    }

    /// Notes that the relay asked for the body of try `attempt` of `attemptID`.
    package func bodyStarting(_ attemptID: Int64, attempt: Int) throws(LedgerError) {
        try append("D\t\(attemptID)\t\(attempt)")
        bodiesWithoutOutcome.insert(attemptID)
    }

    /// Notes an outcome, for the ledger to record with the next batch's reservation or in
    /// `Ledger.recordOutcomes`.
    package func note(_ outcome: Ledger.Outcome) throws(LedgerError) {
        try append(
            ["O", String(outcome.attemptID), String(outcome.attempt), outcome.status.rawValue, Timestamp.string(outcome.at),
             Self.optional(outcome.nextAttempt.map(Timestamp.string)), Self.optional(outcome.refusedAddress), Self.escape(outcome.reply),
             Self.optional(outcome.error)].joined(separator: "\t"))
        unrecorded.append(outcome)
        bodiesWithoutOutcome.remove(outcome.attemptID)
    }

    /// Says that an outcome this journal could not note was recorded in the ledger.
    package func recordedInLedger(_ attemptID: Int64) {
        bodiesWithoutOutcome.remove(attemptID)
    }

    /// Forgets what the ledger has recorded: the unrecorded outcomes and the file's lines
    /// (kept while a body that started has no outcome anywhere).
    package func clear() throws(LedgerError) {
        unrecorded.removeAll()
        var size = stat()
        guard bodiesWithoutOutcome.isEmpty, fstat(descriptor, &size) != 0 || size.st_size > 0 else { return }
        guard ftruncate(descriptor, 0) == 0 else { throw .database(path: path, message: "cannot empty the outbox journal: \(String(cString: strerror(errno)))") }
    }

    /// What the file holds: the attempts whose body started (with their try) and the outcomes.
    /// A line cut short (the machine stopped, or the disk filled, while writing it) is ignored.
    package func entries() throws(LedgerError) -> (bodyStarted: [(attemptID: Int64, attempt: Int)], outcomes: [Ledger.Outcome]) {
        var size = stat()
        guard fstat(descriptor, &size) == 0 else { throw .database(path: path, message: "cannot read the outbox journal: \(String(cString: strerror(errno)))") }
        var bytes = [UInt8](repeating: 0, count: Int(size.st_size))
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw .database(path: path, message: "cannot read the outbox journal: \(String(cString: strerror(errno)))") }
        var started: [(attemptID: Int64, attempt: Int)] = []
        var outcomes: [Ledger.Outcome] = []
        // A line is whole once its line end is written.
        let whole = bytes[..<count].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        for line in bytes[..<whole].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count >= 3, let id = Int64(fields[1]), let attempt = Int(fields[2]) else { continue }
            if fields[0] == "D" && fields.count == 3 {
                started.append((id, attempt))
            } else if fields[0] == "O" && fields.count == 9, let status = ContactStatus(rawValue: fields[3]), let at = Timestamp.date(fields[4]) {
                outcomes.append(
                    Ledger.Outcome(
                        attemptID: id, attempt: attempt, status: status, reply: Self.unescape(fields[7]), error: Self.unoptional(fields[8]), at: at,
                        nextAttempt: Timestamp.date(Self.unoptional(fields[5])), refusedAddress: Self.unoptional(fields[6])))
            }
        }
        return (started, outcomes)
    }

    /// Appends one line. It starts with a line end too, so a line a full disk cut short
    /// stays apart from the next one.
    private func append(_ record: String) throws(LedgerError) {
        var line = "\n" + record + "\n"
        let written = line.withUTF8 { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.utf8.count else {
            throw .database(path: path, message: "cannot write the outbox journal: \(written < 0 ? String(cString: strerror(errno)) : "short write")")
        }
    }

    /// An absent value is empty; a present one starts with "=".
    private static func optional(_ value: String?) -> String { value.map { "=" + escape($0) } ?? "" }

    private static func unoptional(_ field: String) -> String? {
        field.utf8.first == UInt8(ascii: "=") ? unescape(String(decoding: field.utf8.dropFirst(), as: UTF8.self)) : nil
    }

    /// A field holds no tab nor line break: a server's reply may.
    private static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 92 }) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped.append(contentsOf: "\\\\".unicodeScalars)
            case "\t": escaped.append(contentsOf: "\\t".unicodeScalars)
            case "\n": escaped.append(contentsOf: "\\n".unicodeScalars)
            case "\r": escaped.append(contentsOf: "\\r".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    private static func unescape(_ field: String) -> String {
        guard field.utf8.contains(92) else { return field }
        var text = String.UnicodeScalarView()
        var escaped = false
        for scalar in field.unicodeScalars {
            if escaped {
                text.append(scalar == "t" ? "\t" : scalar == "n" ? "\n" : scalar == "r" ? "\r" : scalar)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else {
                text.append(scalar)
            }
        }
        return String(text)
    }
}
