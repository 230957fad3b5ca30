import Foundation

/// The planner's day-by-day walk through one client's future. Days are the client's calendar
/// days; on each day, transitions first (negotiations, hand-overs), then at most one contact
/// at the first open moment of the send window, if the minimum gap allows.
struct ClientSimulation {
    /// What went out for one stage of one invoice.
    private struct StageRecord {
        var first: CalendarDate
        var last: CalendarDate
        var count: Int
    }

    /// The next escalation step of one invoice.
    private struct Step {
        var stageIndex: Int
        var isRepeat: Bool
        var day: CalendarDate
        var reasons: [String]
    }

    private enum NegotiationStatus { case open, ended }

    private let file: PlannerInput.ClientFile
    private let policy: ContactPolicy
    private let stages: [Configuration.Stage]
    private let window: SendWindow
    private let start: Date
    private var sent: [Int64: [Int: StageRecord]] = [:]
    private var eventContacts: [(template: String, invoiceIDs: Set<Int64>, day: CalendarDate)] = []
    private var lastContactDay: CalendarDate?
    private var negotiationStatus: [Int64: NegotiationStatus] = [:]
    private var recordedEvents: [Int64: Set<String>] = [:]
    private var handedOver: Set<Int64>
    /// Per invoice, the day its first formal notice reached the client (see `formalNoticeDays`).
    private var formalNoticeDelivered: [Int64: CalendarDate]
    /// Per invoice, the invoices of the latest last-stage message about it: their windows set
    /// the pay-by date that message gave, which its hand-over waits for.
    private var lastStageGroup: [Int64: [Int64]] = [:]
    private var queuedMessages: [(template: String, invoiceIDs: [Int64], negotiationID: Int64?, instalment: Instalment?, reasons: [String])] = []
    private var events: [PlannedEvent] = []

    init(file: PlannerInput.ClientFile, planner: Planner, start: Date) {
        self.file = file
        self.policy = planner.configuration.policy
        self.stages = planner.cadence(for: file.client)
        self.window = SendWindow(
            policy: policy, timeZone: TimeZone(identifier: file.client.timeZone ?? policy.timeZone) ?? .current,
            country: file.client.country, region: file.client.region)
        self.start = start
        self.handedOver = file.handedOver
        self.formalNoticeDelivered = Self.formalNoticeDays(file.contacts, stages: stages, window: window, today: window.day(of: start))
        for contact in file.contacts.sorted(by: { $0.at < $1.at }) where contact.stage == stages.last?.name {
            for invoiceID in contact.invoiceIDs { lastStageGroup[invoiceID] = contact.invoiceIDs }
        }
        for contact in file.contacts {
            let day = window.day(of: contact.at)
            lastContactDay = max(lastContactDay ?? day, day)
            if let index = stages.firstIndex(where: { $0.name == contact.stage }) {
                for invoiceID in contact.invoiceIDs {
                    var record = sent[invoiceID, default: [:]][index] ?? StageRecord(first: day, last: day, count: 0)
                    record.first = min(record.first, day)
                    record.last = max(record.last, day)
                    record.count += 1
                    sent[invoiceID, default: [:]][index] = record
                }
            } else {
                eventContacts.append((contact.stage, Set(contact.invoiceIDs), day))
            }
        }
        for state in file.negotiations {
            let negotiation = state.negotiation
            guard let id = negotiation.id else { continue }
            recordedEvents[id] = state.recordedEvents
            guard let closedAt = negotiation.closedAt else {
                negotiationStatus[id] = .open
                continue
            }
            negotiationStatus[id] = .ended
            // A promise or plan that broke before this walk: its notice goes out if it has not yet.
            guard negotiation.outcome == .broken, let template = Self.brokenTemplate(negotiation.kind, policy) else { continue }
            let covered = Set(negotiation.invoiceIDs)
            let closedDay = window.day(of: closedAt)
            let noticed = eventContacts.contains { $0.template == template && !$0.invoiceIDs.isDisjoint(with: covered) && $0.day >= closedDay }
            // A negotiation opened after the break (a new promise, a dispute) supersedes the notice.
            let superseded = Set(file.negotiations.map(\.negotiation).filter { $0.id != id && $0.openedAt >= closedAt }.flatMap(\.invoiceIDs))
            let owed = file.invoices.filter { covered.contains($0.invoice.id ?? 0) && !superseded.contains($0.invoice.id ?? 0) && !isPaid($0) }
            if !noticed && !owed.isEmpty {
                queue(template, owed, id, "\(negotiation.kind.rawValue) #\(id) broken", missed: negotiation.firstUncoveredInstalment(paid: paidSinceOpening(negotiation)))
            }
        }
    }

    /// The notice a broken negotiation of `kind` sends, when the policy turns it on.
    private static func brokenTemplate(_ kind: NegotiationKind, _ policy: ContactPolicy) -> String? {
        switch kind {
        case .promise: policy.promiseBrokenMessage ? "promise-broken" : nil
        case .plan: policy.planBrokenMessage ? "plan-broken" : nil
        case .dispute: nil
        }
    }

    /// Walks the days from `start` through `end` and returns what happens.
    mutating func run(through end: Date) -> [PlannedEvent] {
        var day = window.day(of: start)
        let lastDay = window.day(of: end)
        while day <= lastDay {
            let dayStart = max(start, window.startOfDay(day))
            applyTransitions(on: day, at: dayStart)
            if let moment = window.opening(on: day, notBefore: dayStart), moment <= end, gapAllows(day) {
                dispatch(on: day, at: moment)
            }
            day = day.adding(days: 1)
        }
        return events
    }

    /// The state of one invoice at `start`, one rule a line.
    func explain(invoiceID: Int64) -> [String] {
        guard let state = file.invoices.first(where: { $0.invoice.id == invoiceID }) else { return [] }
        let today = window.day(of: start)
        var lines = ["balance \(state.balance), due \(state.invoice.dueDate), client \(file.client.code) in \(window.timeZone.identifier)"]
        if let reason = holdReason(state, on: today) {
            lines.append("not chased today: \(reason)")
            return lines
        }
        guard let step = nextStep(state, on: today) else {
            lines.append("not chased: every stage went out; the case is waiting for hand-over")
            return lines
        }
        lines += step.reasons
        if step.day > today {
            lines.append("not today: \(stages[step.stageIndex].name) is due on \(step.day)")
        } else if !gapAllows(today) {
            lines.append("not today: the client was contacted on \(lastContactDay!), minimum gap \(policy.minimumGapDays) day(s)")
        } else if let closed = window.closedReason(today) {
            lines.append("not today: \(closed)")
        } else if let first = mostAdvancedDue(on: today), first.step.stageIndex > step.stageIndex {
            lines.append("waits: \(first.state.invoice.number) is due for \(stages[first.step.stageIndex].name), which goes first (one contact a day)")
        } else {
            lines.append("due today: \(stages[step.stageIndex].name)")
        }
        return lines
    }

    // MARK: - Rules

    private func tolerance(_ money: Money) -> Int64 { policy.tolerance(for: money.currency) }

    private func isPaid(_ state: PlannerInput.InvoiceState) -> Bool { state.balance.minorUnits <= tolerance(state.balance) }

    /// Why `state` may not be chased on `day`, or nil.
    private func holdReason(_ state: PlannerInput.InvoiceState, on day: CalendarDate) -> String? {
        if isPaid(state) { return "paid (balance \(state.balance) at or below the tolerance)" }
        if handedOver.contains(state.invoice.id ?? 0) { return "handed over after the last stage" }
        if let pause = file.client.pause, pause.isActive(on: day) {
            return "client paused (\(pause.reason))" + (pause.until.map { " until \($0)" } ?? "")
        }
        if let pause = state.invoice.pause, pause.isActive(on: day) {
            return "invoice paused (\(pause.reason))" + (pause.until.map { " until \($0)" } ?? "")
        }
        if let negotiation = openNegotiation(covering: state.invoice.id ?? 0) {
            return "\(negotiation.kind.rawValue) #\(negotiation.id ?? 0) open" + (negotiation.promisedDate.map { " (promised for \($0))" } ?? "")
        }
        return nil
    }

    private func isInvoicePaused(_ state: PlannerInput.InvoiceState, on day: CalendarDate) -> Bool {
        state.invoice.pause?.isActive(on: day) ?? false
    }

    private func openNegotiation(covering invoiceID: Int64) -> Negotiation? {
        file.negotiations.map(\.negotiation).first { negotiationStatus[$0.id ?? 0] == .open && $0.invoiceIDs.contains(invoiceID) }
    }

    private func nominalDay(_ state: PlannerInput.InvoiceState, stage index: Int) -> CalendarDate {
        state.invoice.dueDate.adding(days: stages[index].offsetDays)
    }

    /// The next escalation step of `state` as of `day`: strict sequence, spacing from the last
    /// stage that went out, repeats, and courtesy stages that lapse once the next is due.
    private func nextStep(_ state: PlannerInput.InvoiceState, on day: CalendarDate) -> Step? {
        let invoiceID = state.invoice.id ?? 0
        let records = sent[invoiceID] ?? [:]
        let highest = records.keys.max()
        var reasons: [String] = []
        var repeatStep: Step?
        if let highest, let every = stages[highest].repeatEveryDays, let record = records[highest],
            record.count < 1 + (stages[highest].repeatTimes ?? 0)
        {
            repeatStep = Step(
                stageIndex: highest, isRepeat: true, day: record.last.adding(days: every),
                reasons: ["repeat \(record.count + 1) of \(stages[highest].name): the last is dated \(record.last), every \(every) days"])
        }
        var index = (highest ?? -1) + 1
        var lapsed: [String] = []
        while index < stages.count - 1, stages[index].offsetDays <= 0, nominalDay(state, stage: index + 1) <= day {
            lapsed.append("\(stages[index].name) lapsed: the invoice is already past \(stages[index + 1].name)")
            index += 1
        }
        var stageStep: Step?
        if index < stages.count {
            var stageDay = nominalDay(state, stage: index)
            reasons.append("\(stages[index].name): due date \(state.invoice.dueDate) \(Self.signed(stages[index].offsetDays)) days = \(stageDay)")
            reasons += lapsed
            if let highest, let record = records[highest] {
                let spaced = record.first.adding(days: stages[index].offsetDays - stages[highest].offsetDays)
                if spaced > stageDay {
                    reasons.append("spacing: \(stages[highest].name) is dated \(record.first) (sent, or being sent), so not before \(spaced)")
                    stageDay = spaced
                }
            } else if stageDay < day {
                reasons.append("first message for this invoice")
            }
            // The broken plan's message gave the client until its deadline to pay: no
            // escalation before that day has passed.
            if let broken = eventContacts.filter({ $0.template == "plan-broken" && $0.invoiceIDs.contains(invoiceID) }).map(\.day).max() {
                let deadline = policy.deadline(after: broken, for: file.client)
                if deadline.adding(days: 1) > stageDay {
                    reasons.append("the plan-broken message of \(broken) gave until \(deadline) to pay, so not before \(deadline.adding(days: 1))")
                    stageDay = deadline.adding(days: 1)
                }
            }
            // The broken promise's message, or the end of a negotiation that did not break (a
            // dispute resolved, a promise or plan withdrawn), stands for the stage before this
            // one: the next keeps the cadence's spacing from it, not a reminder the next morning.
            if index > 0 {
                let gap = max(policy.minimumGapDays, stages[index].offsetDays - stages[index - 1].offsetDays)
                let broken = eventContacts.filter { $0.template == "promise-broken" && $0.invoiceIDs.contains(invoiceID) }.map(\.day).max()
                let ended = file.negotiations.map(\.negotiation).filter { $0.outcome != .broken && $0.invoiceIDs.contains(invoiceID) }.compactMap(\.closedAt).max()
                for (from, what) in [(broken, "the promise-broken message is dated"), (ended.map { window.day(of: $0) }, "a negotiation on it ended")] {
                    guard let from, from.adding(days: gap) > stageDay else { continue }
                    stageDay = from.adding(days: gap)
                    reasons.append("spacing: \(what) \(from), so not before \(stageDay)")
                }
            }
            stageStep = Step(stageIndex: index, isRepeat: false, day: stageDay, reasons: reasons)
        }
        switch (repeatStep, stageStep) {
        // A repeat never delays a stage that is already due: after downtime the stale repeat lapses.
        case (let repeated?, let next?): return repeated.day < next.day && next.day > day ? repeated : next
        case (let repeated?, nil): return repeated
        case (nil, let next): return next
        }
    }

    private func gapAllows(_ day: CalendarDate) -> Bool {
        guard let lastContactDay else { return true }
        return day >= lastContactDay.adding(days: policy.minimumGapDays)
    }

    private static func signed(_ days: Int) -> String { days < 0 ? "- \(-days)" : "+ \(days)" }

    // MARK: - Transitions

    private func coveredStates(_ negotiation: Negotiation) -> [PlannerInput.InvoiceState] {
        file.invoices.filter { negotiation.invoiceIDs.contains($0.invoice.id ?? 0) }
    }

    /// What the covered invoices still owe above their tolerance (invoices no longer in the
    /// snapshot are settled).
    private func stillOwed(_ negotiation: Negotiation) -> [PlannerInput.InvoiceState] {
        coveredStates(negotiation).filter { !isPaid($0) }
    }

    private mutating func applyTransitions(on day: CalendarDate, at moment: Date) {
        for state in file.negotiations {
            let negotiation = state.negotiation
            guard let id = negotiation.id, negotiationStatus[id] == .open else { continue }
            let owed = stillOwed(negotiation)
            switch negotiation.kind {
            case .promise:
                if owed.isEmpty {
                    end(id, .promiseKept, at: moment, invoices: coveredStates(negotiation), reasons: ["the promised invoices are paid"])
                } else if let promised = negotiation.promisedDate, day > promised.adding(days: policy.graceDays) {
                    end(id, .promiseBroken, at: moment, invoices: owed, reasons: [
                        "promised for \(promised), still unpaid after \(policy.graceDays) days of grace; escalation resumes at the next stage"
                    ])
                    if let template = Self.brokenTemplate(.promise, policy) { queue(template, owed, id, "promise #\(id) broken") }
                }
            case .plan:
                if owed.isEmpty {
                    end(id, .planCompleted, at: moment, invoices: coveredStates(negotiation), reasons: ["the plan is paid in full"])
                } else if let missed = missedInstalment(negotiation, on: day) {
                    end(id, .planBroken, at: moment, invoices: owed, reasons: [
                        "the instalment of \(missed.dueDate) (\(missed.amount)) was not paid after \(policy.graceDays) days of grace; escalation resumes on the remaining balance"
                    ])
                    if let template = Self.brokenTemplate(.plan, policy) { queue(template, owed, id, "plan #\(id) broken", missed: missed) }
                }
            case .dispute:
                // The review date is the day the owner meant to look at it again: told that day.
                if let review = negotiation.reviewDate, day >= review, !(recordedEvents[id]?.contains(PlannedEvent.Kind.disputeReviewDue.rawValue) ?? false) {
                    recordedEvents[id, default: []].insert(PlannedEvent.Kind.disputeReviewDue.rawValue)
                    emit(.disputeReviewDue, at: moment, invoices: coveredStates(negotiation), negotiationID: id, reasons: [
                        "the dispute's review date \(review) has come; its invoices stay frozen until you close it"
                    ])
                }
            }
        }
        // A paused, disputed or negotiated invoice is not handed over: holds delay the hand-over too.
        for state in file.invoices where holdReason(state, on: day) == nil {
            let invoiceID = state.invoice.id ?? 0
            guard let lastIndex = stages.indices.last, let record = sent[invoiceID]?[lastIndex],
                record.count >= 1 + (stages[lastIndex].repeatTimes ?? 0)
            else { continue }
            // The last stage's deadline ("pay by" that day) is the client's to use, all of it.
            let formalNotice = formalNoticeDay(of: lastStageGroup[invoiceID] ?? [invoiceID])
            let isFormalNotice = stages[lastIndex].template == ContactPolicy.formalNoticeTemplate
            let deadline = policy.deadline(after: record.last, for: file.client, formalNoticeDay: formalNotice, isFormalNotice: isFormalNotice)
            guard day > deadline else { continue }
            handedOver.insert(invoiceID)
            var reasons = ["\(stages[lastIndex].name) went out \(record.last) and its deadline, \(deadline), passed unpaid: hand the case over (lawyer, court, agency)"]
            if let rule = ContactPolicy.answerRule(country: file.client.country, region: file.client.region, debtor: file.client.debtorKind),
                let noticeDay = formalNotice ?? (isFormalNotice ? record.last : nil),
                deadline > policy.deadline(after: record.last, for: file.client)
            {
                reasons.append(rule.reason(noticeDay))
            }
            emit(.handOver, at: moment, invoices: [state], reasons: reasons)
        }
    }

    /// The first instalment not covered by payments made since the plan opened, once its
    /// grace period is over on `day`.
    private func missedInstalment(_ negotiation: Negotiation, on day: CalendarDate) -> Instalment? {
        // Instalments are in date order: when the first uncovered one is within its grace
        // days, so is every later one.
        guard let first = negotiation.firstUncoveredInstalment(paid: paidSinceOpening(negotiation)), day > first.dueDate.adding(days: policy.graceDays)
        else { return nil }
        return first
    }

    private func paidSinceOpening(_ negotiation: Negotiation) -> Int64 {
        let opened = window.day(of: negotiation.openedAt)
        return coveredStates(negotiation).flatMap(\.payments).filter { $0.valueDate >= opened }.reduce(0) { $0 + $1.amount.minorUnits }
    }

    private mutating func end(_ id: Int64, _ kind: PlannedEvent.Kind, at moment: Date, invoices: [PlannerInput.InvoiceState], reasons: [String]) {
        negotiationStatus[id] = .ended
        emit(kind, at: moment, invoices: invoices, negotiationID: id, reasons: reasons)
    }

    private mutating func queue(_ template: String, _ invoices: [PlannerInput.InvoiceState], _ negotiationID: Int64, _ reason: String, missed: Instalment? = nil) {
        queuedMessages.append((template, invoices.compactMap(\.invoice.id), negotiationID, missed, [reason]))
    }

    // MARK: - Dispatch

    /// Sends at most one contact on `day` at `moment`: a queued negotiation notice first, then
    /// the most advanced escalation stage due (every invoice due for it, in one message), then
    /// an instalment reminder, then a thank-you.
    private mutating func dispatch(on day: CalendarDate, at moment: Date) {
        // A paused client gets nothing at all: notices wait in the queue until the pause ends.
        if let pause = file.client.pause, pause.isActive(on: day) { return }
        // Everything a notice was about is paid: nothing left to say.
        let unpaid = Set(file.invoices.filter { !isPaid($0) }.compactMap(\.invoice.id))
        queuedMessages.removeAll { $0.invoiceIDs.allSatisfy { !unpaid.contains($0) } }
        // The first notice with something to say today; one held back (a paused invoice, a new
        // negotiation on it) waits without holding back the others.
        for (index, message) in queuedMessages.enumerated() {
            let states = file.invoices.filter {
                message.invoiceIDs.contains($0.invoice.id ?? 0) && !isPaid($0) && !isInvoicePaused($0, on: day)
                    && (!PlannedEvent.waitsForNegotiations(message.template) || openNegotiation(covering: $0.invoice.id ?? 0) == nil)
            }
            guard !states.isEmpty else { continue }
            queuedMessages.remove(at: index)
            return send(
                message.template, at: moment, on: day, invoices: states, negotiationID: message.negotiationID, instalment: message.instalment,
                reasons: message.reasons)
        }
        let due = dueSteps(on: day)
        if let top = due.map(\.step.stageIndex).max() {
            let group = due.filter { $0.step.stageIndex == top }
            let stage = stages[top]
            var reasons = group.count == 1 ? group[0].step.reasons : ["\(group.count) invoices due for \(stage.name), in one message"]
            if due.count > group.count { reasons.append("one contact a day: \(due.count - group.count) invoice(s) at earlier stages wait their turn") }
            reasons.append("send window \(window.timeZone.identifier), \(SendWindow.weekday(day).rawValue)")
            for (state, step) in group {
                let invoiceID = state.invoice.id ?? 0
                var record = sent[invoiceID, default: [:]][step.stageIndex] ?? StageRecord(first: day, last: day, count: 0)
                record.last = day
                record.count += 1
                sent[invoiceID, default: [:]][step.stageIndex] = record
            }
            lastContactDay = day
            // The formal notice's own message keeps its days; later ones give the window's too.
            let groupIDs = group.compactMap(\.state.invoice.id)
            let noticeDay = stage.template == ContactPolicy.formalNoticeTemplate ? nil : formalNoticeDay(of: groupIDs)
            if stage.template == ContactPolicy.formalNoticeTemplate {
                for invoiceID in groupIDs where formalNoticeDelivered[invoiceID] == nil { formalNoticeDelivered[invoiceID] = day }
            }
            if top == stages.indices.last {
                for invoiceID in groupIDs { lastStageGroup[invoiceID] = groupIDs }
            }
            var event = PlannedEvent(
                kind: stage.channel == .email ? .message : .task, at: moment, clientID: file.client.id ?? 0, clientCode: file.client.code,
                stage: stage.name, template: stage.template, channel: stage.channel == .email ? nil : stage.channel,
                invoiceIDs: groupIDs, invoiceNumbers: group.map(\.state.invoice.number), negotiationID: nil, reasons: reasons)
            event.deadline = policy.deadline(
                after: day, for: file.client, formalNoticeDay: noticeDay, isFormalNotice: stage.template == ContactPolicy.formalNoticeTemplate)
            events.append(event)
            return
        }
        if let reminder = instalmentReminder(on: day) {
            return send(
                "instalment-reminder", at: moment, on: day, invoices: reminder.invoices, negotiationID: reminder.negotiationID, instalment: reminder.instalment,
                reasons: reminder.reasons)
        }
        if policy.thankYou {
            let thanked = file.invoices.filter { state in
                isPaid(state) && sent[state.invoice.id ?? 0] != nil
                    && !eventContacts.contains { $0.template == "thank-you" && $0.invoiceIDs.contains(state.invoice.id ?? 0) }
                    && (state.payments.map(\.valueDate).max().map { $0.adding(days: 7) >= day } ?? false)
            }
            if !thanked.isEmpty {
                send("thank-you", at: moment, on: day, invoices: thanked, negotiationID: nil, reasons: ["paid in full after being chased"])
            }
        }
    }

    /// The latest of the days the first formal notice about each of `invoiceIDs` reached the
    /// client: a message about several gives the last of their windows.
    private func formalNoticeDay(of invoiceIDs: [Int64]) -> CalendarDate? {
        invoiceIDs.compactMap { formalNoticeDelivered[$0] }.max()
    }

    /// Per invoice, the day its first formal notice reached the client: its invitation to
    /// negotiate sets a floor under later deadlines for a client in Spain. One not delivered
    /// yet (a retry, or of unknown fate) counts from `today` at the earliest.
    static func formalNoticeDays(
        _ contacts: [PlannerInput.PastContact], stages: [Configuration.Stage], window: SendWindow, today: CalendarDate
    ) -> [Int64: CalendarDate] {
        let formal = Set(stages.filter { $0.template == ContactPolicy.formalNoticeTemplate }.map(\.name))
        var days: [Int64: CalendarDate] = [:]
        for contact in contacts where formal.contains(contact.stage) {
            let day = contact.deliveredAt.map { window.day(of: $0) } ?? today
            for invoiceID in contact.invoiceIDs { days[invoiceID] = min(days[invoiceID] ?? day, day) }
        }
        return days
    }

    /// Every invoice whose next escalation step is due on `day`.
    private func dueSteps(on day: CalendarDate) -> [(state: PlannerInput.InvoiceState, step: Step)] {
        file.invoices.compactMap { state in
            guard holdReason(state, on: day) == nil, let step = nextStep(state, on: day), step.day <= day else { return nil }
            return (state, step)
        }
    }

    private func mostAdvancedDue(on day: CalendarDate) -> (state: PlannerInput.InvoiceState, step: Step)? {
        dueSteps(on: day).max { $0.step.stageIndex < $1.step.stageIndex }
    }

    /// A reminder of an unpaid instalment of an open plan whose reminder day has come and that
    /// has not been sent for that day's slot (N days before, then on the day).
    private func instalmentReminder(
        on day: CalendarDate
    ) -> (invoices: [PlannerInput.InvoiceState], negotiationID: Int64, instalment: Instalment, reasons: [String])? {
        for state in file.negotiations where state.negotiation.kind == .plan {
            let negotiation = state.negotiation
            guard let id = negotiation.id, negotiationStatus[id] == .open else { continue }
            let paid = paidSinceOpening(negotiation)
            var due: Int64 = 0
            let covered = Set(negotiation.invoiceIDs)
            for instalment in negotiation.instalments {
                due += instalment.amount.minorUnits
                guard paid < due else { continue }
                let slots = policy.instalmentReminderDays > 0
                    ? [openDay(onOrBefore: instalment.dueDate.adding(days: -policy.instalmentReminderDays)), instalment.dueDate] : [instalment.dueDate]
                for (position, slot) in slots.enumerated() {
                    // The on-the-day reminder may still go during the grace period (a due date on a Sunday).
                    let slotEnd = position + 1 < slots.count ? slots[position + 1] : instalment.dueDate.adding(days: policy.graceDays + 1)
                    guard slot <= day, day < slotEnd else { continue }
                    let done = eventContacts.contains { $0.template == "instalment-reminder" && !$0.invoiceIDs.isDisjoint(with: covered) && $0.day >= slot && $0.day < slotEnd }
                    let owed = stillOwed(negotiation).filter { !isInvoicePaused($0, on: day) }
                    if !done && !owed.isEmpty {
                        // Counted from the day it goes out: a weekend may have moved it.
                        let days = day.days(until: instalment.dueDate)
                        let when = days == 0 ? "is due today" : days > 0 ? "is due in \(days) day\(days == 1 ? "" : "s")" : "was due \(-days) day\(days == -1 ? "" : "s") ago"
                        return (owed, id, instalment, ["instalment of \(instalment.dueDate) (\(instalment.amount)) of plan #\(id) " + when])
                    }
                }
            }
        }
        return nil
    }

    /// `day`, or the last open day before it: a reminder meant some days ahead of a date
    /// goes earlier past a weekend or holiday, not closer to the date (where another message
    /// for the client may take the day). At most a week back, for a window open on no day.
    private func openDay(onOrBefore day: CalendarDate) -> CalendarDate {
        var open = day
        for _ in 0..<7 where window.closedReason(open) != nil { open = open.adding(days: -1) }
        return window.closedReason(open) == nil ? open : day
    }

    private mutating func send(
        _ template: String, at moment: Date, on day: CalendarDate, invoices: [PlannerInput.InvoiceState], negotiationID: Int64?,
        instalment: Instalment? = nil, reasons: [String]
    ) {
        lastContactDay = day
        eventContacts.append((template, Set(invoices.compactMap(\.invoice.id)), day))
        events.append(
            PlannedEvent(
                kind: .message, at: moment, clientID: file.client.id ?? 0, clientCode: file.client.code, stage: template, template: template,
                channel: nil, invoiceIDs: invoices.compactMap(\.invoice.id), invoiceNumbers: invoices.map(\.invoice.number),
                negotiationID: negotiationID, instalment: instalment, reasons: reasons))
    }

    private mutating func emit(
        _ kind: PlannedEvent.Kind, at moment: Date, invoices: [PlannerInput.InvoiceState], negotiationID: Int64? = nil, reasons: [String]
    ) {
        events.append(
            PlannedEvent(
                kind: kind, at: moment, clientID: file.client.id ?? 0, clientCode: file.client.code, stage: nil, template: nil, channel: nil,
                invoiceIDs: invoices.compactMap(\.invoice.id), invoiceNumbers: invoices.map(\.invoice.number), negotiationID: negotiationID,
                reasons: reasons))
    }
}
