import CobradorLedger
import Foundation

/// Only one process sends from a ledger at a time: a daemon and a `run --once` from cron
/// would otherwise both send the day's digest, and one's start-up recovery could take the
/// other's message in flight for an interrupted one. An exclusive `flock` on a file next to
/// the ledger (never on the ledger itself: closing a second descriptor of a database file
/// drops SQLite's own locks) is held for a pass and released when the process ends, however
/// it ends.
package final class PassLock {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// The lock file of a ledger.
    package static func path(forLedger ledgerPath: String) -> String {
        ledgerPath + ".lock"
    }

    /// Takes the lock without waiting; nil when another process holds it.
    package static func acquire(ledgerPath: String) throws(DaemonError) -> PassLock? {
        let path = path(forLedger: ledgerPath)
        let descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .lockFile(path: path, reason: String(cString: strerror(errno))) }
        // Readable by whoever runs the next pass, whatever this process's umask, and the ledger
        // owner's when root made it.
        var file = stat()
        if fstat(descriptor, &file) == 0, file.st_uid == geteuid() { _ = fchmod(descriptor, 0o644) }
        Ledger.giveToLedgerOwner(descriptor, ledgerPath: ledgerPath)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK { return nil }
            throw .lockFile(path: path, reason: String(cString: strerror(reason)))
        }
        return PassLock(descriptor: descriptor)
    }
}
