import CobradorCore
import Testing

@Suite struct FieldRulesTests {
    @Test(arguments: ["Acme\r\nBcc: victim@example.com", "Acme\nS.L.", "Acme\0", "Acme\u{7}", "Acme\u{2028}x"])
    func namesWithLineBreaksOrControlsAreRefused(name: String) {
        #expect(throws: CoreError.self) { try FieldRules.singleLine(name) }
    }

    @Test func errorsNameTheFieldAndShowTheCulprit() {
        let error = #expect(throws: CoreError.self) { try FieldRules.singleLine("Acme\r\nBcc: x@y.z") }
        let named = error?.named("--name").description ?? ""
        #expect(named.hasPrefix("--name: \"Acme\\r\\nBcc: x@y.z\""))
        #expect(named.contains("carriage return"))
    }

    @Test(arguments: ["ana@example.com", "a.b+c@sub.example.co.uk", "o'neil@example.ie", "x_y-z@ex-ample.es"])
    func acceptsOrdinaryAddresses(address: String) throws {
        #expect(try FieldRules.emailAddress(address) == address)
    }

    @Test(arguments: [
        "not-an-email", "a@b", "a@@example.com", "a@example.com\r\nRCPT TO:<x@y.z>", "<a@example.com>", "Ana <a@example.com>",
        ".a@example.com", "a..b@example.com", "a@-example.com", "a@example.c0m", "ñ@example.com", "a b@example.com", "a@example.com,b@example.com",
        "a.@example.com", "@example.com", "a@example..com", "a@.example.com", "a@example.", "a@example-.com", "a@b@example.com",
    ])
    func refusesAnythingThatIsNotABareAddress(address: String) {
        #expect(throws: CoreError.self) { try FieldRules.emailAddress(address) }
    }

    @Test func countriesAndZonesAreChecked() throws {
        #expect(try FieldRules.country("es") == "ES")
        #expect(throws: CoreError.self) { try FieldRules.country("XX") }
        #expect(throws: CoreError.self) { try FieldRules.country("ESP") }
        // "UK" is what an owner writes for a British client: the message names the code meant.
        let uk = #expect(throws: CoreError.self) { try FieldRules.country("uk") }
        #expect(uk.map { "\($0)" }?.contains("the ISO 3166 code of that country is GB") == true, "\(String(describing: uk))")
        #expect(try FieldRules.timeZone("Europe/Madrid") == "Europe/Madrid")
        #expect(throws: CoreError.self) { try FieldRules.timeZone("Madrid") }
    }

    @Test func amountsForTheLedgerArePositive() {
        let euro = Currency(code: "EUR")!
        #expect(throws: CoreError.self) { try FieldRules.positiveAmount("0", currency: euro) }
        #expect(throws: CoreError.self) { try FieldRules.positiveAmount("-5", currency: euro) }
        #expect(try! FieldRules.positiveAmount("5", currency: euro).minorUnits == 500)
    }

    @Test func codesAreShortKeys() {
        #expect(try! FieldRules.code("acme-sl.2") == "acme-sl.2")
        #expect(throws: CoreError.self) { try FieldRules.code("Acme SL") }
        #expect(throws: CoreError.self) { try FieldRules.code("") }
    }
}
