/// An amount in integer minor units of one currency: 123456 EUR means 1,234.56 euros.
///
/// Never a binary float. Parsing and printing are exact; arithmetic refuses to mix
/// currencies by construction (callers group by currency before adding).
package struct Money: Hashable, Sendable, CustomStringConvertible {
    package let minorUnits: Int64
    package let currency: Currency

    package init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses a plain decimal such as "1234.56", "1234,56" or "1.234,56" (with `decimalComma`),
    /// "12" or "-3.5". No other grouping separators, no currency sign, at most `currency.minorDigits`
    /// decimals: an amount that would need rounding is refused, never rounded.
    package init(parsing text: String, currency: Currency, decimalComma: Bool = false) throws(CoreError) {
        let separator: Character = decimalComma ? "," : "."
        var digits = Substring(text.trimmingSpaces())
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        var parts = digits.split(separator: separator, omittingEmptySubsequences: false)
        // With a decimal comma, a dot can only group thousands ("1.234,56", as Spanish
        // spreadsheets export amounts): taken when the groups are exactly three digits.
        if decimalComma, let whole = parts.first, whole.contains(".") {
            let groups = whole.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                throw .invalidAmount(text, reason: Self.formatHint(currency: currency, decimalComma: decimalComma))
            }
            parts[0] = Substring(groups.joined())
        }
        guard !digits.isEmpty, parts.count <= 2,
            let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit)
        else {
            throw .invalidAmount(text, reason: Self.formatHint(currency: currency, decimalComma: decimalComma))
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else {
            throw .invalidAmount(text, reason: Self.formatHint(currency: currency, decimalComma: decimalComma))
        }
        guard fraction.count <= currency.minorDigits else {
            throw .invalidAmount(
                text, reason: "\(currency.code) has \(currency.minorDigits) decimal places, this amount has \(fraction.count)")
        }
        let paddedFraction = fraction + String(repeating: "0", count: currency.minorDigits - fraction.count)
        guard whole.count <= 15, let major = Int64(whole), let minor = Int64(paddedFraction.isEmpty ? "0" : paddedFraction)
        else {
            throw .invalidAmount(text, reason: "the amount is too large")
        }
        // Fifteen digits of a currency with four decimals pass Int64: refused, never a crash.
        let (scaled, overflowed) = major.multipliedReportingOverflow(by: currency.minorUnitsPerMajor)
        let (value, overflowedAgain) = scaled.addingReportingOverflow(minor)
        guard !overflowed && !overflowedAgain else { throw .invalidAmount(text, reason: "the amount is too large") }
        self.init(minorUnits: negative ? -value : value, currency: currency)
    }

    /// "1234.56": the plain decimal form used in CSV, JSON and the ledger documentation.
    package var decimalString: String {
        let per = currency.minorUnitsPerMajor
        let magnitude = minorUnits.magnitude
        let sign = minorUnits < 0 ? "-" : ""
        guard currency.minorDigits > 0 else { return sign + String(magnitude) }
        let fraction = String(magnitude % UInt64(per))
        let padded = String(repeating: "0", count: currency.minorDigits - fraction.count) + fraction
        return "\(sign)\(magnitude / UInt64(per)).\(padded)"
    }

    /// "1234.56 EUR".
    package var description: String { "\(decimalString) \(currency.code)" }

    private static func formatHint(currency: Currency, decimalComma: Bool) -> String {
        let example = currency.minorDigits == 0 ? "1234" : "1234" + (decimalComma ? "," : ".") + String(repeating: "5", count: currency.minorDigits)
        guard !decimalComma else { return "expected a number such as \(example) or 1.\(example.dropFirst()), without currency sign" }
        return "expected a plain number such as \(example), without thousands separators or currency sign"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs (not other whitespace: a CR or LF is an error
    /// for the caller to report, not something to hide).
    package func trimmingSpaces() -> SubSequence {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
