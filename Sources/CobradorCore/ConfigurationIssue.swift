/// One problem in a configuration file, located so the owner can go straight to it.
package struct ConfigurationIssue: Hashable, Sendable, CustomStringConvertible {
    package var file: String
    /// 1-based line; nil when the problem is the absence of something.
    package var line: Int?
    /// The dotted key, e.g. `cadence.stage[2].offset_days`; empty for the whole file.
    package var key: String
    package var message: String

    package init(file: String, line: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// "cobrador.toml:12: policy.window.monday: expected ..."
    package var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
    }
}
