import Foundation

/// The rules every value must pass before it enters the ledger. Values from the ledger end up
/// in mail headers and SMTP commands, so the rules are strict by design: a CR, LF or NUL in a
/// name or an address is refused here, at the door.
package enum FieldRules {
    /// A non-empty, single-line text without control characters, trimmed of outer spaces.
    package static func singleLine(_ value: String, maxLength: Int = 500) throws(CoreError) -> String {
        let trimmed = String(value.trimmingSpaces())
        guard !trimmed.isEmpty else { throw .invalidValue(field: nil, value: value, reason: "a value is required") }
        if let bad = trimmed.unicodeScalars.first(where: isControl) {
            throw .invalidValue(field: nil, value: value, reason: "it contains \(describe(bad)); it must fit on one line")
        }
        guard trimmed.count <= maxLength else {
            throw .invalidValue(field: nil, value: value, reason: "it is longer than \(maxLength) characters")
        }
        return trimmed
    }

    /// Like `singleLine`, but an empty value means "none".
    package static func optionalSingleLine(_ value: String?, maxLength: Int = 500) throws(CoreError) -> String? {
        guard let value, !value.trimmingSpaces().isEmpty else { return nil }
        return try singleLine(value, maxLength: maxLength)
    }

    /// Free text (notes): line breaks allowed, other control characters and NUL refused.
    package static func freeText(_ value: String?) throws(CoreError) -> String? {
        guard let value, !value.trimmingSpaces().isEmpty else { return nil }
        if let bad = value.unicodeScalars.first(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) {
            throw .invalidValue(field: nil, value: value, reason: "it contains \(describe(bad))")
        }
        return value
    }

    /// A short key the owner types: letters, digits, '.', '_' and '-', 1 to 64 characters.
    package static func code(_ value: String) throws(CoreError) -> String {
        let trimmed = String(value.trimmingSpaces())
        let allowed = trimmed.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-"
        }
        guard !trimmed.isEmpty, trimmed.count <= 64, allowed else {
            throw .invalidValue(field: nil, value: value, reason: "use 1 to 64 letters, digits, '.', '_' or '-' (for example ACME or acme-sl)")
        }
        return trimmed
    }

    /// The IBAN `cobrador init` writes when not given one: not a real account (no country is
    /// "XX"), accepted as written so the example loads, and refused by `check` and before any
    /// message goes through a relay.
    package static let exampleIBAN = "XX00 0000 0000 0000 0000 0000"

    /// An IBAN (ISO 13616) as the owner writes it, spaces allowed: two letters of country, two
    /// check digits, then 11 to 30 letters and digits, and the check digits must match (ISO 7064
    /// mod 97-10), so a mistyped or swapped digit is caught before it reaches every message.
    package static func iban(_ value: String) throws(CoreError) -> String {
        let written = try singleLine(value, maxLength: 42)
        guard written != exampleIBAN else { return written }
        // Spaces of any kind (a bank's page gives non-breaking ones) only group the characters.
        let compact = Array(written.uppercased().unicodeScalars.filter { !$0.properties.isWhitespace })
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }
        func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
        guard (15...34).contains(compact.count), compact.prefix(2).allSatisfy(isLetter), compact.dropFirst(2).prefix(2).allSatisfy(isDigit),
            compact.dropFirst(4).allSatisfy({ isLetter($0) || isDigit($0) })
        else {
            throw .invalidValue(field: nil, value: value, reason: "an IBAN is two letters of country, two check digits and 11 to 30 letters or digits, such as ES91 2100 0418 4502 0005 1332")
        }
        // The country and check digits moved to the end, letters as 10 to 35: the number mod 97 is 1.
        var remainder = 0
        for scalar in compact.dropFirst(4) + compact.prefix(4) {
            let number = isDigit(scalar) ? Int(scalar.value) - 48 : Int(scalar.value) - 55
            remainder = (remainder * (number < 10 ? 10 : 100) + number) % 97
        }
        guard remainder == 1 else {
            throw .invalidValue(field: nil, value: value, reason: "its check digits do not match the rest: a digit is mistyped or two are swapped")
        }
        return written
    }

    /// An Internet mail address (RFC 5321 addr-spec, ASCII, dot-atom local part, a domain
    /// with at least two labels). Display names and comments are not accepted: the ledger
    /// holds bare addresses and the composer adds the name.
    package static func emailAddress(_ value: String) throws(CoreError) -> String {
        let address = String(value.trimmingSpaces())
        func refuse(_ reason: String) -> CoreError { .invalidValue(field: nil, value: value, reason: reason) }
        guard !address.isEmpty else { throw refuse("a value is required") }
        guard address.unicodeScalars.allSatisfy({ $0.isASCII && !isControl($0) }) else {
            throw refuse("an e-mail address must be plain ASCII without control characters")
        }
        // Plain ASCII from here: one byte per character. Read in place: every message's
        // addresses are checked on the way out.
        let bytes = address.utf8
        let at = UInt8(ascii: "@")
        guard let separator = bytes.firstIndex(of: at), !bytes[bytes.index(after: separator)...].contains(at) else {
            throw refuse("an e-mail address has exactly one '@', as in ana@example.com")
        }
        let local = bytes[..<separator]
        let domain = bytes[bytes.index(after: separator)...]
        // Dot-separated atoms, none empty.
        var atomLength = 0
        var atomsValid = true
        for byte in local where atomsValid {
            if byte == UInt8(ascii: ".") {
                atomsValid = atomLength > 0
                atomLength = 0
            } else {
                atomsValid = isAtomByte(byte)
                atomLength += 1
            }
        }
        guard local.count <= 64, atomsValid, atomLength > 0 else { throw refuse("the part before '@' is not a valid mailbox name") }
        guard Self.isDomainName(domain) else { throw refuse("the part after '@' is not a valid domain name") }
        guard address.utf8.count <= 254 else { throw refuse("an e-mail address is at most 254 characters") }
        return address
    }

    /// A "YYYY-MM-DD" date that exists in the calendar, within `plausibleDates`.
    package static func date(_ value: String) throws(CoreError) -> CalendarDate {
        guard let date = CalendarDate(iso: value.trimmingSpaces()) else {
            throw .invalidValue(field: nil, value: value, reason: "expected a real date written YYYY-MM-DD, such as 2026-11-29")
        }
        guard plausibleDates.contains(date) else {
            throw .invalidValue(
                field: nil, value: value, reason: "expected a date between \(plausibleDates.lowerBound) and \(plausibleDates.upperBound)")
        }
        return date
    }

    /// Dates an invoice, a payment or a pause can have; anything else is a typo.
    package static let plausibleDates = CalendarDate(year: 2000, month: 1, day: 1)!...CalendarDate(year: 2099, month: 12, day: 31)!

    /// A date that must not be before `earliest` (a promise or a pause end: today or later).
    package static func date(_ value: String, notBefore earliest: CalendarDate, meaning: String) throws(CoreError) -> CalendarDate {
        let date = try date(value)
        guard date >= earliest else {
            throw .invalidValue(field: nil, value: value, reason: "\(meaning) cannot be before \(earliest)")
        }
        return date
    }

    /// An active ISO 4217 code; lower case is accepted and upper-cased.
    package static func currency(_ value: String) throws(CoreError) -> Currency {
        guard let currency = Currency(code: value.trimmingSpaces().uppercased()) else {
            throw .invalidValue(field: nil, value: value, reason: "not an ISO 4217 currency code (such as EUR, GBP, USD)")
        }
        return currency
    }

    /// An IANA time zone name such as Europe/Madrid.
    package static func timeZone(_ value: String) throws(CoreError) -> String {
        let name = String(value.trimmingSpaces())
        guard TimeZone(identifier: name) != nil, name.contains("/") || name == "UTC" else {
            throw .invalidValue(field: nil, value: value, reason: "not an IANA time zone name (such as Europe/Madrid or Europe/London)")
        }
        return name
    }

    /// An ISO 3166-1 alpha-2 country code, upper-cased ("ES", "GB").
    package static func country(_ value: String) throws(CoreError) -> String {
        let code = value.trimmingSpaces().uppercased()
        // The EU's own abbreviations, which ISO 3166 only reserves.
        if let meant = ["UK": "GB", "EL": "GR"][code] {
            throw .invalidValue(field: nil, value: value, reason: "the ISO 3166 code of that country is \(meant)")
        }
        guard Locale.Region.isoRegions.contains(where: { $0.identifier == code && code.count == 2 && code.allSatisfy(\.isLetter) }) else {
            throw .invalidValue(field: nil, value: value, reason: "not an ISO 3166 two-letter country code (such as ES, GB, FR)")
        }
        return code
    }

    /// An ISO 3166-2 subdivision code of `country`, upper-cased ("ES-MD", "GB-SCT").
    package static func region(_ value: String, country: String) throws(CoreError) -> String {
        let code = value.trimmingSpaces().uppercased()
        guard code.wholeMatch(of: /[A-Z]{2}-[A-Z0-9]{1,3}/) != nil, code.hasPrefix(country + "-") else {
            throw .invalidValue(field: nil, value: value, reason: "expected a region code of \(country), such as \(country)-MD (ISO 3166-2)")
        }
        return code
    }

    /// A positive amount: payments, instalments and invoice totals are never zero or negative.
    package static func positiveAmount(_ value: String, currency: Currency, decimalComma: Bool = false) throws(CoreError) -> Money {
        let money = try Money(parsing: value, currency: currency, decimalComma: decimalComma)
        guard money.minorUnits > 0 else {
            throw .invalidValue(field: nil, value: value, reason: "the amount must be greater than zero")
        }
        return money
    }

    /// A yearly rate in percent, such as "12.5", from 0 to under 100.
    package static func percent(_ value: String) throws(CoreError) -> Decimal {
        guard let rate = Decimal(string: value.trimmingSpaces().description, locale: Locale(identifier: "en_US_POSIX")), rate >= 0, rate < 100,
            value.trimmingSpaces().allSatisfy({ $0.isNumber || $0 == "." })
        else {
            throw .invalidValue(field: nil, value: value, reason: "expected a yearly rate in percent, such as 12.5")
        }
        return rate
    }

    /// Parses a value of one of the ledger's enumerations, listing the allowed words otherwise.
    package static func choice<T: RawRepresentable & CaseIterable>(_ value: String, as type: T.Type) throws(CoreError) -> T
    where T.RawValue == String {
        let word = value.trimmingSpaces().lowercased()
        guard let parsed = T(rawValue: word) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidValue(field: nil, value: value, reason: "expected one of: \(allowed)")
        }
        return parsed
    }

    private static func isLetterByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isLetterOrDigitByte(_ byte: UInt8) -> Bool {
        isLetterByte(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Two or more dot-separated labels of letters, digits and inner dashes, each 1 to 63
    /// long, the last one letters only and 2 or more; at most 253 in all.
    private static func isDomainName(_ domain: Substring.UTF8View) -> Bool {
        let dash = UInt8(ascii: "-")
        guard domain.count <= 253 else { return false }
        var labels = 0
        var label = domain[domain.startIndex..<domain.startIndex]
        var rest = domain[...]
        while true {
            let end = rest.firstIndex(of: UInt8(ascii: ".")) ?? rest.endIndex
            label = rest[..<end]
            guard !label.isEmpty, label.count <= 63, label.first != dash, label.last != dash,
                label.allSatisfy({ isLetterOrDigitByte($0) || $0 == dash })
            else { return false }
            labels += 1
            guard end < rest.endIndex else { break }
            rest = rest[rest.index(after: end)...]
        }
        return labels >= 2 && label.count >= 2 && label.allSatisfy(isLetterByte)
    }

    /// RFC 5322 atext: what a dot-atom local part may hold.
    private static func isAtomByte(_ byte: UInt8) -> Bool {
        isLetterOrDigitByte(byte) || atomSymbols.contains(byte)
    }

    private static let atomSymbols = Set("!#$%&'*+/=?^_`{|}~-".utf8)

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
            || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\r": "a carriage return (CR)"
        case "\n": "a line feed (LF)"
        case "\0": "a NUL byte"
        case "\t": "a tab"
        default: "the control character U+\(String(scalar.value, radix: 16, uppercase: true))"
        }
    }
}
