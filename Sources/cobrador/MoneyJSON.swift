import CobradorCore

/// Money as other programs read it: the decimal string, the currency and the exact minor units.
struct MoneyJSON: Encodable {
    var amount: String
    var currency: String
    var minorUnits: Int64

    init(_ money: Money) {
        amount = money.decimalString
        currency = money.currency.code
        minorUnits = money.minorUnits
    }

    enum CodingKeys: String, CodingKey {
        case amount, currency
        case minorUnits = "minor_units"
    }
}

/// A pause as other programs read it.
struct PauseJSON: Encodable {
    var reason: String
    var since: String
    var until: String?

    init?(_ pause: Pause?) {
        guard let pause else { return nil }
        reason = pause.reason
        since = pause.since.formatted(.iso8601)
        until = pause.until?.description
    }
}
