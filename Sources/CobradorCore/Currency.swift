/// An ISO 4217 currency and the number of digits of its minor unit.
///
/// The table is the active ISO 4217 list; a code outside it is refused so that a typo
/// ("EUT") can never create a ledger entry nobody can add up.
package struct Currency: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The three-letter upper-case code, e.g. "EUR".
    package let code: String
    /// Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for KWD.
    package let minorDigits: Int

    /// Returns nil when `code` is not an active ISO 4217 code (case-sensitive: upper case).
    package init?(code: String) {
        guard code.utf8.count == 3, Self.activeCodes.contains(code) else { return nil }
        self.code = code
        self.minorDigits = Self.exceptionalDigits[code] ?? 2
    }

    /// A code read back from the ledger, which another program may have written: kept as is
    /// (with 2 minor digits if ISO 4217 does not know it) so the owner sees what is there.
    package init(storedCode code: String) {
        self.code = code
        self.minorDigits = Self.exceptionalDigits[code] ?? 2
    }

    package var description: String { code }

    /// 10 to the power of `minorDigits`: minor units in one major unit.
    package var minorUnitsPerMajor: Int64 {
        var result: Int64 = 1
        for _ in 0..<minorDigits { result *= 10 }
        return result
    }

    package static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.code < rhs.code }

    private static let exceptionalDigits: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
        "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
        "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
        "CLF": 4, "UYW": 4,
    ]

    private static let activeCodes: Set<String> = Set(
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL
        BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK
        DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR
        ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD
        LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK
        NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
        SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD
        USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    )
}
