/// The commented configuration `cobrador init` writes: every section, with the defaults
/// spelled out so the owner sees what can be changed.
enum ExampleConfiguration {
    struct Settings {
        var ledger: String
        var templates: String
        var maildir: String
        /// Where the optional archive of sent messages would go: the state folder, which the service may write.
        var archive: String
        var senderName: String
        var senderEmail: String
        var timeZone: String
        var currency: String
        var iban: String
        var paymentLink: String?
        var taxID: String?
        var address: String?
        /// The owner's language (the digest's), "es" or "en".
        var language: String
        /// Set for a system-wide set-up: the service's logs folder (the unit's LogsDirectory).
        var sentLog: String?
    }

    static func text(_ settings: Settings) -> String {
        """
        # cobrador configuration. Check it with: cobrador check --config THIS_FILE
        # Relative paths are relative to this file's folder.

        # The SQLite ledger (clients, invoices, payments, negotiations, contacts).
        ledger = "\(settings.ledger)"
        # The message templates, one folder per language (es, en).
        templates = "\(settings.templates)"
        # The sent log, one line per attempt (default: sent.log next to the ledger).
        \(settings.sentLog.map { "sent_log = \"\($0)\"" } ?? "# sent_log = \"/var/log/cobrador/sent.log\"")
        # A Maildir folder where a copy of every message the relay accepted is kept (any mail
        # program opens it); the exact bytes are in the ledger in any case. Next to the ledger: the
        # service may write only there.
        # archive_maildir = "\(settings.archive)"

        [sender]
        # Who the messages come from: your legal name as on your invoices.
        legal_name = \(quoted(settings.senderName))
        email = "\(settings.senderEmail)"
        # reply_to = "accounts@example.com"
        # Your tax id and postal address: a formal notice names them (Spain's checklist for a requerimiento).
        \(settings.taxID.map { "tax_id = \(quoted($0))" } ?? "# tax_id = \"12345678Z\"")
        \(settings.address.map { "address = \(quoted($0))" } ?? "# address = \"Calle Mayor 1, 28013 Madrid\"")
        iban = "\(settings.iban)"
        \(settings.paymentLink.map { "payment_link = \(quoted($0))" } ?? "# payment_link = \"https://pay.example.com/you\"")
        # payment_instructions = "Bank transfer to the IBAN above, quoting the invoice number."
        # signature = "Your name"
        # The language of your daily digest: "es" or "en".
        language = "\(settings.language)"

        [transport]
        # "maildir": messages are written to a Maildir folder any mail client can open (nothing is sent).
        # "smtp": messages go through the relay in [transport.smtp].
        kind = "maildir"
        maildir = "\(settings.maildir)"

        # [transport.smtp]
        # host = "smtp.example.com"
        # port = 587
        # tls = "starttls"            # "starttls" (port 587), "implicit" (port 465), or "none" (loopback only)
        # username = "you@example.com"
        # password_file = "/etc/cobrador/smtp-password"   # or: credential = "smtp-password" (systemd LoadCredential)
        # auth = "plain"              # "plain", "login" or "xoauth2"
        # max_per_hour = 100          # your provider's limits; what is over waits, it is never dropped
        # max_per_day = 500

        # The cadence: each stage goes out offset_days after the due date (negative: before it),
        # only after the previous stage went out. channel = "email" sends a message; "call",
        # "letter" or "burofax" makes a task for you instead.
        [[cadence.stage]]
        name = "before-due"
        offset_days = -3

        [[cadence.stage]]
        name = "due"
        offset_days = 0

        [[cadence.stage]]
        name = "reminder-1"
        offset_days = 7

        [[cadence.stage]]
        name = "reminder-2"
        offset_days = 15

        [[cadence.stage]]
        name = "formal-notice"
        offset_days = 30

        [[cadence.stage]]
        name = "final-notice"
        offset_days = 45

        [policy]
        # The time zone of clients that have none of their own.
        time_zone = "\(settings.timeZone)"
        # At most one message per client every this many days.
        minimum_gap_days = 1

        [policy.window]
        # When messages may go out, in the client's time zone. A day left out is closed.
        # A day with a long lunch takes two ranges: "09:00-14:00, 16:00-19:00".
        monday = "09:00-18:00"
        tuesday = "09:00-18:00"
        wednesday = "09:00-18:00"
        thursday = "09:00-18:00"
        friday = "09:00-18:00"

        [policy.holidays]
        # Days nothing goes out, per country (ES, GB) or region (ES-MD, for clients with that
        # region). National holidays of 2026 and 2027 below: add your region's, and next years'.
        ES = [2026-01-01, 2026-01-06, 2026-04-03, 2026-05-01, 2026-08-15, 2026-10-12, 2026-12-08, 2026-12-25,
              2027-01-01, 2027-01-06, 2027-03-26, 2027-10-12, 2027-11-01, 2027-12-06, 2027-12-08]
        GB = [2026-01-01, 2026-04-03, 2026-04-06, 2026-05-04, 2026-05-25, 2026-08-31, 2026-12-25, 2026-12-28,
              2027-01-01, 2027-03-26, 2027-03-29, 2027-05-03, 2027-05-31, 2027-08-30, 2027-12-27, 2027-12-28]
        # ES-MD = [2026-05-02, 2026-11-09]
        # 24 and 31 December are working days, so letters may go out then: add 2026-12-24 and
        # 2026-12-31 to a list above if you would rather they did not.

        [policy.tolerance]
        # Balances at or below this are not chased.
        \(Set([settings.currency, "EUR", "GBP"]).sorted().map { "\($0) = \"1.00\"" }.joined(separator: "\n"))

        # A different cadence for chosen clients (by client code):
        # [[profile]]
        # name = "gentle"
        # clients = ["ACME"]
        # [[profile.stage]]
        # name = "due"
        # offset_days = 0
        # [[profile.stage]]
        # name = "reminder-1"
        # offset_days = 14

        # The late-payment law of your business clients' debts: by default each client's own
        # country's (the UK's Act for a British company). If your contracts choose no law,
        # Rome I makes a service contract's law the provider's, yours: then name it here,
        # "es-business" (Spain), "eu-business" (another EU country) or "uk-business".
        # [interest]
        # business_regime = "es-business"

        [daemon]
        # Seconds between two passes when nothing wakes the daemon sooner.
        tick_seconds = 300
        # When your daily digest goes out (your time zone), or "never".
        digest_time = "08:00"
        # Days a message that met temporary failures (the relay down) is retried; then it
        # fails and your digest says so. An older one is never sent late.
        retry_days = 3

        [import]
        # CSV amounts written 1234,56 instead of 1234.56.
        decimal_comma = false
        # The currency of invoices whose row (or command) names none.
        default_currency = "\(settings.currency)"

        """
    }

    /// A TOML basic string holding `text` as it is.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
