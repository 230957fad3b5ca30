import CobradorCore
import CobradorLedger
import CobradorMail
import Foundation

/// The owner's daily digest: once a day, at `[daemon] digest_time` in the owner's time zone,
/// what went out since the last digest (or in the last 24 hours), what failed, what is of unknown fate, the tasks of the
/// day, broken promises and plans, disputes past their review date, hand-overs with what is
/// claimed, invoices paid in full with what is still claimable on a late one; once a week, the
/// pauses with no end date, which nothing else would bring back to mind.
package struct DigestSender: Sendable {
    package let pass: Pass

    package init(pass: Pass) {
        self.pass = pass
    }

    /// The next moment a digest is due after `now` (today's time if today's is not done yet),
    /// for the daemon to wake then; nil when the digest is off.
    package func nextDue(after now: Date) throws -> Date? {
        guard let (minute, _, window, today) = schedule(at: now) else { return nil }
        let todays = window.time(today, minute: minute)
        let todaysDone = try pass.ledger.digestDone(day: today)
        return todays > now && !todaysDone ? todays : window.time(today.adding(days: 1), minute: minute)
    }

    /// The digest's minute of the day, and the owner's time zone, calendar and today at `now`;
    /// nil when the digest is off.
    private func schedule(at now: Date) -> (minute: Int, zone: TimeZone, window: SendWindow, today: CalendarDate)? {
        guard let minute = pass.configuration.digestMinute else { return nil }
        let zone = TimeZone(identifier: pass.configuration.policy.timeZone) ?? .current
        let window = SendWindow(policy: pass.configuration.policy, timeZone: zone, country: "")
        return (minute, zone, window, window.day(of: now))
    }

    /// What became of a digest: words for the log, and whether it went (else a later pass
    /// tries again).
    package struct Outcome: Sendable {
        package var report: String
        package var delivered: Bool
    }

    /// Sends the digest when its time has come and it has not gone out today, with `problems`:
    /// what the passes since the last digest could not do (a message that cannot be written
    /// holds that client back until the owner fixes it). Returns what happened, or nil when
    /// nothing was due.
    package func sendIfDue(at now: Date, problems: [String]) throws -> Outcome? {
        let configuration = pass.configuration
        guard let (minute, zone, window, today) = schedule(at: now) else { return nil }
        guard now >= window.time(today, minute: minute), try !pass.ledger.digestDone(day: today) else { return nil }
        // Since the last digest (at most a week back), else the last 24 hours: a digest sent
        // later than the day before lists nothing twice and misses nothing.
        let lastSent = try pass.ledger.lastDigestSent(before: today)
        let since = lastSent.map { max($0, now.addingTimeInterval(-7 * 86_400)) } ?? now.addingTimeInterval(-86_400)
        let policy = configuration.policy
        let lines = try pass.ledger.digestLines(from: since, to: now, today: today, zone: zone) { policy.tolerance(for: $0) }
        let claims = Claims(ledger: pass.ledger, configuration: configuration, rates: pass.rates)
        var problems = problems
        /// An invoice's interest and compensation, or nil with the reason among the problems:
        /// one the ledger cannot compute must not hold back the whole digest.
        func breakdown(_ number: String, on day: CalendarDate) -> InterestBreakdown? {
            do {
                return try claims.breakdown(number, on: day)
            } catch {
                problems.append("the interest of invoice \(number) cannot be computed: \(error)")
                return nil
            }
        }
        let tomorrow = window.startOfDay(today.adding(days: 1))
        // Today's tasks: those a pass already handed over, then those still to come today.
        let planner = Planner(configuration: configuration)
        let handedOver = try pass.ledger.recordedTasks(from: window.startOfDay(today), to: tomorrow).map { task in
            let channel = planner.cadence(for: try pass.ledger.client(code: task.client)).first { $0.name == task.stage }?.channel
            return DigestContext.task(channel: channel, client: task.client, stage: task.stage, invoices: task.invoices)
        }
        let tasks = handedOver + planner
            .events(try pass.ledger.plannerInput(at: now, through: tomorrow, configuration: configuration), from: window.startOfDay(today), through: tomorrow)
            .filter { $0.kind == .task }
            .map { DigestContext.task(channel: $0.channel, client: $0.clientCode, stage: $0.stage ?? "", invoices: $0.invoiceNumbers) }
        let format = LocalizedFormat(language: configuration.sender.language)
        // Once a week: in its first digest (Monday's, or the next one if Monday's did not go).
        let monday = today.adding(days: -(ContactPolicy.Weekday.allCases.firstIndex(of: SendWindow.weekday(today)) ?? 0))
        let firstThisWeek = lastSent.map { CalendarDate($0, in: zone) < monday } ?? true
        let pauses = firstThisWeek ? try pass.ledger.openEndedPauses(zone: zone) : []
        // Before the problems are listed: computing the claims may add some.
        let handOvers = lines.handOvers.map {
            DigestContext.handOver(client: $0.client, invoice: $0.invoice, outstanding: $0.outstanding, claim: breakdown($0.invoice, on: today)?.total, format: format)
        }
        let paid = lines.paid.map { paid in
            let owed = breakdown(paid.invoice, on: paid.paidOn)
            return DigestContext.paid(
                client: paid.client, invoice: paid.invoice, received: paid.received, paidOn: paid.paidOn, interest: owed?.interest,
                compensation: owed?.compensation, format: format)
        }
        let context = DigestContext.dictionary(
            owner: configuration.sender.legalName, date: format.date(today), sent: lines.sent,
            failed: lines.failed.map { line in
                DigestContext.failure(line.merging(["error": Self.ownersWords(line["error"] ?? "", language: configuration.sender.language)]) { _, new in new })
            },
            unknown: lines.unknown, tasks: tasks,
            broken: lines.broken.map {
                DigestContext.broken(
                    client: $0.client, kind: $0.kind, invoices: $0.invoices, cause: $0.cause, promisedDate: $0.promisedDate,
                    missedInstalment: $0.missedInstalment, format: format)
            },
            reviews: lines.reviews.map { DigestContext.review(client: $0.client, invoices: $0.invoices, reviewDate: $0.reviewDate, reason: $0.reason, format: format) },
            handOvers: handOvers,
            badAddresses: lines.badAddresses,
            problems: problems.map { ["problem": $0] },
            pauses: pauses.map {
                DigestContext.pause(
                    client: $0.client, isClient: $0.isClient, invoices: $0.invoices, since: $0.since, reason: $0.reason, outstanding: $0.outstanding,
                    format: format)
            },
            paid: paid)
        let rendered = try pass.templates.render("digest", language: configuration.sender.language, context: context)
        let owner = configuration.sender.replyTo ?? configuration.sender.email
        let message = OutgoingMessage(
            from: Mailbox(name: "cobrador", address: configuration.sender.email), to: [Mailbox(name: nil, address: owner)], subject: rendered.subject,
            text: rendered.text, html: rendered.html,
            messageID: "cobrador.digest.\(today).\(Int(now.timeIntervalSince1970))@\(configuration.sender.email.split(separator: "@").last ?? "localhost")",
            autoSubmitted: true, date: now, timeZone: zone, record: "the digest")
        let outcome = pass.transport.send(try MIMEComposer.compose(message), from: configuration.sender.email, to: [owner])
        try pass.ledger.recordDigest(day: today, at: now, status: outcome.kind == .accepted ? "sent" : outcome.kind.rawValue, reply: outcome.reply)
        return Outcome(report: "digest for \(today) to \(owner): \(outcome.kind.rawValue) (\(outcome.reply))", delivered: outcome.kind == .accepted)
    }

    /// A failure's error in the owner's language where cobrador wrote its start (a retry given
    /// up, a refusal of the sender's set-up); the relay's own words follow as they came.
    static func ownersWords(_ error: String, language: Language) -> String {
        guard language == .es else { return error }
        if error.hasPrefix(Pass.refusedForPolicy) {
            return "rechazado por las reglas de seguridad o de uso del servidor (revise la configuración del remitente: inicio de sesión, SPF, DKIM): "
                + error.dropFirst(Pass.refusedForPolicy.count)
        }
        // The pass's own wording, for whatever `retry_days` was then (1 to 30).
        guard let days = (1...30).first(where: { error.hasPrefix(Pass.givenUp(days: $0)) }) else { return error }
        return "abandonado tras \(days) día\(days == 1 ? "" : "s") de fallos temporales: " + error.dropFirst(Pass.givenUp(days: days).count)
    }
}
