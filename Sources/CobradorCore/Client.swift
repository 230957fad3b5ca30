/// A debtor: who is written to, in which language and time zone, under which law.
package struct Client: Hashable, Sendable {
    package var id: Int64?
    /// The owner's short key for the client ("ACME"), unique in the ledger.
    package var code: String
    package var name: String
    /// One or more addresses; the first is the main recipient, the rest are copied.
    package var emails: [String]
    package var language: Language
    /// IANA time zone; nil means the configuration's default.
    package var timeZone: String?
    /// ISO 3166-1 alpha-2 country code.
    package var country: String
    /// ISO 3166-2 subdivision ("ES-MD"), for regional holidays; nil when not given.
    package var region: String?
    package var debtorKind: DebtorKind
    package var taxID: String?
    package var postalAddress: String?
    package var pause: Pause?
    package var notes: String?

    package init(
        id: Int64? = nil, code: String, name: String, emails: [String], language: Language, timeZone: String? = nil,
        country: String, region: String? = nil, debtorKind: DebtorKind, taxID: String? = nil, postalAddress: String? = nil,
        pause: Pause? = nil, notes: String? = nil
    ) {
        self.id = id
        self.code = code
        self.name = name
        self.emails = emails
        self.language = language
        self.timeZone = timeZone
        self.country = country
        self.region = region
        self.debtorKind = debtorKind
        self.taxID = taxID
        self.postalAddress = postalAddress
        self.pause = pause
        self.notes = notes
    }
}
