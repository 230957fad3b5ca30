import CobradorTestSupport
import Foundation
import Testing

/// The shipped unit, as systemd's own tools judge it.
@Suite struct SystemdUnitTests {
    static let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("systemd/cobrador.service").path
    static let analyze = "/usr/bin/systemd-analyze"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is not installed here"))
    func theUnitIsHardenedToAnExposureOfTwoOrLess() throws {
        let folder = TemporaryDirectory()
        let result = try ProcessResult.run(Self.analyze, ["security", "--offline=true", Self.unit], directory: folder.path)
        let line = try #require(result.standardOutput.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) })
        #expect(score <= 2.0, "\(line)")
    }

    @Test func theUnitNotifiesRestartsSanelyAndRunsAsItsOwnUser() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        for setting in ["Type=notify", "WatchdogSec=", "ExecReload=kill -HUP $MAINPID", "RestartPreventExitStatus=78", "User=cobrador", "StateDirectory=cobrador",
                        "LogsDirectory=cobrador", "ConfigurationDirectory=cobrador", "Restart=on-failure"]
        {
            #expect(text.contains(setting), "missing \(setting)")
        }
    }
}
