import CobradorCore
import Testing

@Suite struct MoneyTests {
    let euro = Currency(code: "EUR")!

    @Test(arguments: [
        ("1234.56", 123_456), ("1234.5", 123_450), ("12", 1200), ("0.01", 1), ("-3.50", -350), (" 7.00 ", 700),
    ])
    func parsesPlainDecimals(text: String, minor: Int64) throws {
        #expect(try Money(parsing: text, currency: euro).minorUnits == minor)
    }

    @Test func decimalCommaIsASetting() throws {
        #expect(try Money(parsing: "1234,56", currency: euro, decimalComma: true).minorUnits == 123_456)
        #expect(throws: CoreError.self) { try Money(parsing: "1234,56", currency: euro) }
        // With a decimal comma a dot only groups thousands, as Spanish spreadsheets write them.
        #expect(try Money(parsing: "1.234,56", currency: euro, decimalComma: true).minorUnits == 123_456)
        #expect(try Money(parsing: "12.345.678", currency: euro, decimalComma: true).minorUnits == 1_234_567_800)
        for text in ["1.23,45", "1234.567,00", ".123,00", "1..234,00", "1.234.5,00"] {
            #expect(throws: CoreError.self, "\(text)") { try Money(parsing: text, currency: euro, decimalComma: true) }
        }
    }

    @Test(arguments: ["1,234.56", "12.345", "abc", "", "1.2.3", "€12", "12.", ".5", "1e3", "12 34"])
    func refusesAnythingElse(text: String) {
        #expect(throws: CoreError.self) { try Money(parsing: text, currency: euro) }
    }

    /// Fifteen digits fit any currency with up to three decimals; with four (CLF) they would
    /// pass Int64: the amount is refused with why, never a crash of the import or command.
    @Test func anAmountTooLargeForItsCurrencyIsRefused() throws {
        let unidadDeFomento = try #require(Currency(code: "CLF"))
        #expect(try Money(parsing: "922337203685477.5807", currency: unidadDeFomento).minorUnits == Int64.max)
        for text in ["999999999999999.9999", "922337203685478", "922337203685477.5808"] {
            #expect(throws: CoreError.invalidAmount(text, reason: "the amount is too large"), "\(text)") { try Money(parsing: text, currency: unidadDeFomento) }
        }
    }

    @Test func minorDigitsFollowTheCurrency() throws {
        let yen = Currency(code: "JPY")!
        let dinar = Currency(code: "KWD")!
        #expect(yen.minorDigits == 0 && dinar.minorDigits == 3)
        #expect(try Money(parsing: "1500", currency: yen).decimalString == "1500")
        #expect(throws: CoreError.self) { try Money(parsing: "1500.5", currency: yen) }
        #expect(try Money(parsing: "1.234", currency: dinar).minorUnits == 1234)
    }

    @Test func printsWhatItParses() throws {
        for text in ["0.00", "0.05", "1234.56", "-0.50", "99999999.99"] {
            #expect(try Money(parsing: text, currency: euro).decimalString == text)
        }
    }

    @Test func unknownCurrencyCodesAreRefused() {
        #expect(Currency(code: "EUT") == nil)
        #expect(Currency(code: "eur") == nil)
        #expect(throws: CoreError.self) { try FieldRules.currency("XYZ") }
        #expect(try! FieldRules.currency("gbp").code == "GBP")
    }
}
