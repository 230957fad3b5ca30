import CobradorCore
import CobradorTestSupport
import Foundation
import PropertyBased
import Testing

/// Properties over random ledgers and random moments. Each world is built from one seed, so a
/// failure names the seed that reproduces it.
@Suite struct PlannerPropertyTests {
    typealias F = PlannerFixture

    /// A small random world: up to 4 clients (Madrid, London, Canary Islands), up to 5 invoices
    /// each at any lateness, random history, pauses, promises, plans and disputes.
    struct World {
        var input: PlannerInput
        var start: Date
        let fixture: PlannerFixture

        init(seed: UInt64) throws {
            var random = SeededGenerator(seed: seed)
            var fixture = try F("[policy]\ntime_zone = \"Europe/Madrid\"\n[policy.holidays]\nES = [2026-12-08, 2026-12-25, 2027-01-01]\n[policy.tolerance]\nEUR = \"1.00\"")
            fixture.configuration.policy.thankYou = random.next(2) == 0
            fixture.configuration.policy.minimumGapDays = 1 + random.next(3)
            self.fixture = fixture
            let base = F.day("2026-11-30")
            let startDay = base.adding(days: random.next(20))
            start = F.at("\(startDay) \(["00:00", "08:45", "09:00", "13:30", "19:15"][random.next(5)])")
            var clients: [PlannerInput.ClientFile] = []
            var nextInvoice: Int64 = 1
            var nextNegotiation: Int64 = 1
            for clientIndex in 0..<(1 + random.next(4)) {
                let zone = ["Europe/Madrid", "Europe/London", "Atlantic/Canary"][random.next(3)]
                let pause = random.next(5) == 0
                    ? Pause(reason: "random", since: F.at("2026-11-01 10:00"), until: random.next(2) == 0 ? nil : startDay.adding(days: random.next(30))) : nil
                let client = F.client(Int64(clientIndex + 1), "C\(clientIndex)", zone: zone, country: zone == "Europe/London" ? "GB" : "ES", pause: pause)
                var invoices: [PlannerInput.InvoiceState] = []
                var contacts: [PlannerInput.PastContact] = []
                for _ in 0..<(1 + random.next(5)) {
                    let id = nextInvoice
                    nextInvoice += 1
                    let due = startDay.adding(days: random.next(150) - 120)
                    let owed: Int64 = [0, 50, 1_00, 250_00, 1_000_00][random.next(5)]
                    let invoicePause = random.next(8) == 0 ? Pause(reason: "random", since: F.at("2026-11-01 10:00"), until: startDay.adding(days: random.next(20))) : nil
                    let payments = owed < 250_00 ? [Payment(invoiceID: id, amount: Money(minorUnits: 1_000_00 - owed, currency: fixture.euro), valueDate: startDay.adding(days: -random.next(10)))] : []
                    invoices.append(fixture.invoice(id, due: due.description, owed: owed, gross: 1_000_00, pause: invoicePause, payments: payments))
                    // History: the first k stages went out on their nominal days, if those are past.
                    let stages = fixture.configuration.cadence
                    for (index, stage) in stages.prefix(random.next(stages.count + 1)).enumerated() {
                        let sentDay = due.adding(days: stage.offsetDays + index)
                        guard sentDay < startDay else { break }
                        contacts.append(.init(stage: stage.name, invoiceIDs: [id], at: F.at("\(sentDay) 09:30", zone: zone), deliveredAt: F.at("\(sentDay) 09:30", zone: zone)))
                    }
                }
                var negotiations: [PlannerInput.NegotiationState] = []
                if random.next(3) == 0, let covered = invoices.randomElement(using: &random) {
                    let id = nextNegotiation
                    nextNegotiation += 1
                    let opened = F.at("\(startDay.adding(days: -5)) 12:00")
                    let negotiation: Negotiation
                    switch random.next(3) {
                    case 0:
                        negotiation = Negotiation(id: id, clientID: client.id!, kind: .promise, invoiceIDs: [covered.invoice.id!], openedAt: opened, promisedDate: startDay.adding(days: random.next(20)))
                    case 1:
                        negotiation = Negotiation(
                            id: id, clientID: client.id!, kind: .plan, invoiceIDs: [covered.invoice.id!], openedAt: opened,
                            instalments: [
                                Instalment(dueDate: startDay.adding(days: 5 + random.next(10)), amount: Money(minorUnits: covered.balance.minorUnits / 2, currency: fixture.euro)),
                                Instalment(dueDate: startDay.adding(days: 30 + random.next(10)), amount: Money(minorUnits: covered.balance.minorUnits - covered.balance.minorUnits / 2, currency: fixture.euro)),
                            ])
                    default:
                        negotiation = Negotiation(id: id, clientID: client.id!, kind: .dispute, invoiceIDs: [covered.invoice.id!], openedAt: opened, reviewDate: startDay.adding(days: random.next(30)), reason: "random")
                    }
                    negotiations.append(.init(negotiation: negotiation))
                }
                clients.append(PlannerInput.ClientFile(client: client, invoices: invoices, contacts: contacts, negotiations: negotiations))
            }
            input = PlannerInput(clients: clients)
        }
    }

    static let seeds = Gen.int64(in: 0...Int64.max)

    @Test func neverTwoContactsToOneClientInsideTheGapNorOutsideTheWindow() async {
        await propertyCheck(count: 150, input: Self.seeds) { seed in
            let world = try World(seed: UInt64(seed))
            let events = world.fixture.planner.events(world.input, from: world.start, through: world.start.addingTimeInterval(60 * 86_400))
            for file in world.input.clients {
                let zone = TimeZone(identifier: file.client.timeZone!)!
                let window = SendWindow(policy: world.fixture.configuration.policy, timeZone: zone, country: file.client.country)
                let contacts = events.filter { $0.clientID == file.client.id && ($0.kind == .message || $0.kind == .task) }
                let days = contacts.map { window.day(of: $0.at) }
                for (earlier, later) in zip(days, days.dropFirst()) {
                    let gap = world.fixture.configuration.policy.minimumGapDays
                    #expect(earlier.days(until: later) >= gap, "seed \(seed): contacts to \(file.client.code) on \(earlier) and \(later), gap \(gap)")
                }
                for contact in contacts {
                    let day = window.day(of: contact.at)
                    #expect(window.opening(on: day, notBefore: contact.at) == contact.at, "seed \(seed): \(contact.stage ?? "") at \(contact.at) is outside the window")
                }
            }
        }
    }

    @Test func neverASkippedEscalationStage() async {
        await propertyCheck(count: 150, input: Self.seeds) { seed in
            let world = try World(seed: UInt64(seed))
            let stages = world.fixture.configuration.cadence
            let events = world.fixture.planner.events(world.input, from: world.start, through: world.start.addingTimeInterval(60 * 86_400))
            for file in world.input.clients {
                for state in file.invoices {
                    let id = state.invoice.id!
                    var reached = file.contacts.filter { $0.invoiceIDs.contains(id) }.compactMap { contact in stages.firstIndex { $0.name == contact.stage } }.max() ?? -1
                    for event in events where event.invoiceIDs.contains(id) {
                        guard let index = stages.firstIndex(where: { $0.name == event.stage }) else { continue }
                        let skipped = stages[(reached + 1)..<max(reached + 1, index)].filter { $0.offsetDays > 0 }
                        #expect(skipped.isEmpty, "seed \(seed): \(event.stage!) for invoice \(id) skipped \(skipped.map(\.name))")
                        #expect(index >= reached, "seed \(seed): stage went backwards for invoice \(id)")
                        reached = index
                    }
                }
            }
        }
    }

    @Test func neverAReminderAboutAPaidPausedOrFrozenInvoice() async {
        await propertyCheck(count: 150, input: Self.seeds) { seed in
            let world = try World(seed: UInt64(seed))
            let cadence = Set(world.fixture.configuration.cadence.map(\.name))
            let events = world.fixture.planner.events(world.input, from: world.start, through: world.start.addingTimeInterval(60 * 86_400))
            for file in world.input.clients {
                let window = SendWindow(policy: world.fixture.configuration.policy, timeZone: TimeZone(identifier: file.client.timeZone!)!, country: file.client.country)
                for event in events where event.clientID == file.client.id && cadence.contains(event.stage ?? "") {
                    let day = window.day(of: event.at)
                    #expect(!(file.client.pause?.isActive(on: day) ?? false), "seed \(seed): client \(file.client.code) paused on \(day)")
                    for id in event.invoiceIDs {
                        let state = file.invoices.first { $0.invoice.id == id }!
                        #expect(state.balance.minorUnits > 1_00, "seed \(seed): invoice \(id) is paid")
                        #expect(!(state.invoice.pause?.isActive(on: day) ?? false), "seed \(seed): invoice \(id) paused on \(day)")
                        for negotiation in file.negotiations.map(\.negotiation) where negotiation.invoiceIDs.contains(id) {
                            let ended = events.first { $0.negotiationID == negotiation.id && $0.kind != .message && $0.kind != .disputeReviewDue && $0.clientID == file.client.id }
                            #expect(ended.map { $0.at <= event.at } ?? false, "seed \(seed): invoice \(id) chased while \(negotiation.kind.rawValue) #\(negotiation.id!) is open")
                        }
                    }
                }
            }
        }
    }

    /// Runs the daemon's pass every 15 minutes for 60 days, recording what each pass plans as
    /// done (messages sent, negotiations closed, hand-overs marked), and compares with the
    /// forecast made at the start. The ledger's balances do not change meanwhile.
    @Test func sixtyDaysOfPassesEqualTheForecastOfDayZero() async {
        await propertyCheck(count: 25, input: Self.seeds) { seed in
            let world = try World(seed: UInt64(seed))
            let planner = world.fixture.planner
            let end = world.start.addingTimeInterval(60 * 86_400)
            let forecast = planner.events(world.input, from: world.start, through: end)
            var ledger = world.input
            var performed: [PlannedEvent] = []
            var clock = world.start
            while clock <= end {
                let pass = planner.events(ledger, from: clock, through: clock)
                performed += pass
                for event in pass { Self.record(event, in: &ledger) }
                clock = clock.addingTimeInterval(15 * 60)
            }
            #expect(world.fixture.describe(performed) == world.fixture.describe(forecast), "seed \(seed)")
        }
    }

    /// What the daemon writes to the ledger when it carries an event out.
    static func record(_ event: PlannedEvent, in input: inout PlannerInput) {
        guard let index = input.clients.firstIndex(where: { $0.client.id == event.clientID }) else { return }
        var file = input.clients[index]
        switch event.kind {
        case .message, .task:
            file.contacts.append(.init(stage: event.stage!, invoiceIDs: event.invoiceIDs, at: event.at, deliveredAt: event.at))
        case .handOver:
            file.handedOver.formUnion(event.invoiceIDs)
        case .promiseBroken, .planBroken, .promiseKept, .planCompleted:
            if let position = file.negotiations.firstIndex(where: { $0.negotiation.id == event.negotiationID }) {
                file.negotiations[position].negotiation.closedAt = event.at
                file.negotiations[position].negotiation.outcome = event.kind == .promiseBroken || event.kind == .planBroken ? .broken : .kept
            }
        case .disputeReviewDue:
            if let position = file.negotiations.firstIndex(where: { $0.negotiation.id == event.negotiationID }) {
                file.negotiations[position].recordedEvents.insert(event.kind.rawValue)
            }
        }
        input.clients[index] = file
    }
}
