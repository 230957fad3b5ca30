import Foundation

/// scripts/smtp-test-server.py (aiosmtpd) on 127.0.0.1, started for one test and stopped by
/// process id when released. Accepted messages land byte for byte in `spool`.
package final class SMTPTestServer: @unchecked Sendable {
    package let port: Int
    package let spool = TemporaryDirectory()
    private let process = Process()

    /// `port` 0 takes any free port.
    package init(tls: String = "none", certificates: TestCertificates? = nil, auth: String? = nil, behaviour: String = "accept", port: Int = 0) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/smtp-test-server.py").path
        var arguments = [script, "--tls", tls, "--behaviour", behaviour, "--spool", spool.path]
        if let certificates { arguments += ["--cert", certificates.serverCertificate, "--key", certificates.serverKey] }
        if let auth { arguments += ["--auth", auth] }
        if port != 0 { arguments += ["--port", String(port)] }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "READY <port>" once the server listens.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw WorkspaceError(message: "the test SMTP server did not start: \(text)")
        }
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The messages the server accepted, oldest first, with the connection each came on.
    package func received() throws -> [(connection: Int, bytes: Data)] {
        try FileManager.default.contentsOfDirectory(atPath: spool.path).sorted { lhs, rhs in
            lhs.split(separator: "-").last.flatMap { Int($0.dropLast(4)) } ?? 0 < rhs.split(separator: "-").last.flatMap { Int($0.dropLast(4)) } ?? 0
        }.map { name in
            (Int(name.dropFirst().prefix { $0 != "-" }) ?? 0, try Data(contentsOf: URL(fileURLWithPath: spool.file(name))))
        }
    }
}

/// A certificate authority made for one test run, and a server certificate it signed for
/// 127.0.0.1 and localhost (openssl from Debian).
package final class TestCertificates: Sendable {
    package let folder = TemporaryDirectory()
    package var authority: String { folder.file("ca.pem") }
    package var serverCertificate: String { folder.file("server.pem") }
    package var serverKey: String { folder.file("server.key") }

    package init() throws {
        let steps = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=cobrador test CA", "-keyout", folder.file("ca.key"), "-out", authority],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", serverKey, "-out", folder.file("server.csr")],
            ["x509", "-req", "-in", folder.file("server.csr"), "-CA", authority, "-CAkey", folder.file("ca.key"), "-CAcreateserial", "-days", "2",
             "-extfile", folder.write("san.cnf", "subjectAltName=IP:127.0.0.1,DNS:localhost\n"), "-out", serverCertificate],
        ]
        for step in steps {
            let result = try ProcessResult.run("/usr/bin/openssl", step)
            guard result.status == 0 else { throw WorkspaceError(message: "openssl \(step[0]) failed: \(result.standardError)") }
        }
    }
}
