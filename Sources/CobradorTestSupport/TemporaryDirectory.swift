import Foundation

/// A fresh folder under the system temporary directory, removed when the value is released.
package final class TemporaryDirectory: Sendable {
    package let path: String

    package init() {
        path = NSTemporaryDirectory() + "cobrador-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `name` inside the folder.
    package func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` inside the folder and returns its path.
    @discardableResult
    package func write(_ name: String, _ text: String) -> String {
        let target = file(name)
        try! FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }
}
