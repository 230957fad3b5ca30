import Foundation

/// The owner's sent log: an append-only text file, one line per attempt, readable with
/// `tail -f`. Each line is written with one `write` on a file opened for appending, so lines
/// from two processes never interleave. The file is opened once for a pass (`keepingOpen`),
/// so a log rotated between passes is picked up by the next one.
package final class SentLog: @unchecked Sendable {
    package let path: String
    /// The descriptor while a pass keeps the file open; guarded by `lock`.
    private var descriptor: Int32?
    private let lock = NSLock()

    package init(path: String) {
        self.path = path
    }

    /// Runs `body` with the file open, for the lines it appends.
    package func keepingOpen<T>(_ body: () throws -> T) rethrows -> T {
        let opened = Self.openFile(path)
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
        if let kept {
            _ = bytes.withUnsafeBytes { write(kept, $0.baseAddress, $0.count) }
            return
        }
        let opened = Self.openFile(path)
        guard opened >= 0 else { return }
        defer { close(opened) }
        _ = bytes.withUnsafeBytes { write(opened, $0.baseAddress, $0.count) }
    }

    private static func openFile(_ path: String) -> Int32 {
        Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
    }
}
