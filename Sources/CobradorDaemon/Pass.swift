import CobradorCore
import CobradorLedger
import CobradorMail
import Foundation

/// One pass of the daemon at a moment: resolve what a crash left in flight, send what is
/// reserved or due for a retry, ask the planner what goes out now, record its transitions,
/// and send its messages in batches: reserve a batch in one transaction, send its messages one
/// at a time, noting each step in the `OutboxJournal`, and record the batch's outcomes in the
/// transaction that reserves the next batch (or in one of their own at the end of the pass).
/// No transaction is open while a message travels.
package struct Pass: Sendable {
    package let configuration: Configuration
    package let ledger: Ledger
    package let transport: any MailTransport
    package let templates: TemplateSet
    package let sentLog: SentLog
    package let rates: RateTable
    /// Reads an invoice's PDF; nil when it cannot.
    package let readFile: @Sendable (String) -> [UInt8]?
    /// The owner's time zone (`[policy] time_zone`): the sent log's times are in it.
    private let zone: TimeZone

    /// Whether `attempt` was planned longer ago than `[daemon] retry_days`: then it is not
    /// tried again, it fails and the owner is told.
    private func isPastRetryLimit(_ attempt: Ledger.StoredAttempt, at now: Date) -> Bool {
        now.timeIntervalSince(attempt.createdAt) > TimeInterval(configuration.retryDays) * 86_400
    }

    package struct Summary: Sendable {
        package var sent = 0
        package var deferred = 0
        package var failed = 0
        /// Of `failed`, those the relay refused for good (an address, the message, the sender's
        /// set-up): the owner must act. The rest were given up after temporary failures and
        /// are written again from the ledger.
        package var refused = 0
        package var unknown = 0
        package var skipped = 0
        /// Messages held because the relay refused the client's address (or this very message)
        /// for good: they wait for the owner to correct the addresses (`client edit --email`).
        package var held: [String] = []
        /// The relay's (or the network's) last answer to a message put off for a retry.
        package var lastDeferral: String?
        package var transitions = 0
        package var tasks = 0
        /// Set when the relay's quota (`max_per_minute`, `_hour`, `_day`) is reached: the pass
        /// stopped sending; what is left goes out from this moment on, nothing is dropped.
        package var quotaReachedUntil: Date?
        /// Set when the relay refused our configuration: the pass stopped sending.
        package var configurationError: String?
        /// The relay's last words when it could not be reached or stopped answering: the pass
        /// stopped sending, and what is left goes with the next pass (`waiting` of it written).
        package var relayUnavailable: String?
        /// Messages written and then kept for the next pass, as the pass stopped sending.
        package var waiting = 0
        /// The first moment after this pass at which the planner has something to do (within
        /// the look-ahead): when the resident daemon wakes next, if nothing wakes it sooner.
        package var nextPlannedAt: Date?
        /// Messages that could not be written or recorded (an unreadable PDF, a client without
        /// an address) or archived, each naming its client and stage; the rest of the pass went on.
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
        zone = TimeZone(identifier: configuration.policy.timeZone) ?? .current
    }

    /// Runs the pass. `shouldStop` is asked between messages: a stop request lets the message
    /// in flight finish and leaves the rest for the next pass, as does a relay that cannot be
    /// reached or stops answering (`Summary.relayUnavailable`). With `lookAhead` (seconds) the
    /// same planning also finds the next moment something is due (`Summary.nextPlannedAt`),
    /// so the daemon need not read the ledger twice. Run it under the `PassLock`.
    package func run(at now: Date, lookAhead: TimeInterval = 0, shouldStop: () -> Bool = { false }) throws -> Summary {
        let journal = try OutboxJournal(ledgerPath: ledger.path)
        var summary: Summary
        do {
            summary = try sentLog.keepingOpen { try passBody(at: now, lookAhead: lookAhead, journal: journal, shouldStop: shouldStop) }
        } catch {
            // The last batch's outcomes all the same, if the ledger takes them; else the next
            // pass's start records them from the journal, so what kept them out is not news.
            var unreported = Summary()
            recordOutcomes(journal, summary: &unreported)
            throw error
        }
        // The last batch's outcomes.
        recordOutcomes(journal, summary: &summary)
        if let problem = sentLog.takeProblem() { summary.problems.append(problem) }
        return summary
    }

    private func passBody(at now: Date, lookAhead: TimeInterval, journal: OutboxJournal, shouldStop: () -> Bool) throws -> Summary {
        var summary = Summary()
        summary.unknown += try ledger.resolveInterrupted(at: now, journal: journal).unknown
        // A retry whose invoice was paid (or paused...) since is closed now, not when its time comes.
        // (Each retry is re-checked again when its time comes: a row that cannot be read here
        // must not stop the pass.)
        let tolerances = configuration.policy.tolerance
        do {
            for closed in try ledger.closeRetriesNoLongerDue(
                at: now, timeZone: zone, tolerance: { tolerances[$0]?.minorUnits ?? 0 },
                checksNegotiations: PlannedEvent.waitsForNegotiations)
            {
                summary.skipped += 1
                log(now, closed.clientCode, closed.invoiceNumbers, closed.stage, "-", "cancelled", "<\(closed.messageID)>", "\(Ledger.closedUnsent)\(closed.refusal) since it was written")
            }
        } catch {
            summary.problems.append("the retries waiting for their time were not re-checked: \(error)")
        }
        // What went to the relay, for its quotas; `booked` adds the batch being gathered.
        var limiter = try quota(at: now)
        var booked = limiter
        /// When the quota lets the next message go, if not now.
        func blocked(_ limiter: RateLimiter) -> Date? {
            let next = limiter.nextAllowed(after: now)
            return next > now ? next : nil
        }
        for attempt in try ledger.attemptsDue(at: now) {
            if shouldStop() { return summary }
            // Days late, a reminder would arrive out of step with the cadence and its Date.
            if isPastRetryLimit(attempt, at: now) {
                giveUp(attempt, at: now, summary: &summary)
                continue
            }
            if let until = blocked(limiter) {
                // The rest of the pass still records transitions and tasks.
                summary.quotaReachedUntil = until
                break
            }
            // A retry waits for the client's send window like any first attempt.
            let window = try sendWindow(clientCode: attempt.clientCode)
            guard window.opening(on: window.day(of: now), notBefore: now) == now else { continue }
            // markSending re-checks right before the transport: no second re-check.
            if claim(attempt, at: now, summary: &summary),
                transmit(attempt, at: now, checkedAt: .distantFuture, journal: journal, summary: &summary, shouldStop: shouldStop)
            {
                limiter.record(now)
            }
            recordOutcomes(journal, summary: &summary)
            if summary.configurationError != nil { return summary }
            // The other retries wait for the next pass; transitions and tasks go on.
            if summary.relayUnavailable != nil { break }
        }
        booked = limiter
        let planner = Planner(configuration: configuration)
        let horizon = now.addingTimeInterval(lookAhead)
        let input = try ledger.plannerInput(at: now, through: horizon, configuration: configuration)
        let forecast = planner.events(input, from: now, through: horizon)
        // The clients as planned: their time zone names each message's day, their country its
        // deadline's holidays, their invoices the terms the reservation compares.
        let files = Dictionary(input.clients.compactMap { file in file.client.id.map { ($0, file) } }) { first, _ in first }
        let events = forecast.filter { $0.at <= now }
        summary.nextPlannedAt = forecast.lazy.map(\.at).filter { $0 > now }.min()
        var batch: [PlannedEvent] = []
        var batchSize = Self.firstBatchSize
        /// Sends the messages gathered so far; false when the pass must stop.
        func flush() throws -> Bool {
            defer { batch.removeAll() }
            guard !batch.isEmpty else { return true }
            let started = Date()
            let (goOn, handedOver) = try sendBatch(batch, at: now, files: files, journal: journal, summary: &summary, shouldStop: shouldStop)
            for _ in 0..<handedOver { limiter.record(now) }
            booked = limiter
            // A message is re-checked when its batch is reserved: keep that under a second or so
            // before it leaves, while a fast relay gets batches big enough to share one disk sync.
            let elapsed = Date().timeIntervalSince(started)
            batchSize = elapsed < 0.5 ? min(batchSize * 2, Self.largestBatchSize) : elapsed > 2 ? max(1, batchSize / 2) : batchSize
            return goOn
        }
        for event in events {
            // What is gathered but not reserved is simply planned again by the next pass.
            if shouldStop() { return summary }
            if event.kind == .message {
                // Over the quota, or the relay not answering, messages wait for a later pass;
                // transitions and tasks go on.
                if summary.quotaReachedUntil != nil || summary.relayUnavailable != nil { continue }
                if blocked(booked) != nil {
                    // Only what the relay got counts: a refused reservation leaves its place.
                    guard try flush() else { return summary }
                    if let until = blocked(limiter) {
                        summary.quotaReachedUntil = until
                        continue
                    }
                }
                booked.record(now)
                batch.append(event)
                if batch.count >= batchSize, try !flush() { return summary }
                continue
            }
            // Transitions and tasks keep their place after the messages planned before them.
            guard try flush() else { return summary }
            if event.kind == .task {
                let channel = event.channel?.rawValue ?? "contact"
                let day = try sendWindow(clientCode: event.clientCode).day(of: event.at)
                guard try ledger.recordTask(
                    event, channel: event.channel == .call ? .phone : .letter, dispatchKey: Self.dispatchKey(event, day: day), summary: "task for you: \(channel)")
                else { continue }
                summary.tasks += 1
                log(now, event.clientCode, event.invoiceNumbers, event.stage ?? "", "-", "task", "-", "for you: \(channel)")
            } else {
                try ledger.record(event)
                summary.transitions += 1
                log(now, event.clientCode, event.invoiceNumbers, event.kind.rawValue, "-", "recorded", "-", event.reasons.first ?? "")
            }
        }
        _ = try flush()
        return summary
    }

    /// Batches start small (a slow relay) and double while they go out fast.
    static let firstBatchSize = 8
    static let largestBatchSize = 256

    /// Reserves and claims a batch of planned messages in one durable transaction, which also
    /// records the outcomes the journal holds (the previous batch's), then sends them one by
    /// one, noting their outcomes in the journal (and recording them if the batch takes over a
    /// second, for whoever reads the ledger). Says whether the pass goes on (else what was
    /// claimed and not sent is given back for the next pass) and how many messages went to
    /// the relay.
    private func sendBatch(
        _ events: [PlannedEvent], at now: Date, files: [Int64: PlannerInput.ClientFile], journal: OutboxJournal, summary: inout Summary, shouldStop: () -> Bool
    ) throws -> (goOn: Bool, handedOver: Int) {
        var requests: [Ledger.ReservationRequest] = []
        for event in events {
            do {
                requests.append(try request(for: event, planned: files[event.clientID], at: now))
            } catch {
                // One message that cannot be written must not hold back every other client.
                summary.problems.append("\(event.clientCode) \(event.stage ?? ""): \(error)")
            }
        }
        let tolerances = configuration.policy.tolerance
        let sender = configuration.sender.email
        let checkedAt = Date()
        let reservations = try ledger.reserve(
            requests, recording: journal.unrecorded, at: now, tolerance: { tolerances[$0]?.minorUnits ?? 0 },
            messageID: { MessageID.make(attempt: $0, reservedAt: now, senderAddress: sender) })
        clear(journal, summary: &summary)
        var claimed: [Ledger.StoredAttempt] = []
        for (request, reservation) in zip(requests, reservations) {
            let event = request.event
            switch reservation {
            case .claimed(let attempt):
                claimed.append(attempt)
            case .unwritable(let problem):
                summary.problems.append("\(event.clientCode) \(event.stage ?? ""): \(problem)")
            case .refused(let refusal):
                switch refusal {
                case .alreadyReserved:
                    summary.skipped += 1
                case .failedBefore, .badAddress:
                    summary.held.append(event.clientCode)
                case .noLongerDue:
                    summary.skipped += 1
                    log(now, event.clientCode, event.invoiceNumbers, event.stage ?? "", "-", "cancelled", "-", refusal.description)
                }
            }
        }
        var handedOver = 0
        var recordedAt = Date()
        for (index, attempt) in claimed.enumerated() {
            // Stopping, or the relay refusing the configuration or not answering: the rest of the
            // batch goes with the next pass (after a silent relay, this pass's transitions go on).
            let stopping = shouldStop() || summary.configurationError != nil
            if stopping || summary.relayUnavailable != nil {
                recordOutcomes(journal, summary: &summary)
                try ledger.release(
                    claimed[index...].map(\.attemptID), at: now, why: stopping ? "the pass stopped first" : "the relay did not answer the message before it")
                summary.waiting += claimed.count - index
                return (!stopping, handedOver)
            }
            if transmit(attempt, at: now, checkedAt: checkedAt, journal: journal, summary: &summary, shouldStop: shouldStop) { handedOver += 1 }
            if Date().timeIntervalSince(recordedAt) > 1 {
                recordOutcomes(journal, summary: &summary)
                recordedAt = Date()
            }
        }
        return (summary.configurationError == nil, handedOver)
    }

    /// What the ledger needs to reserve one planned message: its day in the client's time
    /// zone, a notice's claim, the invoices' terms it was planned from, and how to compose it,
    /// once the attempt has its Message-ID, from the facts the reservation reads and re-checks.
    private func request(for event: PlannedEvent, planned file: PlannerInput.ClientFile?, at now: Date) throws -> Ledger.ReservationRequest {
        let configuration = self.configuration
        let planned = file?.client
        let day = CalendarDate(event.at, in: TimeZone(identifier: planned?.timeZone ?? configuration.policy.timeZone) ?? .current)
        // The client's cadence (a profile's, or the default): profiles go by client code, which the re-read cannot change.
        let cadence = planned.map { Planner(configuration: configuration).cadence(for: $0) } ?? configuration.cadence
        let claims = try Claims(ledger: ledger, configuration: configuration, rates: rates)
            .forMessage(stage: event.stage ?? "", cadence: cadence, invoiceNumbers: event.invoiceNumbers, on: day)
        let builder = MessageBuilder(configuration: configuration, templates: templates)
        let template = event.template ?? event.stage ?? ""
        let readFile = self.readFile
        var request = Ledger.ReservationRequest(
            event: event, dispatchKey: Self.dispatchKey(event, day: day), day: day,
            checksNegotiations: PlannedEvent.waitsForNegotiations(event.stage ?? ""),
            compose: { messageID, references, read in
                var client = read.client
                client.emails = client.emails.filter { !$0.isEmpty }
                var facts = MessageFacts(
                    sender: configuration.sender, client: client,
                    invoices: read.invoices.map { .init(invoice: $0.invoice, paid: $0.paid, outstanding: $0.balance) },
                    stage: event.stage ?? "", day: day, deadline: event.deadline ?? configuration.policy.deadline(after: day, for: client),
                    negotiation: read.negotiation?.negotiation)
                facts.claims = claims
                facts.instalment = event.instalment
                let stage = cadence.first { $0.name == event.stage }
                let message = try builder.message(
                    facts, template: template, messageID: messageID, references: references, date: now, stage: stage, readFile: readFile)
                return Ledger.ComposedMessage(
                    bytes: try MIMEComposer.compose(message), subject: message.subject, recipients: (message.to + message.cc).map(\.address) + message.bcc)
            })
        for state in file?.invoices ?? [] where event.invoiceIDs.contains(state.invoice.id ?? 0) {
            request.plannedTerms[state.invoice.id ?? 0] = Ledger.PlannedTerms(gross: state.invoice.gross, dueDate: state.invoice.dueDate, balance: state.balance)
        }
        return request
    }

    /// Names one stage for one set of invoices on one day, so that it is reserved (or handed
    /// to the owner as a task) once however many passes see it: "stage|invoice ids|day".
    static func dispatchKey(_ event: PlannedEvent, day: CalendarDate) -> String {
        dispatchPrefix(event) + "\(day)"
    }

    /// The dispatch key without its day: "stage|invoice ids|", as `Ledger.refusedDispatches` keys them.
    package static func dispatchPrefix(_ event: PlannedEvent) -> String {
        "\(event.stage ?? "")|\(event.invoiceIDs.sorted().map(String.init).joined(separator: ","))|"
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

    /// Claims a stored attempt (a retry) for the transport after re-checking it is still due.
    /// Returns whether it may be sent.
    private func claim(_ attempt: Ledger.StoredAttempt, at now: Date, summary: inout Summary) -> Bool {
        let tolerances = configuration.policy.tolerance
        do {
            let day = try sendWindow(clientCode: attempt.clientCode).day(of: now)
            let refusal = try ledger.markSending(
                attempt.attemptID, at: now, day: day, tolerance: { tolerances[$0]?.minorUnits ?? 0 },
                checksNegotiations: PlannedEvent.waitsForNegotiations)
            guard let refusal else { return true }
            if refusal != .alreadyReserved {
                summary.skipped += 1
                log(now, attempt.clientCode, attempt.invoiceNumbers, attempt.stage, "-", "cancelled", "<\(attempt.messageID)>", refusal.description)
            }
        } catch {
            summary.problems.append("\(attempt.clientCode) \(attempt.stage): \(error)")
        }
        return false
    }

    /// Closes a stored attempt planned longer ago than the retry limit, without sending it.
    private func giveUp(_ attempt: Ledger.StoredAttempt, at now: Date, summary: inout Summary) {
        let days = configuration.retryDays
        do {
            // Planned again by the next pass, from the ledger as it is then (a give-up is not a refusal).
            guard let detail = try ledger.giveUp(attempt.attemptID, at: now, reason: { lastReply in
                lastReply.map { Self.givenUp(days: days) + $0 }
                    ?? Ledger.closedUnsent + "written more than \(days) day\(days == 1 ? "" : "s") ago and no relay answered it; planned again from today's ledger"
            }) else { return }
            summary.failed += 1
            log(now, attempt.clientCode, attempt.invoiceNumbers, attempt.stage, attempt.recipients.joined(separator: ","), "failed", "<\(attempt.messageID)>", detail)
        } catch {
            summary.problems.append("\(attempt.clientCode) \(attempt.stage): \(error)")
        }
    }

    /// The start of the error of a message a relay refused for its policy; the reply follows.
    static let refusedForPolicy = "refused by the relay's security or policy rules (check the sender's set-up: login, SPF, DKIM): "

    /// The start of the error of a message given up after temporary failures; the last reply follows.
    static func givenUp(days: Int) -> String { "given up after \(days) day\(days == 1 ? "" : "s") of temporary failures: " }

    /// Seconds a stop waits for the relay's answer to the message in flight: systemd expects
    /// a service to stop within seconds, and a hung relay answers only at its timeout.
    static let stopGrace: TimeInterval = 5

    /// A message checked longer ago than this (its batch behind a slow relay) is checked
    /// again just before its body leaves.
    static let recheckAfter: TimeInterval = 0.5

    /// Sends one claimed attempt and notes its outcome in the journal, for the next
    /// reservation or `recordOutcomes` to record.
    /// The journal notes the moment the relay asks for the body (the ledger does, re-checking
    /// first, when `checkedAt` is too long ago); if that cannot be written, or the message is
    /// no longer due, the body is held back. An outcome that cannot be noted nor recorded
    /// leaves the attempt `sending`, which the next pass resolves: never sent twice. Returns
    /// whether the relay was given the message (not held back). A stop (`shouldStop`) lets the
    /// message finish, but waits on a relay that does not answer only `stopGrace` seconds.
    @discardableResult
    private func transmit(
        _ attempt: Ledger.StoredAttempt, at now: Date, checkedAt: Date, journal: OutboxJournal, summary: inout Summary, shouldStop: () -> Bool
    ) -> Bool {
        let ledger = self.ledger
        let tolerances = configuration.policy.tolerance
        let recheckDay = Date().timeIntervalSince(checkedAt) > Self.recheckAfter ? try? sendWindow(clientCode: attempt.clientCode).day(of: now) : nil
        let attemptNumber = attempt.attemptCount + 1
        var refusal: Ledger.ReservationRefusal?
        var stopSeen: Date?
        let outcome = transport.send(attempt.bytes, from: configuration.sender.email, to: attempt.recipients) {
            do {
                if let recheckDay {
                    refusal = try ledger.markBodyStarted(
                        attempt.attemptID, at: now, recheckOn: recheckDay, tolerance: { tolerances[$0]?.minorUnits ?? 0 },
                        checksNegotiations: PlannedEvent.waitsForNegotiations)
                    return refusal == nil
                }
                try journal.bodyStarting(attempt.attemptID, attempt: attemptNumber)
                return true
            } catch {
                return false
            }
        } keepWaiting: {
            guard shouldStop() else { return true }
            let seen = stopSeen ?? Date()
            stopSeen = seen
            return Date().timeIntervalSince(seen) < Self.stopGrace
        }
        if let refusal {
            // The relay never got the body. No longer due: the ledger closed it as not sent.
            // Not ours any more (another process took it): nothing to record.
            if refusal != .alreadyReserved {
                summary.skipped += 1
                log(now, attempt.clientCode, attempt.invoiceNumbers, attempt.stage, "-", "cancelled", "<\(attempt.messageID)>", "\(Ledger.closedUnsent)\(refusal) since it was written")
            }
            return false
        }
        let status: ContactStatus
        var next: Date?
        var error: String?
        switch outcome.kind {
        case .accepted:
            status = .sent
            summary.sent += 1
            if let archive = configuration.archiveMaildirPath {
                let copy = MaildirTransport(folder: archive).send(attempt.bytes, from: configuration.sender.email, to: attempt.recipients)
                if copy.kind != .accepted { summary.problems.append("\(attempt.clientCode) \(attempt.stage): sent, but not archived: \(copy.reply)") }
            }
        case .permanentFailure:
            status = .failed
            // The reply itself as the error holds this stage back from these recipients
            // (`ReservationRefusal.failedBefore`); a 5.7.x security or policy refusal ("relay
            // access denied", "rejected as spam") judges the sender's set-up, which the owner
            // fixes: worded apart, it is written again the next day.
            let judgesSender = outcome.enhancedCode?.hasPrefix("5.7.") ?? false
            error = judgesSender ? Self.refusedForPolicy + outcome.reply : outcome.reply
            summary.failed += 1
            summary.refused += 1
        case .unknown:
            status = .unknown
            error = outcome.reply
            summary.unknown += 1
        case .temporaryFailure, .configurationError:
            error = outcome.reply
            if isPastRetryLimit(attempt, at: now) {
                status = .failed
                error = Self.givenUp(days: configuration.retryDays) + outcome.reply
                summary.failed += 1
            } else {
                status = .deferred
                next = now.addingTimeInterval(Self.backoff(attempt: attempt.attemptCount + 1))
                summary.deferred += 1
                summary.lastDeferral = outcome.reply
            }
            if outcome.kind == .configurationError { summary.configurationError = outcome.reply }
        }
        if outcome.relayUnavailable { summary.relayUnavailable = outcome.reply }
        let result = Ledger.Outcome(
            attemptID: attempt.attemptID, attempt: attemptNumber, status: status, reply: outcome.reply, error: error, at: now, nextAttempt: next,
            refusedAddress: outcome.refusedRecipient)
        do {
            try journal.note(result)
        } catch {
            // The journal cannot be written (a full disk): straight into the ledger, then.
            do {
                try ledger.recordOutcomes([result])
                journal.recordedInLedger(attempt.attemptID)
            } catch {
                summary.problems.append("\(attempt.clientCode) \(attempt.stage): the outcome \(status.rawValue) was not recorded: \(error)")
            }
        }
        log(now, attempt.clientCode, attempt.invoiceNumbers, attempt.stage, attempt.recipients.joined(separator: ","), status.rawValue, "<\(attempt.messageID)>", outcome.reply)
        return true
    }

    /// Records the outcomes the journal holds in one durable transaction and empties it. When
    /// the ledger cannot be written, they stay in the journal, recorded when a pass next starts.
    private func recordOutcomes(_ journal: OutboxJournal, summary: inout Summary) {
        guard !journal.unrecorded.isEmpty else { return }
        do {
            try ledger.recordOutcomes(journal.unrecorded)
        } catch {
            summary.problems.append(
                "\(journal.unrecorded.count) outcome\(journal.unrecorded.count == 1 ? " was" : "s were") not recorded yet (\(error)); "
                    + "\(journal.path) keeps \(journal.unrecorded.count == 1 ? "it" : "them") for the next pass")
            return
        }
        clear(journal, summary: &summary)
    }

    /// Empties the journal once the ledger has recorded what it held.
    private func clear(_ journal: OutboxJournal, summary: inout Summary) {
        do {
            try journal.clear()
        } catch {
            summary.problems.append("\(error)")
        }
    }

    /// Minutes growing to hours: 5, 10, 20... capped at 6 hours, with up to 20% jitter so that
    /// many deferred messages do not all come back at once.
    static func backoff(attempt: Int) -> TimeInterval {
        let base = min(6 * 3600, 300 * pow(2, Double(max(0, attempt - 1))))
        return base * Double.random(in: 1.0...1.2)
    }

    private func log(_ moment: Date, _ client: String, _ invoices: [String], _ stage: String, _ recipient: String, _ status: String, _ messageID: String, _ reply: String) {
        sentLog.append([Planner.localTime(moment, in: zone), client, invoices.joined(separator: ","), stage, recipient, status, messageID, reply].joined(separator: "  "))
    }
}
