import Foundation

/// Writes each message into a Maildir folder (`tmp/`, `new/`, `cur/`): the embedded default
/// when no relay is configured. The file is written in `tmp/` and renamed into `new/`, so a
/// mail client never sees half a message; any mail client can open the folder.
package struct MaildirTransport: MailTransport {
    package let folder: String

    package init(folder: String) {
        self.folder = folder
    }

    /// `beforeBody` is asked just before the file is renamed into `new/`, where it is delivered.
    /// Nothing here waits on a relay, so `keepWaiting` is not asked.
    package func send(_ message: [UInt8], from sender: String, to recipients: [String], beforeBody: () -> Bool, keepWaiting: () -> Bool) -> DeliveryOutcome {
        let files = FileManager.default
        do {
            for sub in ["tmp", "new", "cur"] {
                try files.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let name = Self.uniqueName()
            let temporary = "\(folder)/tmp/\(name)"
            let final = "\(folder)/new/\(name)"
            // Return-Path and Delivered-To record the envelope, as a delivering MTA would.
            let envelope = "Return-Path: <\(sender)>\r\n" + recipients.map { "Delivered-To: \($0)\r\n" }.joined()
            let data = Data(envelope.utf8) + Data(message)
            guard files.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
                return DeliveryOutcome(kind: .temporaryFailure, reply: "cannot write \(temporary)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            guard beforeBody() else {
                try? files.removeItem(atPath: temporary)
                return DeliveryOutcome(kind: .temporaryFailure, reply: "not stored: the ledger could not record that the message was leaving")
            }
            try files.moveItem(atPath: temporary, toPath: final)
            return DeliveryOutcome(kind: .accepted, reply: "stored in \(final)")
        } catch {
            return DeliveryOutcome(kind: .temporaryFailure, reply: "cannot store the message in the Maildir \(folder): \(error.localizedDescription)")
        }
    }

    /// "1796025600.M123456P4242Q7.host": time, microseconds, process, counter, host.
    private static func uniqueName() -> String {
        let now = Date().timeIntervalSince1970
        let seconds = Int(now)
        let micros = Int((now - Double(seconds)) * 1_000_000)
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "\\057").replacingOccurrences(of: ":", with: "\\072")
        let paddedMicros = String(repeating: "0", count: max(0, 6 - String(micros).count)) + String(micros)
        return "\(seconds).M\(paddedMicros)P\(getpid())Q\(Counter.next()).\(host)"
    }

    /// A process-wide counter, so two messages in the same microsecond get different names.
    private enum Counter {
        private static let lock = NSLock()
        nonisolated(unsafe) private static var value = 0

        static func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}
