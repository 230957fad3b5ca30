import CobradorLedger
import Foundation

/// The owner's sent log: an append-only text file, one line per attempt, readable with
/// `tail -f`. Each line is written with one `write` on a file opened for appending, so lines
/// from two processes never interleave. The file is opened once for a pass (`keepingOpen`),
/// so a log rotated between passes is picked up by the next one. The ledger keeps every
/// attempt whatever happens to this file; a line that cannot be written is reported, once a
/// pass, never silently lost.
package final class SentLog: @unchecked Sendable {
    package let path: String
    /// A file made by root (a `sudo cobrador run --once`) goes to the ledger's owner, so the
    /// service can still write it.
    private let ledgerPath: String
    /// The descriptor while a pass keeps the file open, and what went wrong writing the
    /// file; guarded by `lock`.
    private var descriptor: Int32?
    private var problem: String?
    private let lock = NSLock()

    package init(path: String, ledgerPath: String) {
        self.path = path
        self.ledgerPath = ledgerPath
    }

    /// Runs `body` with the file open, for the lines it appends.
    package func keepingOpen<T>(_ body: () throws -> T) rethrows -> T {
        let opened = openFile()
        lock.withLock { descriptor = opened >= 0 ? opened : nil }
        defer {
            lock.withLock { descriptor = nil }
            if opened >= 0 { close(opened) }
        }
        return try body()
    }

    package func append(_ line: String) {
        // One line per attempt, whatever a relay's reply holds.
        var bytes = Array(line.utf8).map { $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }
        bytes.append(UInt8(ascii: "\n"))
        let kept: Int32? = lock.withLock { self.descriptor }
        let target = kept ?? openFile()
        guard target >= 0 else { return }
        defer { if kept == nil { close(target) } }
        let written = bytes.withUnsafeBytes { write(target, $0.baseAddress, $0.count) }
        if written != bytes.count { note(written < 0 ? String(cString: strerror(errno)) : "only part of a line was written (is the disk full?)") }
    }

    /// What kept lines out of the file since the last call, for the owner; nil if nothing did.
    package func takeProblem() -> String? {
        lock.withLock {
            defer { problem = nil }
            return problem.map { "the sent log \(path) cannot be written (\($0)); its lines are missing there, `cobrador log` has every attempt" }
        }
    }

    private func openFile() -> Int32 {
        let descriptor = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            note(String(cString: strerror(errno)))
            return descriptor
        }
        Ledger.giveToLedgerOwner(descriptor, ledgerPath: ledgerPath)
        return descriptor
    }

    private func note(_ reason: String) {
        lock.withLock { if problem == nil { problem = reason } }
    }
}
