import Foundation
import TOMLKit

/// Turns the text of `cobrador.toml` into a validated `Configuration`, or into the complete
/// list of what is wrong with it (file, line, key, and what to write instead).
///
/// Pure: the caller reads the file. Relative paths resolve against `baseDirectory`.
package enum ConfigurationLoader {
    /// What a line `key = word` most likely meant, when the value is an unquoted word (TOML's
    /// own error says only that it "could not determine value type").
    static func bareWordHint(_ line: String) -> (key: String, message: String)? {
        let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let first = parts[1].unicodeScalars.first, CharacterSet.letters.contains(first),
            !["true", "false", "inf", "nan"].contains(parts[1].split(separator: " ").first.map(String.init) ?? "")
        else { return nil }
        let word = String(parts[1].prefix { !$0.isWhitespace && $0 != "#" })
        let yesOrNo = ["yes", "no", "on", "off", "y", "n"].contains(word.lowercased()) || ["true", "false"].contains(word.lowercased())
        // A closing quote without its opening one: the text inside.
        let text = word.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        return (
            parts[0],
            yesOrNo
                ? "\(word) is not a value TOML knows: write true or false (lower case)"
                : "\(word) is not a value TOML knows: write text in quotes (\"\(text)\"), or a number, true or false"
        )
    }

    /// What a line `key = "text` meant: a quote opened and not closed on the line. Asked only
    /// when TOML's own error is about "unescaped control characters" (the line end it ran into).
    static func unclosedQuoteHint(_ line: String) -> (key: String, message: String)? {
        let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let quote = parts[1].first, quote == "\"" || quote == "'" else { return nil }
        let text = parts[1].dropFirst()
        var escaped = false
        for character in text {
            if character == quote && !(escaped && quote == "\"") { return nil }
            escaped = character == "\\" && !escaped
        }
        // `"C:\"`: the last quote is escaped by the backslash before it.
        if quote == "\"", text.last == quote, text.dropLast().reversed().prefix(while: { $0 == "\\" }).count % 2 == 1 {
            return (parts[0], "the text \(parts[1].prefix(20)) ends in \\, which escapes the closing quote: write \\\\ for a backslash, or use single quotes")
        }
        return (parts[0], "the text starting \(parts[1].prefix(20)) has no closing \(quote) on this line: end it with \(quote)")
    }

    /// `templateExists(templatesPath, name)`, when given, is asked about every e-mail stage's
    /// template, so a missing one is reported at the stage's key and line.
    package static func load(
        text: String, file: String, baseDirectory: String, templateExists: ((String, String) -> Bool)? = nil
    ) throws(CoreError) -> Configuration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let line = error.source.begin.line
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // The table the line is in: the last [header] above it.
            let table = lines.prefix(max(0, line - 1)).last { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") }
                .map { String($0.prefix { $0 != "#" }).trimmingCharacters(in: CharacterSet(charactersIn: "[] \t")) }
            let unclosed = error.description.contains("control characters")
            let hint = lines.dropFirst(max(0, line - 1)).first.flatMap { bareWordHint($0) ?? (unclosed ? unclosedQuoteHint($0) : nil) }.map { hint in
                (key: table.map { $0 + "." + hint.key } ?? hint.key, message: hint.message)
            }
            throw .configuration([
                ConfigurationIssue(file: file, line: line, key: hint?.key ?? "", message: hint?.message ?? "TOML syntax error: \(error.description)")
            ])
        } catch {
            throw .configuration([ConfigurationIssue(file: file, line: nil, key: "", message: "TOML syntax error: \(error)")])
        }
        let log = TOMLTableReader.IssueLog(file: file, locator: TOMLLocator(source: text))
        let reader = TOMLTableReader(table: root, path: [], log: log)
        func path(_ value: String) -> String { resolve(value, against: baseDirectory) }

        let ledgerPath = reader.string("ledger", required: true).map(path)
        let templatesPath = reader.string("templates").map(path) ?? path("templates")
        let sentLogPath = reader.string("sent_log").map(path)
        let archivePath = reader.string("archive_maildir").map(path)
        let sender = reader.table("sender").flatMap(readSender) ?? {
            if root["sender"] == nil { reader.report("sender", "the [sender] table is required: who the messages come from") }
            return nil
        }()
        let transport = reader.table("transport").map { readTransport($0, resolve: path) } ?? .maildir(path: path("maildir"))
        let templateCheck = templateExists.map { exists in { (name: String) in exists(templatesPath, name) } }
        let cadence = reader.table("cadence").map { table -> [Configuration.Stage] in
            let stages = readStages(table, key: "stage", templateExists: templateCheck) ?? Configuration.Stage.defaults
            table.rejectUnknownKeys()
            return stages
        } ?? Configuration.Stage.defaults
        let policy = reader.table("policy").map(readPolicy) ?? ContactPolicy(
            timeZone: TimeZone.current.identifier, window: ContactPolicy.defaultWindow, holidays: [:], minimumGapDays: 1, tolerance: [:])
        let profiles = readProfiles(reader, templateExists: templateCheck)
        if let templateCheck, root["cadence"] == nil {
            for stage in Configuration.Stage.defaults where !templateCheck(stage.template) {
                reader.report(nil, "no template \"\(stage.template)\" for the default stage \"\(stage.name)\" under \(templatesPath)")
            }
        }
        let csvImport = reader.table("import").map(readImport) ?? Configuration.CSVImportSettings(decimalComma: false, defaultCurrency: nil)
        let stageNames = Set((cadence + profiles.flatMap(\.cadence)).map(\.name))
        let interest = reader.table("interest").map { readInterest($0, stageNames: stageNames) } ?? Configuration.InterestSettings()
        var digestMinute: Int? = 8 * 60
        var retryDays = 3
        let tick = reader.table("daemon").map { table -> Int in
            defer { table.rejectUnknownKeys() }
            if let text = table.string("digest_time", { text throws -> Int? in
                if text == "never" { return nil }
                // A time of day is the start of a clock range that ends at midnight.
                guard let range = try? ContactPolicy.ClockRange(parsing: text + "-24:00"), !text.contains("-") else {
                    throw CoreError.invalidValue(field: nil, value: text, reason: "expected a time of day such as \"08:00\", or \"never\"")
                }
                return range.startMinute
            }) {
                digestMinute = text
            }
            retryDays = table.int("retry_days", in: 1...30) ?? retryDays
            return table.int("tick_seconds", in: 1...86_400) ?? 300
        } ?? 300
        reader.rejectUnknownKeys()

        guard log.issues.isEmpty, let ledgerPath, let sender, let transport, let policy else {
            throw .configuration(log.issues.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
        }
        var configuration = Configuration(
            file: file, ledgerPath: ledgerPath, templatesPath: templatesPath,
            sentLogPath: sentLogPath ?? URL(fileURLWithPath: ledgerPath).deletingLastPathComponent().appendingPathComponent("sent.log").path,
            sender: sender, transport: transport,
            cadence: cadence, policy: policy, profiles: profiles, csvImport: csvImport)
        configuration.interest = interest
        configuration.archiveMaildirPath = archivePath
        configuration.tickSeconds = tick
        configuration.digestMinute = digestMinute
        configuration.retryDays = retryDays
        return configuration
    }

    private static func readInterest(_ table: TOMLTableReader, stageNames: Set<String>) -> Configuration.InterestSettings {
        defer { table.rejectUnknownKeys() }
        var settings = Configuration.InterestSettings()
        if let divisor = table.int("divisor") {
            if [360, 365, 366].contains(divisor) { settings.divisor = divisor } else { table.report("divisor", "expected 360, 365 or 366") }
        }
        // The Directive's minimum is 8 points over the ECB rate; member states set whole points.
        if let points = table.int("eu_points", in: 8...30) { settings.euPoints = Decimal(points) }
        settings.rates = RateTable.read(table.tableArray("rate") ?? [])
        settings.businessRegime = table.string("business_regime") { text throws -> InterestRegime? in
            // For business clients: a consumer keeps the rule of their country.
            let allowed = ["by-country"] + InterestRegime.allCases.filter { $0 != .spainConsumer }.map(\.rawValue)
            guard allowed.contains(text) else {
                throw CoreError.invalidValue(field: nil, value: text, reason: "expected one of: \(allowed.joined(separator: ", "))")
            }
            return InterestRegime(rawValue: text)
        } ?? nil
        settings.showFrom = table.string("show_from") { text throws -> String in
            let name = try FieldRules.code(text)
            // A name no cadence has would show interest nowhere, silently.
            guard stageNames.contains(name) else {
                throw CoreError.invalidValue(field: nil, value: text, reason: "no stage of the cadence is named so (stages: \(stageNames.sorted().joined(separator: ", ")))")
            }
            return name
        }
        return settings
    }

    /// `value` if absolute, else `value` inside `directory`.
    package static func resolve(_ value: String, against directory: String) -> String {
        value.hasPrefix("/") ? value : URL(fileURLWithPath: directory).appendingPathComponent(value).standardizedFileURL.path
    }

    private static func readSender(_ table: TOMLTableReader) -> Configuration.Sender? {
        defer { table.rejectUnknownKeys() }
        let legalName = table.string("legal_name", required: true) { try FieldRules.singleLine($0) }
        let email = table.string("email", required: true) { try FieldRules.emailAddress($0) }
        let sender = Configuration.Sender(
            legalName: legalName ?? "",
            taxID: table.string("tax_id") { try FieldRules.singleLine($0) },
            address: table.string("address") { try FieldRules.singleLine($0) },
            email: email ?? "",
            replyTo: table.string("reply_to") { try FieldRules.emailAddress($0) },
            iban: table.string("iban") { try FieldRules.iban($0) },
            paymentLink: table.string("payment_link") { try FieldRules.singleLine($0) },
            paymentInstructions: table.string("payment_instructions") { try FieldRules.freeText($0) } ?? nil,
            signature: table.string("signature") { try FieldRules.freeText($0) } ?? nil)
        var result = sender
        result.language = table.string("language") { try FieldRules.choice($0, as: Language.self) } ?? .es
        return legalName == nil || email == nil ? nil : result
    }

    private static func readTransport(_ table: TOMLTableReader, resolve: (String) -> String) -> Configuration.Transport? {
        defer { table.rejectUnknownKeys() }
        let kind = table.string("kind") { text throws -> String in
            guard ["maildir", "smtp"].contains(text) else {
                throw CoreError.invalidValue(field: nil, value: text, reason: "expected \"maildir\" or \"smtp\"")
            }
            return text
        } ?? "maildir"
        let maildir = resolve(table.string("maildir") ?? "maildir")
        let smtpTable = table.table("smtp")
        let smtp = smtpTable.flatMap(readSMTP)
        switch kind {
        case "smtp":
            guard smtpTable != nil else {
                table.report("kind", "kind = \"smtp\" needs a [transport.smtp] table with at least host")
                return nil
            }
            return smtp.map { .smtp($0) }
        default:
            return .maildir(path: maildir)
        }
    }

    private static func readSMTP(_ table: TOMLTableReader) -> Configuration.SMTPSettings? {
        defer { table.rejectUnknownKeys() }
        for secret in ["password", "pass", "token", "secret"] where table.keys.contains(secret) {
            table.accept(secret)
            table.report(
                secret,
                "secrets never go in this file: put the password in a file readable only by cobrador and name it with password_file, or use credential with systemd's LoadCredential")
        }
        let host = table.string("host", required: true) { try FieldRules.singleLine($0, maxLength: 253) }
        let tls = table.string("tls") { try FieldRules.choice($0, as: Configuration.SMTPSettings.TLSMode.self) } ?? .starttls
        let port = table.int("port", in: 1...65535) ?? (tls == .implicit ? 465 : 587)
        let username = table.string("username") { try FieldRules.singleLine($0) }
        let passwordFile = table.string("password_file") { try FieldRules.singleLine($0) }
        let credential = table.string("credential") { try FieldRules.code($0) }
        let auth = table.string("auth") { try FieldRules.choice($0, as: Configuration.SMTPSettings.AuthMechanism.self) } ?? .plain
        let settings = Configuration.SMTPSettings(
            host: host ?? "", port: port, tls: tls, username: username, passwordFile: passwordFile, credential: credential,
            auth: auth,
            heloName: table.string("helo_name") { try FieldRules.singleLine($0, maxLength: 253) },
            caFile: table.string("ca_file") { try FieldRules.singleLine($0) },
            connectTimeoutSeconds: table.int("connect_timeout_seconds", in: 1...600) ?? 30,
            responseTimeoutSeconds: table.int("response_timeout_seconds", in: 1...3600) ?? 120,
            maxPerMinute: table.int("max_per_minute", in: 1...1_000_000),
            maxPerHour: table.int("max_per_hour", in: 1...1_000_000),
            maxPerDay: table.int("max_per_day", in: 1...10_000_000))
        if username != nil, passwordFile == nil, credential == nil {
            table.report("username", "a username needs a secret: set password_file or credential")
        }
        if username == nil, passwordFile != nil || credential != nil {
            table.report("username", "password_file or credential is set but username is missing")
        }
        if passwordFile != nil, credential != nil {
            table.report("credential", "set either password_file or credential, not both")
        }
        if tls == .none {
            let loopback = ["127.0.0.1", "::1", "localhost"].contains(host ?? "") || (host ?? "").hasPrefix("127.")
            if !loopback || username != nil {
                table.report(
                    "tls",
                    "tls = \"none\" is allowed only towards a relay on this machine (127.0.0.1, ::1 or localhost) and without credentials: anything else could expose mail or passwords on the network")
            }
        }
        return host == nil ? nil : settings
    }

    private static func readStages(_ table: TOMLTableReader, key: String, templateExists: ((String) -> Bool)?) -> [Configuration.Stage]? {
        guard let entries = table.tableArray(key) else { return nil }
        var stages: [Configuration.Stage] = []
        for entry in entries {
            defer { entry.rejectUnknownKeys() }
            let name = entry.string("name", required: true) { try FieldRules.code($0) }
            let offset = entry.int("offset_days", required: true, in: -365...3650)
            let template = entry.string("template") { try FieldRules.code($0) }
            let channel = entry.string("channel") { try FieldRules.choice($0, as: Configuration.Stage.Channel.self) } ?? .email
            let every = entry.int("repeat_every_days", in: 1...365)
            let times = entry.int("repeat_times", in: 1...100)
            let certify = entry.string("certify") { try FieldRules.emailAddress($0) }
            let bccOwner = entry.bool("bcc_owner") ?? false
            if times != nil, every == nil {
                entry.report("repeat_times", "repeat_times needs repeat_every_days")
            }
            if let name, PlannedEvent.eventTemplates.contains(name) {
                entry.report("name", "\"\(name)\" is the name of a negotiation or thank-you message; give the stage another name")
            }
            if let name, stages.contains(where: { $0.name == name }) {
                entry.report("name", "the stage \"\(name)\" appears twice")
            }
            if let offset, let previous = stages.last, offset <= previous.offsetDays {
                entry.report("offset_days", "stages run in order: \(offset) must be greater than \(previous.offsetDays), the offset of \"\(previous.name)\"")
            }
            if let name, channel == .email, let templateExists, !templateExists(template ?? name) {
                entry.report(
                    template == nil ? "name" : "template",
                    "no template \"\(template ?? name)\" (\(template ?? name).subject.mustache and \(template ?? name).text.mustache in es/ and en/ of the templates folder)")
            }
            guard let name, let offset else { continue }
            var stage = Configuration.Stage(
                name: name, offsetDays: offset, template: template, channel: channel, repeatEveryDays: every,
                repeatTimes: every == nil ? nil : (times ?? 1))
            stage.certify = certify
            stage.bccOwner = bccOwner
            stages.append(stage)
        }
        if entries.isEmpty { table.report(key, "the cadence needs at least one stage") }
        return stages
    }

    private static func readPolicy(_ table: TOMLTableReader) -> ContactPolicy? {
        defer { table.rejectUnknownKeys() }
        let timeZone = table.string("time_zone") { try FieldRules.timeZone($0) } ?? TimeZone.current.identifier
        let gap = table.int("minimum_gap_days", in: 1...60) ?? 1
        var window = ContactPolicy.defaultWindow
        if let windowTable = table.table("window") {
            window = [:]
            var invalidDays = 0
            for day in ContactPolicy.Weekday.allCases {
                // nil: absent or invalid (reported); .some(nil): written as closed.
                let hours = windowTable.string(day.rawValue) { text throws -> [ContactPolicy.ClockRange]? in
                    let trimmed = text.trimmingSpaces()
                    return trimmed.isEmpty || trimmed == "closed" ? nil : try ContactPolicy.ClockRange.day(parsing: text)
                }
                if let hours, let hours { window[day] = hours }
                if hours == nil, windowTable.keys.contains(day.rawValue) { invalidDays += 1 }
            }
            windowTable.rejectUnknownKeys()
            if window.isEmpty, invalidDays == 0 {
                table.report("window", "the send window is closed on every day: nothing would ever go out")
            }
        }
        var holidays: [String: Set<CalendarDate>] = [:]
        if let holidayTable = table.table("holidays") {
            for region in holidayTable.keys.sorted() {
                guard region.wholeMatch(of: /[A-Z]{2}(-[A-Z0-9]{1,3})?/) != nil else {
                    holidayTable.accept(region)
                    holidayTable.report(region, "holidays are listed per country or region code, such as ES, GB or ES-MD")
                    continue
                }
                if let days = holidayTable.dateArray(region) { holidays[region] = days }
            }
        }
        var tolerance: [Currency: Money] = [:]
        if let toleranceTable = table.table("tolerance") {
            for code in toleranceTable.keys.sorted() {
                toleranceTable.accept(code)
                guard let currency = Currency(code: code) else {
                    toleranceTable.report(code, "not an ISO 4217 currency code (such as EUR, GBP, USD)")
                    continue
                }
                let amount = toleranceTable.string(code) { text throws -> Money in
                    let money = try Money(parsing: text, currency: currency)
                    guard money.minorUnits >= 0 else {
                        throw CoreError.invalidValue(field: nil, value: text, reason: "a tolerance cannot be negative")
                    }
                    return money
                }
                if let amount { tolerance[currency] = amount }
            }
        }
        var policy = ContactPolicy(timeZone: timeZone, window: window, holidays: holidays, minimumGapDays: gap, tolerance: tolerance)
        policy.graceDays = table.int("grace_days", in: 0...60) ?? policy.graceDays
        policy.instalmentReminderDays = table.int("instalment_reminder_days", in: 0...30) ?? policy.instalmentReminderDays
        policy.promiseBrokenMessage = table.bool("promise_broken_message") ?? policy.promiseBrokenMessage
        policy.planBrokenMessage = table.bool("plan_broken_message") ?? policy.planBrokenMessage
        policy.thankYou = table.bool("thank_you") ?? policy.thankYou
        policy.handOverDays = table.int("hand_over_days", in: 0...365) ?? policy.handOverDays
        return policy
    }

    private static func readProfiles(_ root: TOMLTableReader, templateExists: ((String) -> Bool)?) -> [Configuration.Profile] {
        guard let entries = root.tableArray("profile") else { return [] }
        var profiles: [Configuration.Profile] = []
        for entry in entries {
            defer { entry.rejectUnknownKeys() }
            let name = entry.string("name", required: true) { try FieldRules.code($0) }
            let clients = entry.stringArray("clients", required: true) ?? []
            for client in clients {
                if let other = profiles.first(where: { $0.clients.contains(client) }) {
                    entry.report("clients", "the client \"\(client)\" is already in the profile \"\(other.name)\"")
                }
            }
            let stages = readStages(entry, key: "stage", templateExists: templateExists)
            if stages == nil { entry.report("stage", "a profile needs its own [[profile.stage]] entries") }
            if let name, profiles.contains(where: { $0.name == name }) {
                entry.report("name", "the profile \"\(name)\" appears twice")
            }
            if let name, let stages { profiles.append(Configuration.Profile(name: name, clients: clients, cadence: stages)) }
        }
        return profiles
    }

    private static func readImport(_ table: TOMLTableReader) -> Configuration.CSVImportSettings {
        defer { table.rejectUnknownKeys() }
        return Configuration.CSVImportSettings(
            decimalComma: table.bool("decimal_comma") ?? false,
            defaultCurrency: table.string("default_currency") { try FieldRules.currency($0) })
    }
}
