import Foundation

/// What a finished child process did.
package struct ProcessResult: Sendable {
    package var status: Int32
    package var standardOutput: String
    package var standardError: String

    /// Runs `executable` with `arguments` to completion. Both streams go to files (a pipe
    /// could fill up and block the child), read back once it has exited.
    package static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> ProcessResult {
        let capture = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: capture.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: capture.file("err"), contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: capture.file("out")))
        let error = try FileHandle(forWritingTo: URL(fileURLWithPath: capture.file("err")))
        defer {
            try? output.close()
            try? error.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOfFile: capture.file("out"), encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: capture.file("err"), encoding: .utf8)) ?? "")
    }
}
