import Foundation

/// Decides who gets which message when. A pure function of (ledger snapshot, configuration,
/// moment): the daemon asks it for a pass at `now` (`events(from: now, through: now)`), and
/// `cobrador plan` asks it for the next days; both run the same simulation, so the forecast
/// cannot drift from what the daemon does.
///
/// Rules, per client (see `ClientSimulation`): strict sequence of stages with their spacing,
/// courtesy stages (offset <= 0) that lapse once the next stage is due, one contact per client
/// per minimum gap with the most advanced stage first, send window and holidays in the
/// client's time zone, tolerance, pauses, negotiations and their transitions, hand-over after
/// the last stage, an optional thank-you.
package struct Planner: Sendable {
    package let configuration: Configuration

    package init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Everything that happens from `start` through `end`, assuming the ledger does not change
    /// meanwhile and each planned message goes out at its planned moment. Sorted by time.
    package func events(_ input: PlannerInput, from start: Date, through end: Date) -> [PlannedEvent] {
        input.clients
            .flatMap { file in
                var simulation = ClientSimulation(file: file, planner: self, start: start)
                return simulation.run(through: end)
            }
            .sorted(by: Self.order)
    }

    /// By moment and client; at one moment, a client's transitions and tasks before its
    /// messages: the broken promise is recorded (and logged) before the message that says so.
    package static func order(_ first: PlannedEvent, _ second: PlannedEvent) -> Bool {
        let rank = { (event: PlannedEvent) -> Int in event.kind == .message ? 1 : 0 }
        return (first.at, first.clientCode, rank(first), first.kind.rawValue) < (second.at, second.clientCode, rank(second), second.kind.rawValue)
    }

    /// Why `invoiceID` is or is not being chased at `now`, one line a rule, then what happens
    /// to it next within `horizonDays`.
    package func explain(_ input: PlannerInput, invoiceID: Int64, at now: Date, horizonDays: Int = 90) -> [String] {
        guard let file = input.clients.first(where: { $0.invoices.contains { $0.invoice.id == invoiceID } }) else {
            return ["not chased: the invoice is not open, or nothing is owed on it (balance at or below the tolerance)"]
        }
        var lines = ClientSimulation(file: file, planner: self, start: now).explain(invoiceID: invoiceID)
        let end = now.addingTimeInterval(Double(horizonDays) * 86_400)
        let next = events(PlannerInput(clients: [file]), from: now, through: end).first { $0.invoiceIDs.contains(invoiceID) }
        if let next {
            let zone = TimeZone(identifier: file.client.timeZone ?? configuration.policy.timeZone) ?? .current
            lines.append("next: \(next.kind.rawValue)\(next.stage.map { " \($0)" } ?? "") at \(Self.localTime(next.at, in: zone))")
            lines += next.reasons.map { "  because \($0)" }
        } else {
            lines.append("next: nothing within \(horizonDays) days")
        }
        return lines
    }

    /// The stages that apply to `client`: its profile's, or the default cadence.
    package func cadence(for client: Client) -> [Configuration.Stage] {
        configuration.profiles.first { profile in profile.clients.contains { $0.caseInsensitiveCompare(client.code) == .orderedSame } }?.cadence
            ?? configuration.cadence
    }

    /// The pay-by date a message about `invoiceIDs` sent on `day` gives (`ContactPolicy.deadline`),
    /// counting the formal notices the ledger holds about them, for a message written outside
    /// the plan (`preview --stage`).
    package func deadline(after day: CalendarDate, for file: PlannerInput.ClientFile, invoiceIDs: Set<Int64>, stage: String) -> CalendarDate {
        let stages = cadence(for: file.client)
        let window = SendWindow(
            policy: configuration.policy, timeZone: TimeZone(identifier: file.client.timeZone ?? configuration.policy.timeZone) ?? .current,
            country: file.client.country, region: file.client.region)
        let isFormalNotice = stages.first { $0.name == stage }?.template == ContactPolicy.formalNoticeTemplate
        let days = ClientSimulation.formalNoticeDays(file.contacts, stages: stages, window: window, today: day)
        return configuration.policy.deadline(
            after: day, for: file.client, formalNoticeDay: isFormalNotice ? nil : invoiceIDs.compactMap { days[$0] }.max(), isFormalNotice: isFormalNotice)
    }

    /// "2026-12-01 09:00 Europe/Madrid".
    package static func localTime(_ instant: Date, in zone: TimeZone) -> String {
        let (day, second) = CalendarDate.wallClock(instant, in: zone)
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day) \(pad(second / 3600)):\(pad(second / 60 % 60)) \(zone.identifier)"
    }
}
