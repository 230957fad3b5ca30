import CobradorCore
import Foundation

/// The late-payment rate table shipped with cobrador (share/cobrador/rates.toml next to the
/// binary's bin/, or Data/rates.toml in a source checkout), with the owner's
/// `[[interest.rate]]` entries laid on top.
enum ShippedRates {
    static func table(for configuration: Configuration) throws -> RateTable {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let installed: String = executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/cobrador/rates.toml").path
        let source: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/rates.toml").path
        let candidates = [ProcessInfo.processInfo.environment["COBRADOR_RATES"], installed, source].compactMap { $0 }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else {
            throw CommandFailure("cannot find the late-payment rate table (share/cobrador/rates.toml next to the binary); set COBRADOR_RATES to its path")
        }
        return try RateTable.parse(text: text, file: path).overlaid(with: configuration.interest.rates)
    }
}
