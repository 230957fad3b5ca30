import CobradorCore
import Foundation
import Testing

@Suite struct ConfigurationLoaderTests {
    static let minimal = """
        ledger = "ledger.sqlite"

        [sender]
        legal_name = "Lucía Martín"
        email = "cobros@lucia.example"
        """

    func load(_ text: String) throws(CoreError) -> Configuration {
        try ConfigurationLoader.load(text: text, file: "cobrador.toml", baseDirectory: "/srv/cobrador")
    }

    /// The issues a broken configuration produces.
    func issues(_ text: String) -> [ConfigurationIssue] {
        do {
            _ = try load(text)
            return []
        } catch {
            guard case .configuration(let issues) = error else { return [] }
            return issues
        }
    }

    @Test func aMinimalFileGetsTheDefaults() throws {
        let configuration = try load(Self.minimal)
        #expect(configuration.ledgerPath == "/srv/cobrador/ledger.sqlite")
        #expect(configuration.templatesPath == "/srv/cobrador/templates")
        #expect(configuration.transport == .maildir(path: "/srv/cobrador/maildir"))
        #expect(configuration.cadence.map(\.name) == ["before-due", "due", "reminder-1", "reminder-2", "formal-notice", "final-notice"])
        #expect(configuration.cadence.map(\.offsetDays) == [-3, 0, 7, 15, 30, 45])
        #expect(configuration.policy.minimumGapDays == 1)
        #expect(configuration.policy.window[.saturday] == nil && configuration.policy.window[.monday]?.map(\.description) == ["09:00-18:00"])
    }

    /// A working day split by a long lunch, common in Spain: "09:00-14:00,16:00-19:00" was
    /// refused (trial finding); after the morning, the afternoon's start is the next opening.
    @Test func aDayMayHaveAMorningAndAnAfternoon() throws {
        let configuration = try load(Self.minimal + "\n\n[policy]\ntime_zone = \"Europe/Madrid\"\n\n[policy.window]\nmonday = \"09:00-14:00, 16:00-19:00\"\n")
        #expect(configuration.policy.window[.monday]?.map(\.description) == ["09:00-14:00", "16:00-19:00"])
        let window = SendWindow(policy: configuration.policy, timeZone: TimeZone(identifier: "Europe/Madrid")!, country: "ES")
        let monday = CalendarDate(iso: "2026-12-07")!
        let at = { (clock: String) in try Date("2026-12-07T\(clock):00+01:00", strategy: .iso8601) }
        #expect(window.opening(on: monday, notBefore: try at("08:00")) == (try at("09:00")))
        #expect(window.opening(on: monday, notBefore: try at("13:59")) == (try at("13:59")))
        #expect(window.opening(on: monday, notBefore: try at("14:30")) == (try at("16:00")))
        #expect(window.opening(on: monday, notBefore: try at("19:00")) == nil)
        let overlapping = issues(Self.minimal + "\n\n[policy.window]\nmonday = \"09:00-14:00, 13:00-19:00\"\n")
        // A broken range is quoted whole, not the piece after the comma.
        let cut = issues(Self.minimal + "\n\n[policy.window]\nmonday = \"09:00-14:00, 16:00\"\n")
        #expect(cut.map(\.message) == [
            "\"09:00-14:00, 16:00\" is not valid: expected hours such as \"09:00-18:00\", or ranges apart and in order such as \"09:00-14:00, 16:00-19:00\", each start before its end",
        ])
        #expect(overlapping.map(\.description) == [
            "cobrador.toml:8: policy.window.monday: \"09:00-14:00, 13:00-19:00\" is not valid: 13:00-19:00 starts before 09:00-14:00 ends: give a day's ranges in order, apart, such as \"09:00-14:00, 16:00-19:00\"",
        ])
    }

    /// "viernes" is no near miss of any day: the error lists the days.
    @Test func anUnknownDaySaysWhichKeysTheWindowTakes() {
        let found = issues(Self.minimal + "\n\n[policy.window]\nviernes = \"09:00-14:00\"\nmonday = \"09:00-14:00\"\n")
        #expect(found.map(\.description) == [
            "cobrador.toml:8: policy.window.viernes: unknown key; the keys here are monday, tuesday, wednesday, thursday, friday, saturday, sunday",
        ])
    }

    @Test func aTypoInAKeyIsAnErrorWithItsLineAndASuggestion() {
        let found = issues(Self.minimal + "\nemial = \"x@y.example\"\n".replacingOccurrences(of: "\nemial", with: "\nreply_too"))
        #expect(found.map(\.description) == ["cobrador.toml:6: sender.reply_too: unknown key; did you mean \"reply_to\"?"])
    }

    @Test func aWrongTypeNamesLineKeyAndWhatWasExpected() {
        let found = issues(Self.minimal + "\n\n[policy]\nminimum_gap_days = \"2\"\n")
        #expect(found.map(\.description) == ["cobrador.toml:8: policy.minimum_gap_days: expected a whole number, found a string"])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = issues("""
            ledger = 5

            [sender]
            legal_name = "Ana\\nBcc: x@y.z"
            email = "not-an-address"

            [policy.window]
            monday = "18:00-09:00"
            caturday = "09:00-12:00"
            """)
        #expect(found.map(\.line) == [1, 4, 5, 8, 9])
        #expect(found.map(\.key) == ["ledger", "sender.legal_name", "sender.email", "policy.window.monday", "policy.window.caturday"])
    }

    @Test func stagesMustRunInOrderAndOnce() {
        let found = issues(Self.minimal + """

            [[cadence.stage]]
            name = "due"
            offset_days = 0

            [[cadence.stage]]
            name = "reminder"
            offset_days = 0

            [[cadence.stage]]
            name = "due"
            offset_days = 30
            """)
        #expect(found.count == 2)
        #expect(found[0].key == "cadence.stage[1].offset_days" && found[0].line == 12)
        #expect(found[1].key == "cadence.stage[2].name" && found[1].line == 15)
    }

    @Test func aPasswordInTheFileIsRefused() {
        let found = issues(Self.minimal + """


            [transport]
            kind = "smtp"

            [transport.smtp]
            host = "smtp.example.com"
            username = "ana"
            password = "hunter2"
            """)
        #expect(found.count == 2)
        #expect(found.contains { $0.key == "transport.smtp.password" && $0.message.contains("password_file") && $0.line == 13 })
        #expect(!found.map(\.description).joined().contains("hunter2"))
        #expect(found.contains { $0.key == "transport.smtp.username" && $0.message.contains("needs a secret") })
    }

    @Test func aDigestTimeThatIsNotATimeOfDaySaysWhatIsExpected() {
        let found = issues(Self.minimal + "\n[daemon]\ndigest_time = \"8am\"\n")
        #expect(found.map(\.description) == [#"cobrador.toml:7: daemon.digest_time: "8am" is not valid: expected a time of day such as "08:00", or "never""#], "\(found)")
    }

    /// The IBAN is printed in every message: a mistyped digit would send clients' transfers
    /// back, or to someone else. Refused at its line, with why.
    @Test func anIBANWhoseCheckDigitsDoNotMatchIsRefused() throws {
        let sender = Self.minimal.replacingOccurrences(of: "[sender]\n", with: "[sender]\niban = \"IBAN\"\n")
        #expect(try load(sender.replacingOccurrences(of: "IBAN", with: "ES91 2100 0418 4502 0005 1332")).sender.iban == "ES91 2100 0418 4502 0005 1332")
        #expect(try load(sender.replacingOccurrences(of: "IBAN", with: "gb82west12345698765432")).sender.iban == "gb82west12345698765432")
        // Copied from a bank's page, with non-breaking spaces.
        #expect(try load(sender.replacingOccurrences(of: "IBAN", with: "ES91\u{00A0}2100\u{00A0}0418\u{00A0}4502\u{00A0}0005\u{00A0}1332")).sender.iban != nil)
        // The example `init` writes loads; `check` refuses it before any relay.
        #expect(try load(sender.replacingOccurrences(of: "IBAN", with: FieldRules.exampleIBAN)).sender.iban == FieldRules.exampleIBAN)
        let mistyped = issues(sender.replacingOccurrences(of: "IBAN", with: "ES91 2100 0418 4502 0005 1333"))
        #expect(mistyped.map(\.description) == [#"cobrador.toml:4: sender.iban: "ES91 2100 0418 4502 0005 1333" is not valid: its check digits do not match the rest: a digit is mistyped or two are swapped"#], "\(mistyped)")
        for text in ["ES00 1234", "hello", "1234 5678 9012 3456"] {
            #expect(issues(sender.replacingOccurrences(of: "IBAN", with: text)).first?.message.contains("an IBAN is two letters of country") == true, "\(text)")
        }
    }

    /// Which late-payment law applies is the contract's: the owner may choose one for every
    /// business client; a consumer keeps the rule of their country.
    @Test func theOwnerMayChooseTheLawOfEveryBusinessClientsDebts() throws {
        let chosen = try load(Self.minimal + "\n[interest]\nbusiness_regime = \"es-business\"\n").interest.businessRegime
        #expect(chosen == .spainBusiness)
        #expect(try load(Self.minimal + "\n[interest]\nbusiness_regime = \"by-country\"\n").interest.businessRegime == nil)
        let german = Client(code: "DE1", name: "Verlag GmbH", emails: ["a@verlag.example"], language: .en, country: "DE", debtorKind: .company)
        #expect(InterestRegime(for: german, business: chosen) == .spainBusiness)
        #expect(InterestRegime(for: german, business: nil) == .euBusiness)
        var consumer = german
        consumer.debtorKind = .consumer
        #expect(InterestRegime(for: consumer, business: chosen) == InterestRegime.none)
        let wrong = issues(Self.minimal + "\n[interest]\nbusiness_regime = \"es-consumer\"\n")
        #expect(wrong.map(\.key) == ["interest.business_regime"] && wrong.first?.message.contains("by-country, es-business") == true, "\(wrong)")
    }

    /// A stage name with a typo would show interest in no reminder, and say nothing.
    @Test func interestShownFromAStageNoCadenceHasIsRefused() throws {
        #expect(try load(Self.minimal + "\n[interest]\nshow_from = \"reminder-2\"\n").interest.showFrom == "reminder-2")
        let found = issues(Self.minimal + "\n[interest]\nshow_from = \"reminder-3\"\n")
        #expect(found.map(\.key) == ["interest.show_from"] && found.first?.message.contains("no stage of the cadence is named so") == true, "\(found)")
    }

    @Test func plainTextSMTPOnlyTowardsLoopbackWithoutCredentials() throws {
        let remote = issues(Self.minimal + "\n[transport]\nkind = \"smtp\"\n[transport.smtp]\nhost = \"mail.example.com\"\ntls = \"none\"\n")
        #expect(remote.map(\.key) == ["transport.smtp.tls"])
        let local = try load(Self.minimal + "\n[transport]\nkind = \"smtp\"\n[transport.smtp]\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\n")
        guard case .smtp(let smtp) = local.transport else {
            Issue.record("expected an SMTP transport")
            return
        }
        #expect(smtp.port == 2525 && smtp.tls == .none)
    }

    @Test func policyTablesAreValidated() throws {
        let good = try load(Self.minimal + """

            [policy]
            time_zone = "Europe/Madrid"
            [policy.holidays]
            ES = [2026-12-25, "2027-01-01"]
            ES-MD = [2026-11-09]
            [policy.tolerance]
            EUR = "1.50"
            """)
        #expect(good.policy.holidays["ES"]?.count == 2)
        #expect(good.policy.holidays["ES-MD"] == [CalendarDate(iso: "2026-11-09")!])
        #expect(good.policy.tolerance[Currency(code: "EUR")!]?.minorUnits == 150)

        let bad = issues(Self.minimal + """

            [policy]
            time_zone = "Madrid"
            [policy.holidays]
            ES = ["2026-02-30"]
            spain = [2026-12-25]
            [policy.tolerance]
            EUT = "1.00"
            """)
        #expect(bad.map(\.key) == ["policy.time_zone", "policy.holidays.ES", "policy.holidays.spain", "policy.tolerance.EUT"])
        #expect(bad.map(\.line) == [7, 9, 10, 12])
    }

    @Test func profilesReplaceTheCadenceForTheirClients() throws {
        let text = Self.minimal + """

            [[profile]]
            name = "gentle"
            clients = ["ACME", "OLIVO"]
            [[profile.stage]]
            name = "due"
            offset_days = 0
            [[profile.stage]]
            name = "nudge"
            offset_days = 20
            template = "reminder-1"

            [[profile]]
            name = "strict"
            clients = ["ACME"]
            [[profile.stage]]
            name = "due"
            offset_days = 0
            [[profile.stage]]
            name = "due"
            offset_days = 1
            """
        let found = issues(text)
        #expect(found.map(\.key) == ["profile[1].clients", "profile[1].stage[1].name"])
        #expect(found.map(\.line) == [19, 24])
    }

    @Test func aSyntaxErrorGivesItsLine() {
        let found = issues(Self.minimal + "\n[policy\n")
        #expect(found.count == 1 && found[0].line == 6 && found[0].message.hasPrefix("TOML syntax error"))
    }

    /// `thank_you = yes` got "could not determine value type": the line, the key and what to write.
    @Test(arguments: [("thank_you = yes", "yes is not a value TOML knows: write true or false (lower case)"),
                      ("time_zone = Europe/Madrid", "Europe/Madrid is not a value TOML knows: write text in quotes (\"Europe/Madrid\"), or a number, true or false"),
                      // A quote left out at either end (trial finding: TOML spoke of "unescaped control characters").
                      ("time_zone = Europe/Madrid\"", "Europe/Madrid\" is not a value TOML knows: write text in quotes (\"Europe/Madrid\"), or a number, true or false"),
                      ("time_zone = \"Europe/Madrid", "the text starting \"Europe/Madrid has no closing \" on this line: end it with \""),
                      ("time_zone = \"C:\\\"", "the text \"C:\\\" ends in \\, which escapes the closing quote: write \\\\ for a backslash, or use single quotes")])
    func anUnquotedWordSaysWhatToWrite(line: String, message: String) {
        let found = issues(Self.minimal + "\n[policy]\n" + line + "\n")
        #expect(found.map(\.line) == [7])
        #expect(found.map(\.key) == ["policy." + line.prefix { $0 != " " }])
        #expect(found.map(\.message) == [message], "\(found)")
    }
}
