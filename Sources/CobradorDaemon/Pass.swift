import CobradorCore
import CobradorLedger
import CobradorMail
import Foundation

/// One pass of the daemon at a moment: resolve what a crash left in flight, send what is
/// reserved or due for a retry, ask the planner what goes out now, record its transitions,
/// and for each message reserve, send and record, one at a time. No transaction is open
/// while a message travels (the ledger's write transactions end before `send`).
package struct Pass: Sendable {
    package let configuration: Configuration
    package let ledger: Ledger
    package let transport: any MailTransport
    package let templates: TemplateSet
    package let sentLog: SentLog
    package let rates: RateTable
    /// Reads an invoice's PDF; nil when it cannot.
    package let readFile: @Sendable (String) -> [UInt8]?

    /// A temporary failure older than this is given up and the owner told.
    package static let retryLimit: TimeInterval = 3 * 86_400

    package struct Summary: Sendable {
        package var sent = 0
        package var deferred = 0
        package var failed = 0
        package var unknown = 0
        package var skipped = 0
        package var transitions = 0
        package var tasks = 0
        /// Set when the relay's quota (`max_per_minute`, `_hour`, `_day`) is reached: the pass
        /// stopped sending; what is left goes out from this moment on, nothing is dropped.
        package var quotaReachedUntil: Date?
        /// Set when the relay refused our configuration: the pass stopped sending.
        package var configurationError: String?
        /// Messages that could not be written or recorded (an unreadable PDF, a client without
        /// an address), each naming its client and stage; the rest of the pass went on.
        package var problems: [String] = []
    }

    package init(
        configuration: Configuration, ledger: Ledger, transport: any MailTransport, templates: TemplateSet, sentLog: SentLog, rates: RateTable,
        readFile: @escaping @Sendable (String) -> [UInt8]?
    ) {
        self.rates = rates
        self.configuration = configuration
        self.ledger = ledger
        self.transport = transport
        self.templates = templates
        self.sentLog = sentLog
        self.readFile = readFile
    }

    /// Runs the pass. `shouldStop` is asked between messages: a stop request lets the message
    /// in flight finish and leaves the rest for the next pass.
    package func run(at now: Date, shouldStop: () -> Bool = { false }) throws -> Summary {
        var summary = Summary()
        summary.unknown += try ledger.resolveInterrupted()
        var limiter = try quota(at: now)
        func quotaReached() -> Bool {
            let next = limiter.nextAllowed(after: now)
            if next > now { summary.quotaReachedUntil = next }
            return next > now
        }
        for attempt in try ledger.attemptsDue(at: now) {
            if shouldStop() || quotaReached() { return summary }
            // A retry waits for the client's send window like any first attempt.
            let window = try sendWindow(clientCode: attempt.clientCode)
            guard window.opening(on: window.day(of: now), notBefore: now) == now else { continue }
            if send(attempt, at: now, summary: &summary) { limiter.record(now) }
            if summary.configurationError != nil { return summary }
        }
        let planner = Planner(configuration: configuration)
        let events = planner.events(try ledger.plannerInput(at: now, through: now, configuration: configuration), from: now, through: now)
        for event in events {
            if shouldStop() { return summary }
            switch event.kind {
            case .message:
                if quotaReached() { return summary }
                let reserved: Ledger.StoredAttempt?
                do {
                    reserved = try reserve(event, at: now, summary: &summary)
                } catch {
                    // One message that cannot be written must not hold back every other client.
                    summary.problems.append("\(event.clientCode) \(event.stage ?? ""): \(error)")
                    continue
                }
                guard let attempt = reserved else { continue }
                if send(attempt, at: now, summary: &summary) { limiter.record(now) }
                if summary.configurationError != nil { return summary }
            case .task:
                let channel = event.channel?.rawValue ?? "contact"
                let day = try sendWindow(clientCode: event.clientCode).day(of: event.at)
                guard try ledger.recordTask(
                    event, channel: event.channel == .call ? .phone : .letter, dispatchKey: Self.dispatchKey(event, day: day), summary: "task for you: \(channel)")
                else { continue }
                summary.tasks += 1
                log(now, event.clientCode, event.invoiceNumbers, event.stage ?? "", "-", "task", "-", "for you: \(channel)")
            default:
                try ledger.record(event)
                summary.transitions += 1
                log(now, event.clientCode, event.invoiceNumbers, event.kind.rawValue, "-", "recorded", "-", event.reasons.first ?? "")
            }
        }
        return summary
    }

    private func reserve(_ event: PlannedEvent, at now: Date, summary: inout Summary) throws -> Ledger.StoredAttempt? {
        var client = try ledger.client(code: event.clientCode)
        let zone = TimeZone(identifier: client.timeZone ?? configuration.policy.timeZone) ?? .current
        let day = CalendarDate(event.at, in: zone)
        client.emails = client.emails.filter { !$0.isEmpty }
        var facts = MessageFacts(
            sender: configuration.sender, client: client,
            invoices: try event.invoiceNumbers.map { number in
                let summary = try ledger.invoice(number: number)
                return .init(invoice: summary.invoice, paid: summary.paid, outstanding: summary.balance)
            },
            stage: event.stage ?? "", day: day, deadline: day.adding(days: configuration.policy.handOverDays),
            negotiation: try event.negotiationID.map { try ledger.negotiation(id: $0).negotiation })
        facts.claims = try Claims(ledger: ledger, configuration: configuration, rates: rates)
            .forMessage(stage: event.stage ?? "", invoiceNumbers: event.invoiceNumbers, on: day)
        let finalFacts = facts
        let builder = MessageBuilder(configuration: configuration, templates: templates)
        let template = event.template ?? event.stage ?? ""
        let tolerances = configuration.policy.tolerance
        let sender = configuration.sender.email
        let readFile = self.readFile
        let stage = Planner(configuration: configuration).cadence(for: client).first { $0.name == event.stage }
        let result = try ledger.reserve(
            event, dispatchKey: Self.dispatchKey(event, day: day), day: day, tolerance: { tolerances[$0]?.minorUnits ?? 0 },
            checksNegotiations: !PlannedEvent.eventTemplates.contains(event.stage ?? ""),
            messageID: { MessageID.make(attempt: $0, reservedAt: now, senderAddress: sender) },
            compose: { messageID, references in
                let message = try builder.message(
                    finalFacts, template: template, messageID: messageID, references: references, date: now, stage: stage, readFile: readFile)
                return (try MIMEComposer.compose(message), message.subject, (message.to + message.cc).map(\.address) + message.bcc)
            })
        switch result {
        case .failure(let refusal):
            summary.skipped += 1
            if refusal != .alreadyReserved && refusal != .failedBefore {
                log(now, event.clientCode, event.invoiceNumbers, event.stage ?? "", "-", "cancelled", "-", refusal.description)
            }
            return nil
        case .success(let reserved):
            return Ledger.StoredAttempt(
                attemptID: reserved.attemptID, clientCode: event.clientCode, stage: event.stage ?? "", invoiceNumbers: event.invoiceNumbers,
                recipients: reserved.recipients, messageID: reserved.messageID, bytes: reserved.bytes, attemptCount: 0, createdAt: now)
        }
    }

    /// Names one stage for one set of invoices on one day, so that it is reserved (or handed
    /// to the owner as a task) once however many passes see it: "stage|invoice ids|day".
    static func dispatchKey(_ event: PlannedEvent, day: CalendarDate) -> String {
        "\(event.stage ?? "")|\(event.invoiceIDs.sorted().map(String.init).joined(separator: ","))|\(day)"
    }

    /// The relay's quotas, counting what went to the transport in the last day.
    private func quota(at now: Date) throws -> RateLimiter {
        guard case .smtp(let settings) = configuration.transport else { return RateLimiter(perMinute: nil, perHour: nil, perDay: nil) }
        var limiter = RateLimiter(perMinute: settings.maxPerMinute, perHour: settings.maxPerHour, perDay: settings.maxPerDay)
        guard !limiter.limits.isEmpty else { return limiter }
        for moment in try ledger.handoverTimes(since: now.addingTimeInterval(-86_400)) where moment <= now { limiter.record(moment) }
        return limiter
    }

    private func sendWindow(clientCode: String) throws -> SendWindow {
        let client = try ledger.client(code: clientCode)
        return SendWindow(
            policy: configuration.policy, timeZone: TimeZone(identifier: client.timeZone ?? configuration.policy.timeZone) ?? .current,
            country: client.country, region: client.region)
    }

    /// Claims one stored attempt, sends it and records its outcome. Errors writing the outcome
    /// leave the attempt `sending`, which the next pass resolves as unknown: never sent twice.
    /// Returns whether the message was handed to the transport.
    @discardableResult
    private func send(_ attempt: Ledger.StoredAttempt, at now: Date, summary: inout Summary) -> Bool {
        let tolerances = configuration.policy.tolerance
        do {
            let day = try sendWindow(clientCode: attempt.clientCode).day(of: now)
            let refusal = try ledger.markSending(
                attempt.attemptID, at: now, day: day, tolerance: { tolerances[$0]?.minorUnits ?? 0 },
                checksNegotiations: { !PlannedEvent.eventTemplates.contains($0) })
            if let refusal {
                if refusal != .alreadyReserved {
                    summary.skipped += 1
                    log(now, attempt.clientCode, attempt.invoiceNumbers, attempt.stage, "-", "cancelled", "<\(attempt.messageID)>", refusal.description)
                }
                return false
            }
        } catch {
            summary.problems.append("\(attempt.clientCode) \(attempt.stage): \(error)")
            return false
        }
        let outcome = transport.send(attempt.bytes, from: configuration.sender.email, to: attempt.recipients)
        let status: ContactStatus
        var next: Date?
        var error: String?
        switch outcome.kind {
        case .accepted:
            status = .sent
            summary.sent += 1
        case .permanentFailure:
            status = .failed
            error = outcome.reply
            summary.failed += 1
        case .unknown:
            status = .unknown
            error = outcome.reply
            summary.unknown += 1
        case .temporaryFailure, .configurationError:
            error = outcome.reply
            if now.timeIntervalSince(attempt.createdAt) > Self.retryLimit {
                status = .failed
                error = "given up after 3 days of temporary failures: " + outcome.reply
                summary.failed += 1
            } else {
                status = .deferred
                next = now.addingTimeInterval(Self.backoff(attempt: attempt.attemptCount + 1))
                summary.deferred += 1
            }
            if outcome.kind == .configurationError { summary.configurationError = outcome.reply }
        }
        do {
            try ledger.recordOutcome(attempt.attemptID, status: status, reply: outcome.reply, error: error, at: now, nextAttempt: next)
        } catch {
            summary.problems.append("\(attempt.clientCode) \(attempt.stage): the outcome \(status.rawValue) was not recorded: \(error)")
        }
        log(now, attempt.clientCode, attempt.invoiceNumbers, attempt.stage, attempt.recipients.joined(separator: ","), status.rawValue, "<\(attempt.messageID)>", outcome.reply)
        return true
    }

    /// Minutes growing to hours: 5, 10, 20... capped at 6 hours, with up to 20% jitter so that
    /// many deferred messages do not all come back at once.
    static func backoff(attempt: Int) -> TimeInterval {
        let base = min(6 * 3600, 300 * pow(2, Double(max(0, attempt - 1))))
        return base * Double.random(in: 1.0...1.2)
    }

    private func log(_ moment: Date, _ client: String, _ invoices: [String], _ stage: String, _ recipient: String, _ status: String, _ messageID: String, _ reply: String) {
        let zone = TimeZone(identifier: configuration.policy.timeZone) ?? .current
        sentLog.append([Planner.localTime(moment, in: zone), client, invoices.joined(separator: ","), stage, recipient, status, messageID, reply].joined(separator: "  "))
    }
}
