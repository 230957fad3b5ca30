/// What the mail module refuses, naming the record and field at fault so the owner can fix
/// the ledger or the template.
package enum MailError: Error, Equatable, CustomStringConvertible {
    /// A value bound for a header holds CR, LF, NUL or another control character.
    case unsafeHeaderValue(field: String, record: String)
    case invalidAddress(field: String, record: String, address: String)
    case missingRecipient(record: String)
    /// A template that cannot be read, parsed or rendered.
    case template(file: String, line: Int?, message: String)

    package var description: String {
        switch self {
        case .unsafeHeaderValue(let field, let record):
            "\(record): \(field) contains a line break or a control character; it cannot go into a mail header"
        case .invalidAddress(let field, let record, let address):
            "\(record): \(field) \"\(address.visibleForError)\" is not a valid e-mail address"
        case .missingRecipient(let record):
            "\(record): no e-mail address to send to"
        case .template(let file, let line, let message):
            "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
        }
    }
}

extension String {
    var visibleForError: String {
        unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }
}
