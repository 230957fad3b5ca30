/// Which late-payment law applies to a debt: chosen from the client's country and debtor kind.
package enum InterestRegime: String, Sendable, CaseIterable, Codable {
    /// Spain, business to business (Ley 3/2004): ECB + 8 points per half-year, 40 EUR per invoice.
    case spainBusiness = "es-business"
    /// Spain, a consumer: interest only from a demand, at the legal rate; not computed here.
    case spainConsumer = "es-consumer"
    /// Another EU country, business to business (Directive 2011/7/EU): ECB + the country's points, 40 EUR.
    case euBusiness = "eu-business"
    /// United Kingdom (Late Payment of Commercial Debts Act 1998): base rate + 8, fixed; 40/70/100 GBP.
    case ukBusiness = "uk-business"
    case none

    private static let euCountries: Set<String> = [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL",
        "PT", "RO", "SK", "SI", "SE",
    ]

    /// The law of `client`'s debts: `business` for a business client when the owner chose
    /// one, else by the client's country and kind.
    package init(for client: Client, business: InterestRegime?) {
        if let business, client.debtorKind != .consumer {
            self = business
        } else {
            self.init(for: client)
        }
    }

    package init(for client: Client) {
        switch (client.country, client.debtorKind) {
        case ("ES", .consumer): self = .spainConsumer
        case ("ES", _): self = .spainBusiness
        case ("GB", .consumer): self = .none
        case ("GB", _): self = .ukBusiness
        case (let country, let kind) where Self.euCountries.contains(country) && kind != .consumer: self = .euBusiness
        default: self = .none
        }
    }
}
