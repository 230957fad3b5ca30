import Foundation

/// Everything the owner sets in `cobrador.toml`, validated. Paths are absolute (relative
/// ones in the file are resolved against the file's folder). Secrets are never here: only
/// where to read them.
package struct Configuration: Sendable, Hashable {
    /// The file this configuration came from.
    package var file: String
    package var ledgerPath: String
    package var templatesPath: String
    /// The sent log, one line per attempt, for the owner to read or `tail -f`.
    package var sentLogPath: String
    /// A Maildir folder where every message the relay accepted is also kept; nil: none.
    package var archiveMaildirPath: String?
    package var sender: Sender
    package var transport: Transport
    package var cadence: [Stage]
    package var policy: ContactPolicy
    package var profiles: [Profile]
    package var csvImport: CSVImportSettings
    package var interest: InterestSettings = InterestSettings()
    /// Seconds between two passes of the resident daemon when nothing wakes it sooner.
    package var tickSeconds: Int = 300
    /// When the owner's daily digest goes out (owner's time zone, minutes after midnight); nil: never.
    package var digestMinute: Int? = 8 * 60
    /// Days a message is retried after temporary failures, counted from when it was planned;
    /// then it fails and the owner is told. A retry older than this is never sent.
    package var retryDays: Int = 3

    /// How late-payment interest is computed: `[interest]`.
    package struct InterestSettings: Sendable, Hashable {
        /// Days in the year the rate is divided by.
        package var divisor = 365
        /// Points over the ECB rate for other EU countries.
        package var euPoints: Decimal = 8
        /// The owner's rates, laid over the shipped table.
        package var rates: [RatePeriod] = []
        /// Reminders from this stage on also show interest to date (the notices always do).
        package var showFrom: String?
        /// The late-payment law of every business client's debts when the owner's contracts
        /// choose one (under Rome I a service contract's default is the provider's own law);
        /// nil chooses by the client's country. A consumer keeps the rule of their country.
        package var businessRegime: InterestRegime?

        package init() {}
    }

    /// Who the messages come from and how to pay them.
    package struct Sender: Sendable, Hashable {
        package var legalName: String
        package var taxID: String?
        package var address: String?
        package var email: String
        package var replyTo: String?
        package var iban: String?
        package var paymentLink: String?
        package var paymentInstructions: String?
        package var signature: String?
        /// The language of the owner's digest.
        package var language: Language = .es

        package init(
            legalName: String, taxID: String?, address: String?, email: String, replyTo: String?, iban: String?, paymentLink: String?,
            paymentInstructions: String?, signature: String?
        ) {
            self.legalName = legalName
            self.taxID = taxID
            self.address = address
            self.email = email
            self.replyTo = replyTo
            self.iban = iban
            self.paymentLink = paymentLink
            self.paymentInstructions = paymentInstructions
            self.signature = signature
        }
    }

    /// Where composed messages go.
    package enum Transport: Sendable, Hashable {
        /// A Maildir folder any mail client can open (the default: nothing else to install).
        case maildir(path: String)
        case smtp(SMTPSettings)
    }

    package struct SMTPSettings: Sendable, Hashable {
        package enum TLSMode: String, CaseIterable, Sendable, Hashable {
            /// `smtp://` upgraded with STARTTLS, which is required.
            case starttls
            /// `smtps://`: TLS from the first byte.
            case implicit
            /// No TLS at all: only towards a loopback relay without credentials.
            case none
        }

        package enum AuthMechanism: String, CaseIterable, Sendable, Hashable {
            case plain
            case login
            case xoauth2
        }

        /// Host name or address of the relay.
        package var host: String
        package var port: Int
        package var tls: TLSMode
        package var username: String?
        /// A file holding the password (or bearer token), read at start.
        package var passwordFile: String?
        /// A credential name looked up in `$CREDENTIALS_DIRECTORY` (systemd LoadCredential).
        package var credential: String?
        package var auth: AuthMechanism
        /// The name sent in EHLO; nil lets libcurl choose.
        package var heloName: String?
        /// A PEM bundle to trust for a private relay, in addition to nothing else.
        package var caFile: String?
        package var connectTimeoutSeconds: Int
        package var responseTimeoutSeconds: Int
        /// Relay quotas; nil means unlimited.
        package var maxPerMinute: Int?
        package var maxPerHour: Int?
        package var maxPerDay: Int?

        package init(
            host: String, port: Int, tls: TLSMode, username: String? = nil, passwordFile: String? = nil, credential: String? = nil,
            auth: AuthMechanism = .plain, heloName: String? = nil, caFile: String? = nil, connectTimeoutSeconds: Int = 30,
            responseTimeoutSeconds: Int = 120, maxPerMinute: Int? = nil, maxPerHour: Int? = nil, maxPerDay: Int? = nil
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.username = username
            self.passwordFile = passwordFile
            self.credential = credential
            self.auth = auth
            self.heloName = heloName
            self.caFile = caFile
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.responseTimeoutSeconds = responseTimeoutSeconds
            self.maxPerMinute = maxPerMinute
            self.maxPerHour = maxPerHour
            self.maxPerDay = maxPerDay
        }
    }

    /// One rung of the cadence.
    package struct Stage: Sendable, Hashable {
        package enum Channel: String, CaseIterable, Sendable, Hashable {
            /// A message cobrador sends.
            case email
            /// A task for the owner, shown in the forecast and the digest instead of a message.
            case call
            case letter
            case burofax
        }

        package var name: String
        /// Days from the due date; negative means before it.
        package var offsetDays: Int
        /// The template name (a folder entry per language under the templates path).
        package var template: String
        package var channel: Channel
        /// Repeat the stage every N days after it first went out; nil means once.
        package var repeatEveryDays: Int?
        /// How many repeats at most (after the first message).
        package var repeatTimes: Int?
        /// A certification service's address, copied on this stage's messages (the providers
        /// certify what they receive in Cc; the debtor sees the copy).
        package var certify: String?
        /// Send the owner a blind copy (an envelope recipient only, never a header).
        package var bccOwner: Bool = false

        package init(
            name: String, offsetDays: Int, template: String? = nil, channel: Channel = .email,
            repeatEveryDays: Int? = nil, repeatTimes: Int? = nil
        ) {
            self.name = name
            self.offsetDays = offsetDays
            self.template = template ?? name
            self.channel = channel
            self.repeatEveryDays = repeatEveryDays
            self.repeatTimes = repeatTimes
        }

        /// The default ladder, from a friendly nudge three days before the due date to a
        /// final notice 45 days after it.
        package static let defaults: [Stage] = [
            Stage(name: "before-due", offsetDays: -3),
            Stage(name: "due", offsetDays: 0),
            Stage(name: "reminder-1", offsetDays: 7),
            Stage(name: "reminder-2", offsetDays: 15),
            Stage(name: "formal-notice", offsetDays: 30),
            Stage(name: "final-notice", offsetDays: 45),
        ]
    }

    /// A cadence for chosen clients (by client code), replacing the default one.
    package struct Profile: Sendable, Hashable {
        package var name: String
        package var clients: [String]
        package var cadence: [Stage]
    }

    package struct CSVImportSettings: Sendable, Hashable {
        /// Amounts are written "1234,56" instead of "1234.56".
        package var decimalComma: Bool
        /// The currency of rows without a currency column or value.
        package var defaultCurrency: Currency?

        package init(decimalComma: Bool, defaultCurrency: Currency?) {
            self.decimalComma = decimalComma
            self.defaultCurrency = defaultCurrency
        }
    }
}
