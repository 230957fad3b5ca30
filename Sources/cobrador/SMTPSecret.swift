import CobradorCore
import Foundation

/// Reads the relay's password (or bearer token) from where the configuration says: a file,
/// or a credential in `$CREDENTIALS_DIRECTORY` (systemd LoadCredential). Never from the TOML,
/// never echoed: errors name the file, not its content.
enum SMTPSecret {
    static func read(_ settings: Configuration.SMTPSettings) throws -> String? {
        let path: String
        if let file = settings.passwordFile {
            path = file
        } else if let credential = settings.credential {
            guard let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] else {
                throw CommandFailure("credential = \"\(credential)\" needs $CREDENTIALS_DIRECTORY (set by systemd's LoadCredential=\(credential):...); outside systemd use password_file")
            }
            path = directory + "/" + credential
        } else {
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("\(path): cannot read the SMTP password file (missing, or not readable by this user)")
        }
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        guard !secret.isEmpty else { throw CommandFailure("\(path): the SMTP password file is empty") }
        return secret
    }
}
