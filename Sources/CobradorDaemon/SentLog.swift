import Foundation

/// The owner's sent log: an append-only text file, one line per attempt, readable with
/// `tail -f`. Each line is written with one `write` on a file opened for appending, so lines
/// from two processes never interleave.
package struct SentLog: Sendable {
    package let path: String

    package init(path: String) {
        self.path = path
    }

    package func append(_ line: String) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o640)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array((line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
