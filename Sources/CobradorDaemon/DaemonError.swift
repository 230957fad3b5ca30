/// What stops a pass before it starts, in words an owner can act on.
package enum DaemonError: Error, CustomStringConvertible {
    /// The lock file next to the ledger cannot be opened or locked.
    case lockFile(path: String, reason: String)

    package var description: String {
        switch self {
        case .lockFile(let path, let reason):
            "cannot lock \(path) (\(reason)): cobrador needs to create and lock this file next to the ledger, so that only one process sends at a time"
        }
    }
}
