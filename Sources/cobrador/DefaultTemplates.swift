import Foundation

/// Where the templates shipped with cobrador are: installed under `share/cobrador/templates`
/// next to the binary's `bin/`, or, for a binary run from a source checkout, the checkout's
/// `Templates/`.
enum DefaultTemplates {
    static func directory() -> String? {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["COBRADOR_DEFAULT_TEMPLATES"] { candidates.append(override) }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : executablePath())
        candidates.append(executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/cobrador/templates").path)
        // A development build: Sources/cobrador/DefaultTemplates.swift -> Templates/.
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates").path)
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/en") && FileManager.default.fileExists(atPath: $0 + "/es") }
    }

    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
