// Sends one message COUNT times through cobrador's SMTP transport (one handle, reused), for
// scripts/bench-smtp.sh. Usage: cobrador-bench-smtp HOST PORT COUNT MESSAGE_FILE
import CobradorCore
import CobradorMail
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 5, let port = Int(arguments[2]), let count = Int(arguments[3]),
    let message = FileManager.default.contents(atPath: arguments[4])
else {
    FileHandle.standardError.write(Data("usage: cobrador-bench-smtp HOST PORT COUNT MESSAGE_FILE\n".utf8))
    exit(64)
}
let transport = SMTPTransport(settings: Configuration.SMTPSettings(host: arguments[1], port: port, tls: .none), secret: nil)
let bytes = Array(message)
let start = Date()
var failures = 0
for _ in 0..<count where transport.send(bytes, from: "bench@cobrador.example", to: ["sink@cobrador.example"]).kind != .accepted {
    failures += 1
}
let seconds = Date().timeIntervalSince(start)
print(String(format: "%.1f", Double(count) / seconds), failures)
