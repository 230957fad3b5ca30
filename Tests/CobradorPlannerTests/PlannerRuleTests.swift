import CobradorCore
import Foundation
import Testing

/// One table test per planner rule. Dates: 2026-11-30 is a Monday; 2026-12-08 is a Spanish holiday.
@Suite struct PlannerRuleTests {
    typealias F = PlannerFixture

    @Test func theWholeLadderWithItsSpacingAndTheHandOver() throws {
        let fixture = try F()
        let file = PlannerInput.ClientFile(client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-12-03")])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 70) == [
            "2026-11-30 09:00 message before-due [F-1]",
            "2026-12-03 09:00 message due [F-1]",
            "2026-12-10 09:00 message reminder-1 [F-1]",
            "2026-12-18 09:00 message reminder-2 [F-1]",
            "2027-01-04 09:00 message formal-notice [F-1]",  // 2 January is a Saturday
            "2027-01-19 09:00 message final-notice [F-1]",  // 15 days after the late formal notice
            // The final notice's deadline, 2 February, ends before the 30 days the formal notice
            // gave a client in Spain to answer its invitation to negotiate (3 February).
            "2027-02-04 00:00 hand-over [F-1]",
        ])
    }

    /// LO 1/2025: no answer within 30 natural days of a formal notice's receipt is the failed
    /// attempt to negotiate a Spanish court claim needs; the final notice's pay-by date and the
    /// hand-over wait for it. A client elsewhere keeps the final notice's own 14 days.
    @Test func inSpainTheFinalNoticeAndTheHandOverWaitForTheNegotiationWindow() throws {
        let fixture = try F()
        for (country, payBy, handOver) in [("ES", "2027-02-03", "2027-02-04 00:00"), ("DE", "2027-02-02", "2027-02-03 00:00")] {
            let file = PlannerInput.ClientFile(client: F.client(1, "ACME", country: country), invoices: [fixture.invoice(1, due: "2026-12-03")])
            let begin = F.at("2026-11-30 08:00")
            let events = fixture.planner.events(PlannerInput(clients: [file]), from: begin, through: begin.addingTimeInterval(70 * 86_400))
            let finalNotice = try #require(events.first { $0.stage == "final-notice" })
            #expect(finalNotice.deadline == F.day(payBy), "\(country)")
            #expect(fixture.describe(events).last == "\(handOver) hand-over [F-1]", "\(country)")
            let formalNotice = try #require(events.first { $0.stage == "formal-notice" })
            #expect(formalNotice.deadline == F.day("2027-01-18"), "\(country): the formal notice keeps its own 14 days")
        }
    }

    /// One final notice about two invoices whose formal notices reached the client on 2 and 20
    /// November (the second after two weeks of retries) gives until the later window ends, and
    /// neither is handed over before the day it gave.
    @Test func aMessageAboutSeveralInvoicesGivesTheLatestOfTheirNegotiationWindows() throws {
        let fixture = try F()
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-10-03"), fixture.invoice(2, due: "2026-10-03")],
            contacts: [
                .init(stage: "reminder-2", invoiceIDs: [1, 2], at: F.at("2026-10-19 09:00"), deliveredAt: F.at("2026-10-19 09:00")),
                .init(stage: "formal-notice", invoiceIDs: [1], at: F.at("2026-11-02 09:00"), deliveredAt: F.at("2026-11-02 09:00")),
                .init(stage: "formal-notice", invoiceIDs: [2], at: F.at("2026-11-04 09:00"), deliveredAt: F.at("2026-11-20 12:00")),
            ])
        let begin = F.at("2026-11-23 08:00")
        let events = fixture.planner.events(PlannerInput(clients: [file]), from: begin, through: begin.addingTimeInterval(40 * 86_400))
        let finalNotice = try #require(events.first { $0.stage == "final-notice" })
        // 20 November + 30 is Sunday 20 December: Monday 21.
        #expect(finalNotice.invoiceNumbers == ["F-1", "F-2"] && finalNotice.deadline == F.day("2026-12-21"), "\(fixture.describe(events))")
        #expect(fixture.describe(events).filter { $0.contains("hand-over") } == ["2026-12-22 00:00 hand-over [F-1]", "2026-12-22 00:00 hand-over [F-2]"])
    }

    /// A cadence that ends with the formal notice hands a client in Spain over only after its
    /// 30 days; one whose formal notice waits for a retry starts no window yet.
    @Test func aLadderEndingAtTheFormalNoticeWaitsForItsWindowWhichOnlyADeliveredNoticeOpens() throws {
        let fixture = try F("""
            [[cadence.stage]]
            name = "reminder-1"
            offset_days = 7
            [[cadence.stage]]
            name = "formal-notice"
            offset_days = 30
            """)
        func handOver(delivered: Bool) -> [String] {
            let file = PlannerInput.ClientFile(
                client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-10-01")],
                contacts: [
                    .init(stage: "reminder-1", invoiceIDs: [1], at: F.at("2026-10-08 09:00"), deliveredAt: F.at("2026-10-08 09:00")),
                    .init(stage: "formal-notice", invoiceIDs: [1], at: F.at("2026-11-02 09:00"), deliveredAt: delivered ? F.at("2026-11-02 09:00") : nil),
                ])
            return fixture.forecast([file], from: "2026-11-10 08:00", days: 40).filter { $0.contains("hand-over") }
        }
        // 14 days would be 16 November; the window ends 2 December.
        #expect(handOver(delivered: true) == ["2026-12-03 00:00 hand-over [F-1]"])
        // Not delivered yet: its window runs from the day planned at the earliest (10 November).
        #expect(handOver(delivered: false) == ["2026-12-11 00:00 hand-over [F-1]"])
    }

    @Test func afterDowntimeOnlyTheNextStageGoesAndTheOneAfterWaitsItsGap() throws {
        let fixture = try F()
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-09-01")],
            contacts: [.init(stage: "reminder-1", invoiceIDs: [1], at: F.at("2026-09-08 09:00"))])
        let pass = fixture.planner.events(PlannerInput(clients: [file]), from: F.at("2026-11-30 10:30"), through: F.at("2026-11-30 10:30"))
        #expect(fixture.describe(pass) == ["2026-11-30 10:30 message reminder-2 [F-1]"])
        #expect(fixture.forecast([file], from: "2026-11-30 10:30", days: 20) == [
            "2026-11-30 10:30 message reminder-2 [F-1]",
            "2026-12-15 09:00 message formal-notice [F-1]",
        ])
    }

    @Test func anInvoiceFirstSeenLongOverdueStartsAtTheFirstReminder() throws {
        let fixture = try F()
        let file = PlannerInput.ClientFile(client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-08-01")])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 10) == [
            "2026-11-30 09:00 message reminder-1 [F-1]",
            "2026-12-08 09:00 message reminder-2 [F-1]",  // the gap between reminder-1 and reminder-2
        ])
        let why = fixture.planner.explain(PlannerInput(clients: [file]), invoiceID: 1, at: F.at("2026-11-30 08:00"))
        #expect(why.contains("before-due lapsed: the invoice is already past due"))
        #expect(why.contains("due lapsed: the invoice is already past reminder-1"))
    }

    @Test func oneVoicePerClientTheMostAdvancedStageFirstAndSameStageInvoicesTogether() throws {
        let fixture = try F()
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"),
            invoices: [fixture.invoice(1, due: "2026-11-10"), fixture.invoice(2, due: "2026-11-10"), fixture.invoice(3, due: "2026-11-20")],
            contacts: [
                .init(stage: "reminder-1", invoiceIDs: [1, 2], at: F.at("2026-11-17 09:00")),
                .init(stage: "due", invoiceIDs: [3], at: F.at("2026-11-20 09:00")),
            ])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 2) == [
            "2026-11-30 09:00 message reminder-2 [F-1,F-2]",
            "2026-12-01 09:00 message reminder-1 [F-3]",
        ])
    }

    @Test func theWindowIsTheClientsAndAWeekendOrHolidayOnlyDelays() throws {
        let fixture = try F("[policy.holidays]\nES = [2026-12-08]\n[policy]\ntime_zone = \"Europe/Madrid\"")
        let london = PlannerInput.ClientFile(client: F.client(1, "BRIT", zone: "Europe/London", country: "GB"), invoices: [fixture.invoice(1, due: "2026-11-28")])
        let madrid = PlannerInput.ClientFile(client: F.client(2, "ACME"), invoices: [fixture.invoice(2, due: "2026-12-05")])
        #expect(fixture.forecast([london, madrid], from: "2026-11-28 12:00", days: 16) == [
            "2026-11-30 10:00 message due [F-1]",  // Saturday's due date, sent Monday 09:00 in London
            "2026-12-02 09:00 message before-due [F-2]",
            "2026-12-07 09:00 message due [F-2]",  // Saturday 12-05 -> Monday
            "2026-12-07 10:00 message reminder-1 [F-1]",
            "2026-12-14 09:00 message reminder-1 [F-2]",  // 7 days after the late due message, not 7 after 12-05
        ])
    }

    @Test func regionalHolidaysApplyToClientsOfThatRegionOnly() throws {
        let fixture = try F("[policy]\ntime_zone = \"Europe/Madrid\"\n[policy.holidays]\nES-MD = [2026-11-30]")
        var madrid = F.client(1, "MAD")
        madrid.region = "ES-MD"
        let files = [
            PlannerInput.ClientFile(client: madrid, invoices: [fixture.invoice(1, due: "2026-11-01")]),
            PlannerInput.ClientFile(client: F.client(2, "BCN"), invoices: [fixture.invoice(2, due: "2026-11-01")]),
        ]
        #expect(fixture.forecast(files, from: "2026-11-30 08:00", days: 2) == [
            "2026-11-30 09:00 message reminder-1 [F-2]",
            "2026-12-01 09:00 message reminder-1 [F-1]",
        ])
    }

    @Test func balancesWithinTheToleranceAreNotChased() throws {
        let fixture = try F("[policy]\ntime_zone = \"Europe/Madrid\"\n[policy.tolerance]\nEUR = \"1.00\"")
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01", owed: 1_00), fixture.invoice(2, due: "2026-11-01", owed: 1_01)])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 1) == ["2026-11-30 09:00 message reminder-1 [F-2]"])
    }

    @Test func pausesHoldUntilTheirLastDayAndThenResumeByThemselves() throws {
        let fixture = try F()
        let pause = Pause(reason: "Holiday", since: F.at("2026-11-01 10:00"), until: F.day("2026-12-02"))
        let paused = PlannerInput.ClientFile(client: F.client(1, "ACME", pause: pause), invoices: [fixture.invoice(1, due: "2026-11-10")])
        let invoicePaused = PlannerInput.ClientFile(client: F.client(2, "OLIVO"), invoices: [fixture.invoice(2, due: "2026-11-10", pause: pause), fixture.invoice(3, due: "2026-11-23")])
        #expect(fixture.forecast([paused, invoicePaused], from: "2026-11-30 08:00", days: 4) == [
            "2026-11-30 09:00 message reminder-1 [F-3]",
            "2026-12-03 09:00 message reminder-1 [F-1]",
            "2026-12-03 09:00 message reminder-1 [F-2]",
        ])
    }

    @Test func aBrokenPromiseResumesEscalationAfterItsGrace() throws {
        let fixture = try F()
        let promise = Negotiation(
            id: 7, clientID: 1, kind: .promise, invoiceIDs: [1], openedAt: F.at("2026-11-20 10:00"), promisedDate: F.day("2026-12-01"))
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01")],
            contacts: [.init(stage: "reminder-1", invoiceIDs: [1], at: F.at("2026-11-09 09:00"))], negotiations: [.init(negotiation: promise)])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 16) == [
            "2026-12-05 00:00 promise-broken [F-1]",  // 1 December + 3 days of grace
            "2026-12-07 09:00 message promise-broken [F-1]",  // the first working day
            // Escalation resumes at the next stage, spaced from the promise-broken message as
            // from the stage before it (reminder-2 comes 8 days after reminder-1).
            "2026-12-15 09:00 message reminder-2 [F-1]",
        ])
    }

    /// The client broke a promise, then called: the owner recorded a dispute on one invoice.
    /// The broken promise's notice speaks only of the other; a new promise on both silences it.
    @Test func aNegotiationOpenedAfterABreakSupersedesItsNotice() throws {
        let fixture = try F()
        let broken = Negotiation(
            id: 7, clientID: 1, kind: .promise, invoiceIDs: [1, 2], openedAt: F.at("2026-11-10 10:00"), promisedDate: F.day("2026-11-24"),
            closedAt: F.at("2026-11-28 00:00"), outcome: .broken)
        let dispute = Negotiation(id: 8, clientID: 1, kind: .dispute, invoiceIDs: [1], openedAt: F.at("2026-11-28 15:00"), reason: "Hours")
        let invoices = [fixture.invoice(1, due: "2026-11-01"), fixture.invoice(2, due: "2026-11-01")]
        let reminded = [PlannerInput.PastContact(stage: "reminder-1", invoiceIDs: [1, 2], at: F.at("2026-11-09 09:00"))]
        let disputed = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: invoices, contacts: reminded, negotiations: [.init(negotiation: broken), .init(negotiation: dispute)])
        #expect(fixture.forecast([disputed], from: "2026-11-30 08:00", days: 3) == ["2026-11-30 09:00 message promise-broken [F-2]"])
        let promise = Negotiation(
            id: 9, clientID: 1, kind: .promise, invoiceIDs: [1, 2], openedAt: F.at("2026-11-29 11:00"), promisedDate: F.day("2026-12-15"))
        let promisedAgain = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: invoices, contacts: reminded, negotiations: [.init(negotiation: broken), .init(negotiation: promise)])
        #expect(fixture.forecast([promisedAgain], from: "2026-11-30 08:00", days: 3).isEmpty)
        // A dispute on both, resolved a week later with the invoices still owed, does not bring
        // the old notice back: escalation simply resumes.
        let resolved = Negotiation(
            id: 8, clientID: 1, kind: .dispute, invoiceIDs: [1, 2], openedAt: F.at("2026-11-28 15:00"), reason: "Hours",
            closedAt: F.at("2026-12-05 10:00"), outcome: .resolved)
        let afterTheDispute = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: invoices, contacts: reminded, negotiations: [.init(negotiation: broken), .init(negotiation: resolved)])
        #expect(!fixture.forecast([afterTheDispute], from: "2026-12-07 08:00", days: 3).contains { $0.contains("promise-broken") })
    }

    /// A dispute resolved with the invoice still owed: escalation resumes spaced from the
    /// resolution as from the stage before, not with a reminder the next morning.
    @Test func afterADisputeEndsTheNextStageKeepsItsSpacing() throws {
        let fixture = try F()
        let dispute = Negotiation(
            id: 4, clientID: 1, kind: .dispute, invoiceIDs: [1], openedAt: F.at("2026-11-10 10:00"), reason: "Hours",
            closedAt: F.at("2026-11-27 12:00"), outcome: .resolved)
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01")],
            contacts: [.init(stage: "reminder-1", invoiceIDs: [1], at: F.at("2026-11-09 09:00"))], negotiations: [.init(negotiation: dispute)])
        // reminder-2 comes 8 days after reminder-1 in the cadence: 27 November + 8 = Saturday 5 December, so Monday.
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 10) == ["2026-12-07 09:00 message reminder-2 [F-1]"])
    }

    /// A notice held back by a dispute on its invoice does not hold back another client
    /// notice about another invoice.
    @Test func aNoticeHeldBackDoesNotHoldBackTheNext() throws {
        let fixture = try F()
        let broken = Negotiation(
            id: 7, clientID: 1, kind: .promise, invoiceIDs: [1], openedAt: F.at("2026-11-10 10:00"), promisedDate: F.day("2026-11-24"),
            closedAt: F.at("2026-11-28 00:00"), outcome: .broken)
        let dispute = Negotiation(id: 6, clientID: 1, kind: .dispute, invoiceIDs: [1], openedAt: F.at("2026-11-05 10:00"), reason: "Hours")
        let plan = Negotiation(
            id: 8, clientID: 1, kind: .plan, invoiceIDs: [2], openedAt: F.at("2026-11-01 10:00"),
            instalments: [Instalment(dueDate: F.day("2026-11-20"), amount: Money(minorUnits: 100_00, currency: fixture.euro))],
            closedAt: F.at("2026-11-29 00:00"), outcome: .broken)
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01"), fixture.invoice(2, due: "2026-11-01")],
            negotiations: [.init(negotiation: broken), .init(negotiation: dispute), .init(negotiation: plan)])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 1) == ["2026-11-30 09:00 message plan-broken [F-2]"])
    }

    @Test func holdsDelayTheHandOverToo() throws {
        let fixture = try F()
        let dispute = Negotiation(id: 4, clientID: 1, kind: .dispute, invoiceIDs: [1], openedAt: F.at("2026-11-25 10:00"), reason: "Hours")
        let finalNotice = PlannerInput.PastContact(stage: "final-notice", invoiceIDs: [1], at: F.at("2026-11-20 09:00"))
        let disputed = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-10-01")], contacts: [finalNotice], negotiations: [.init(negotiation: dispute)])
        #expect(fixture.forecast([disputed], from: "2026-11-30 08:00", days: 30).isEmpty)
        let pause = Pause(reason: "Waiting for PO", since: F.at("2026-11-25 10:00"), until: F.day("2026-12-10"))
        let paused = PlannerInput.ClientFile(client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-10-01", pause: pause)], contacts: [finalNotice])
        #expect(fixture.forecast([paused], from: "2026-11-30 08:00", days: 30) == ["2026-12-11 00:00 hand-over [F-1]"])
    }

    @Test func aPausedClientGetsNoNegotiationMessagesEither() throws {
        let fixture = try F()
        let pause = Pause(reason: "Call in January", since: F.at("2026-11-28 10:00"), until: F.day("2026-12-13"))
        let promise = Negotiation(
            id: 7, clientID: 1, kind: .promise, invoiceIDs: [1], openedAt: F.at("2026-11-10 10:00"), promisedDate: F.day("2026-11-20"),
            closedAt: F.at("2026-11-28 00:00"), outcome: .broken)
        let plan = Negotiation(
            id: 3, clientID: 1, kind: .plan, invoiceIDs: [2], openedAt: F.at("2026-11-25 10:00"),
            instalments: [Instalment(dueDate: F.day("2026-12-10"), amount: Money(minorUnits: 100_00, currency: fixture.euro))])
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME", pause: pause), invoices: [fixture.invoice(1, due: "2026-11-01"), fixture.invoice(2, due: "2026-11-01")],
            negotiations: [.init(negotiation: promise), .init(negotiation: plan)])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 16) == [
            "2026-12-14 00:00 plan-broken [F-2]",  // the instalment of 12-10 was not paid
            "2026-12-14 09:00 message promise-broken [F-1]",  // the first day after the pause
            "2026-12-15 09:00 message plan-broken [F-2]",
        ])
    }

    @Test func afterDowntimeAStaleRepeatLapsesForTheStageThatIsDue() throws {
        var fixture = try F()
        fixture.configuration.cadence[2].repeatEveryDays = 3
        fixture.configuration.cadence[2].repeatTimes = 2
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-02")],
            contacts: [.init(stage: "reminder-1", invoiceIDs: [1], at: F.at("2026-11-09 09:00"))])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 10) == ["2026-11-30 09:00 message reminder-2 [F-1]"])
    }

    /// With the send window open at the moment a promise breaks, the transition and its
    /// message share a moment: the transition comes first, so the sent log records the broken
    /// promise before the message that says so.
    @Test func atOneMomentAClientsTransitionComesBeforeItsMessage() {
        let moment = F.at("2026-12-11 00:00")
        func event(_ kind: PlannedEvent.Kind, _ client: String) -> PlannedEvent {
            PlannedEvent(
                kind: kind, at: moment, clientID: 1, clientCode: client, stage: kind == .message ? "promise-broken" : nil, template: nil, channel: nil,
                invoiceIDs: [1], invoiceNumbers: ["F-1"], negotiationID: 1, reasons: [])
        }
        let events = [event(.message, "CLIFF"), event(.promiseBroken, "CLIFF"), event(.message, "ACME")].sorted(by: Planner.order)
        #expect(events.map { "\($0.clientCode) \($0.kind.rawValue)" } == ["ACME message", "CLIFF promise-broken", "CLIFF message"])
    }

    @Test func aKeptPromiseEndsByItself() throws {
        let fixture = try F()
        let promise = Negotiation(id: 7, clientID: 1, kind: .promise, invoiceIDs: [1], openedAt: F.at("2026-11-20 10:00"), promisedDate: F.day("2026-12-01"))
        let file = PlannerInput.ClientFile(client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01", owed: 0, gross: 100_00)], negotiations: [.init(negotiation: promise)])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 3) == ["2026-11-30 08:00 promise-kept [F-1]"])
    }

    @Test func aPlanRemindsBeforeAndOnEachInstalmentAndBreaksWhenOneIsMissed() throws {
        let fixture = try F()
        let plan = Negotiation(
            id: 3, clientID: 1, kind: .plan, invoiceIDs: [1], openedAt: F.at("2026-11-25 10:00"),
            instalments: [
                Instalment(dueDate: F.day("2026-12-10"), amount: Money(minorUnits: 50_00, currency: fixture.euro)),
                Instalment(dueDate: F.day("2027-01-11"), amount: Money(minorUnits: 50_00, currency: fixture.euro)),
            ])
        let paidFirst = Payment(invoiceID: 1, amount: Money(minorUnits: 50_00, currency: fixture.euro), valueDate: F.day("2026-11-26"))
        let keeping = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01", owed: 50_00, gross: 100_00, payments: [paidFirst])],
            negotiations: [.init(negotiation: plan)])
        #expect(fixture.forecast([keeping], from: "2026-11-30 08:00", days: 47) == [
            "2027-01-08 09:00 message instalment-reminder [F-1]",
            "2027-01-11 09:00 message instalment-reminder [F-1]",
            "2027-01-15 00:00 plan-broken [F-1]",
            "2027-01-15 09:00 message plan-broken [F-1]",
        ])
        let reasons = fixture.planner.events(PlannerInput(clients: [keeping]), from: F.at("2026-11-30 08:00"), through: F.at("2027-01-16 08:00"))
            .first { $0.kind == .planBroken }?.reasons ?? []
        #expect(reasons.first?.contains("the instalment of 2027-01-11 (50.00 EUR) was not paid") == true)
        let reminders = fixture.planner.events(PlannerInput(clients: [keeping]), from: F.at("2026-11-30 08:00"), through: F.at("2027-01-12 08:00"))
            .filter { $0.template == "instalment-reminder" }.map { $0.reasons.first ?? "" }
        #expect(reminders == ["instalment of 2027-01-11 (50.00 EUR) of plan #3 is due in 3 days", "instalment of 2027-01-11 (50.00 EUR) of plan #3 is due today"])
    }

    /// ACME's plan #`id` for invoice 1, opened on 25 November: one instalment of 100.00 EUR.
    static func plan(id: Int64, oneInstalmentOn day: String, _ fixture: F) -> Negotiation {
        Negotiation(
            id: id, clientID: 1, kind: .plan, invoiceIDs: [1], openedAt: F.at("2026-11-25 10:00"),
            instalments: [Instalment(dueDate: F.day(day), amount: Money(minorUnits: 100_00, currency: fixture.euro))])
    }

    /// The reminder 3 days before a Tuesday instalment falls on a Saturday: it goes on the
    /// Friday before, not on Monday, the day before the instalment (where another message for
    /// the client could take the day and drop it), and its reason counts the days from Friday.
    @Test func anInstalmentReminderOnAWeekendGoesTheOpenDayBefore() throws {
        let fixture = try F()
        let plan = Self.plan(id: 5, oneInstalmentOn: "2027-01-12", fixture)
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01", owed: 100_00, gross: 100_00)], negotiations: [.init(negotiation: plan)])
        let events = fixture.planner.events(PlannerInput(clients: [file]), from: F.at("2027-01-07 08:00"), through: F.at("2027-01-12 08:00"))
        let first = try #require(events.first { $0.template == "instalment-reminder" })
        #expect(fixture.describe([first]) == ["2027-01-08 09:00 message instalment-reminder [F-1]"])
        #expect(first.reasons.first == "instalment of 2027-01-12 (100.00 EUR) of plan #5 is due in 4 days", "\(first.reasons)")
    }

    /// The plan-broken message asks to pay by its deadline: the cadence waits for that day to pass.
    @Test func escalationAfterABrokenPlanWaitsForTheDeadlineItsMessageGave() throws {
        let fixture = try F()
        let plan = Self.plan(id: 3, oneInstalmentOn: "2026-12-10", fixture)
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01")],
            contacts: [.init(stage: "reminder-1", invoiceIDs: [1], at: F.at("2026-11-09 09:00"))], negotiations: [.init(negotiation: plan)])
        let forecast = fixture.forecast([file], from: "2026-11-30 08:00", days: 40)
        #expect(forecast == [
            "2026-12-07 09:00 message instalment-reminder [F-1]",
            "2026-12-10 09:00 message instalment-reminder [F-1]",
            "2026-12-14 00:00 plan-broken [F-1]",
            "2026-12-14 09:00 message plan-broken [F-1]",  // "please pay it by 28 December"
            "2026-12-29 09:00 message reminder-2 [F-1]",  // not before the day after that deadline
        ], "\(forecast)")
    }

    @Test func aDisputeFreezesItsInvoicesAndTellsTheOwnerOnItsReviewDate() throws {
        let fixture = try F()
        let dispute = Negotiation(id: 4, clientID: 1, kind: .dispute, invoiceIDs: [1], openedAt: F.at("2026-11-20 10:00"), reviewDate: F.day("2026-12-02"), reason: "Hours")
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01"), fixture.invoice(2, due: "2026-11-23")],
            negotiations: [.init(negotiation: dispute)])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 10) == [
            "2026-11-30 09:00 message reminder-1 [F-2]",
            "2026-12-02 00:00 dispute-review-due [F-1]",
            "2026-12-08 09:00 message reminder-2 [F-2]",
        ])
        let recorded = PlannerInput.ClientFile(
            client: file.client, invoices: file.invoices, negotiations: [.init(negotiation: dispute, recordedEvents: ["dispute-review-due"])])
        #expect(!fixture.forecast([recorded], from: "2026-11-30 08:00", days: 10).contains { $0.contains("dispute-review-due") })
    }

    @Test func aThankYouFollowsAChasedInvoicePaidInFull() throws {
        var fixture = try F()
        let paid = Payment(invoiceID: 1, amount: Money(minorUnits: 100_00, currency: fixture.euro), valueDate: F.day("2026-11-28"))
        let file = PlannerInput.ClientFile(
            client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-01", owed: 0, gross: 100_00, payments: [paid])],
            contacts: [.init(stage: "reminder-1", invoiceIDs: [1], at: F.at("2026-11-09 09:00"))])
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 5).isEmpty)
        fixture.configuration.policy.thankYou = true
        #expect(fixture.forecast([file], from: "2026-11-30 08:00", days: 5) == ["2026-11-30 09:00 message thank-you [F-1]"])
    }

    @Test func tasksRepeatsAndProfiles() throws {
        let fixture = try F("""
            [[cadence.stage]]
            name = "due"
            offset_days = 0
            repeat_every_days = 3
            repeat_times = 2
            [[cadence.stage]]
            name = "call"
            offset_days = 10
            channel = "call"
            [[profile]]
            name = "vip"
            clients = ["VIP"]
            [[profile.stage]]
            name = "reminder-1"
            offset_days = 14
            """)
        let regular = PlannerInput.ClientFile(client: F.client(1, "ACME"), invoices: [fixture.invoice(1, due: "2026-11-30")])
        let vip = PlannerInput.ClientFile(client: F.client(2, "VIP"), invoices: [fixture.invoice(2, due: "2026-11-30")])
        #expect(fixture.forecast([regular, vip], from: "2026-11-30 08:00", days: 15) == [
            "2026-11-30 09:00 message due [F-1]",
            "2026-12-03 09:00 message due [F-1]",
            "2026-12-07 09:00 message due [F-1]",  // 12-06 is a Sunday
            "2026-12-10 09:00 task call [F-1]",
            "2026-12-14 09:00 message reminder-1 [F-2]",
        ])
    }
}
