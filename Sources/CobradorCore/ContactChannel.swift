/// How a contact with a client happened.
package enum ContactChannel: String, CaseIterable, Codable, Sendable {
    case email
    case phone
    case letter
    case other
}
