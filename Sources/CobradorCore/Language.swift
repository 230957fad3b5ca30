/// The language a client is written to; each has its own set of templates.
package enum Language: String, CaseIterable, Codable, Sendable {
    case es
    case en
}
