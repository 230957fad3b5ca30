import CobradorCore
import Foundation

/// The values templates can use. Every key is listed in README's template section; `sample`
/// holds all of them, so `cobrador check` can render each template and find a variable the
/// context does not have. Built typed (`TemplateContext`), keys in order, for the skeletons.
package enum MessageContext {
    package static func context(_ facts: MessageFacts) -> TemplateContext {
        let format = LocalizedFormat(language: facts.client.language)
        let invoices = facts.invoices.map { item -> TemplateContext in
            .object(
                .init("concept", .text(item.invoice.concept)), .init("days_overdue", .text(String(max(0, item.invoice.dueDate.days(until: facts.day))))),
                .init("due_date", .text(format.date(item.invoice.dueDate))), .init("gross", .text(format.money(item.invoice.gross))),
                .init("issue_date", .text(format.date(item.invoice.issueDate))), .init("number", .text(item.invoice.number)),
                .init("outstanding", .text(format.money(item.outstanding))), .init("paid", .text(format.money(item.paid))),
                // A part already paid is acknowledged next to what is still owed.
                .init("partly_paid", .flag(item.paid.minorUnits > 0 && item.outstanding.minorUnits > 0)))
        }
        var totals: [Currency: Int64] = [:]
        for item in facts.invoices { totals[item.outstanding.currency, default: 0] += item.outstanding.minorUnits }
        let totalList = totals.keys.sorted().map { format.money(Money(minorUnits: totals[$0]!, currency: $0)) }
        let earliestDue = facts.invoices.map(\.invoice.dueDate).min() ?? facts.day
        var negotiation = TemplateContext.flag(false)
        var instalment = TemplateContext.flag(false)
        if let open = facts.negotiation {
            let unpaid = facts.instalment ?? open.instalments.first { $0.dueDate >= facts.day } ?? open.instalments.last
            // The planner's (a plan-broken message's missed instalment), else the last one past.
            let missed = facts.instalment.flatMap { $0.dueDate < facts.day ? $0 : nil } ?? open.instalments.last { $0.dueDate < facts.day }
            negotiation = .object(
                .init("kind", .text(open.kind.rawValue)), .init("missed_date", .text(missed.map { format.date($0.dueDate) } ?? "")),
                .init("opened_date", .text(format.date(CalendarDate(open.openedAt, in: TimeZone(identifier: "UTC")!)))),
                .init("promised_date", .text(open.promisedDate.map(format.date) ?? "")))
            if let unpaid {
                // A reminder may go on the day, or after it within the grace days (a Sunday due date).
                instalment = .object(
                    .init("amount", .text(format.money(unpaid.amount))), .init("due_date", .text(format.date(unpaid.dueDate))),
                    .init("due_today", .flag(unpaid.dueDate == facts.day)), .init("past_due", .flag(unpaid.dueDate < facts.day)))
            }
        }
        return .object(
            // A part already received is applied on account, reserving interest and costs (Civil Code 1110).
            .init("any_partly_paid", .flag(facts.invoices.contains { $0.paid.minorUnits > 0 && $0.outstanding.minorUnits > 0 })),
            // Statutory interest and compensation, or false.
            .init("claim", claim(facts, format: format) ?? .flag(false)),
            .init(
                "client",
                .object(
                    .init("address", .text(facts.client.postalAddress ?? "")), .init("code", .text(facts.client.code)),
                    // Spain's prior-negotiation rule (Organic Law 1/2025) concerns a debtor sued there.
                    .init("in_spain", .flag(facts.client.country == "ES")),
                    // "Letter before claim" is English law's name for the formal notice.
                    .init("in_uk", .flag(facts.client.country == "GB")),
                    // A company is greeted as a client ("Estimado cliente:"), a person by name.
                    .init("is_company", .flag(facts.client.debtorKind == .company)),
                    // A consumer owes no recovery costs: reservations of rights leave them out.
                    .init("is_consumer", .flag(facts.client.debtorKind == .consumer)), .init("name", .text(facts.client.name)),
                    // The letter before claim follows the Pre-Action Protocol for Debt Claims.
                    .init("pre_action_protocol", .flag(ContactPolicy.preActionProtocol(for: facts.client))),
                    .init("tax_id", .textOrFalse(facts.client.taxID)))),
            .init("date", .text(format.date(facts.day))),
            .init("deadline", .text(format.date(facts.deadline))),
            .init("due_date", .text(format.date(earliestDue))),
            .init("instalment", instalment),
            .init("invoices", .list(invoices)),
            .init("negotiation", negotiation),
            // A message held back past the due date (a weekend, another message that day)
            // says it fell due, not that it falls due.
            .init("past_due", .flag(earliestDue < facts.day)),
            // For the wording: "la factura" or "las facturas".
            .init("several_invoices", .flag(facts.invoices.count > 1)),
            .init(
                "payment",
                .object(
                    .init("iban", .textOrFalse(facts.sender.iban)), .init("instructions", .textOrFalse(facts.sender.paymentInstructions)),
                    .init("link", .textOrFalse(facts.sender.paymentLink)), .init("reference", .text(facts.invoices.map(\.invoice.number).joined(separator: ", "))))),
            .init(
                "sender",
                .object(
                    .init("address", .textOrFalse(facts.sender.address)), .init("email", .text(facts.sender.email)),
                    .init("legal_name", .text(facts.sender.legalName)), .init("signature", .textOrFalse(facts.sender.signature)),
                    .init("tax_id", .textOrFalse(facts.sender.taxID)))),
            .init("stage", .text(facts.stage)),
            .init("total", .text(totalList.joined(separator: " + "))),
            .init("totals", .list(totalList.map { .object(.init("amount", .text($0))) })))
    }

    /// The context as the nested dictionaries swift-mustache renders.
    package static func dictionary(_ facts: MessageFacts) -> [String: Any] {
        context(facts).rendered as! [String: Any]
    }

    /// The claim of a notice: every interest line and compensation in words a debtor can check,
    /// and the total as of the message's day. Nil when nothing is owed beyond the balance.
    private static func claim(_ facts: MessageFacts, format: LocalizedFormat) -> TemplateContext? {
        let spanish = facts.client.language == .es
        var lines: [String] = []
        var extras: [Currency: Int64] = [:]
        var totals: [Currency: Int64] = [:]
        for (number, breakdown) in facts.claims {
            for line in breakdown.lines {
                let rate = format.percent(line.percent)
                let period = spanish
                    ? "del \(format.date(line.from)) al \(format.date(line.through)), \(line.days) \(line.days == 1 ? "día" : "días") sobre \(format.money(line.base)) al \(rate) anual (año de \(line.divisor) días)"
                    : "\(format.date(line.from)) to \(format.date(line.through)), \(line.days) \(line.days == 1 ? "day" : "days") on \(format.money(line.base)) at \(rate) a year (\(line.divisor)-day year)"
                let provisional = line.provisional ? (spanish ? " (tipo provisional)" : " (provisional rate)") : ""
                lines.append("  " + (spanish ? "Intereses, factura \(number): " : "Interest, invoice \(number): ") + period + ": " + format.money(line.amount) + provisional)
                extras[line.amount.currency, default: 0] += line.amount.minorUnits
            }
            if let compensation = breakdown.compensation {
                lines.append("  " + (spanish ? "Indemnización por costes de cobro, factura \(number): " : "Fixed compensation for recovery costs, invoice \(number): ") + format.money(compensation))
                extras[compensation.currency, default: 0] += compensation.minorUnits
            }
            totals[breakdown.outstanding.currency, default: 0] += breakdown.outstanding.minorUnits
        }
        guard !lines.isEmpty else { return nil }
        for (currency, amount) in extras { totals[currency, default: 0] += amount }
        func list(_ amounts: [Currency: Int64]) -> String {
            amounts.keys.sorted().map { format.money(Money(minorUnits: amounts[$0]!, currency: $0)) }.joined(separator: " + ")
        }
        let provisional = facts.claims.contains { $0.breakdown.usesProvisionalRate }
        if provisional {
            lines.append(spanish
                ? "  Uno o más tipos aplicados son provisionales y se ajustarán a los que se publiquen oficialmente."
                : "  One or more rates are provisional and will be adjusted to the officially published ones.")
        }
        lines.append(spanish ? "  Los intereses siguen devengándose hasta el pago." : "  Interest keeps accruing until payment.")
        return .object(
            .init("as_of", .text(format.date(facts.day))), .init("basis", .text(basis(facts.claims.map(\.breakdown), spanish: spanish))),
            .init("extras", .text(list(extras))), .init("summary", .text(lines.joined(separator: "\n"))), .init("total", .text(list(totals))))
    }

    /// What the claim rests on and what it adds, in one sentence: the late-payment law, named
    /// where cobrador knows it, only for statutory interest and compensation; the contract for a
    /// rate agreed in it (a consumer's debt, or one under no such law, is claimed on the
    /// contract alone).
    package static func basis(_ breakdowns: [InterestBreakdown], spanish: Bool) -> String {
        let statutory = breakdowns.filter { (!$0.byContract && !$0.lines.isEmpty) || $0.compensation != nil }
        let contractInterest = breakdowns.contains { $0.byContract && !$0.lines.isEmpty }
        let statutoryInterest = statutory.contains { !$0.byContract && !$0.lines.isEmpty }
        let compensation = statutory.contains { $0.compensation != nil }
        var laws: [String] = []
        for regime in InterestRegime.allCases where statutory.contains(where: { $0.regime == regime }) {
            let claimed = statutory.filter { $0.regime == regime }
            let law = law(
                regime, interest: claimed.contains { !$0.byContract && !$0.lines.isEmpty }, compensation: claimed.contains { $0.compensation != nil }, spanish: spanish)
            if !laws.contains(law) { laws.append(law) }
        }
        if spanish {
            let grounds = laws + (contractInterest ? ["lo pactado en nuestro contrato"] : [])
            let interest = statutoryInterest || contractInterest ? (statutory.isEmpty ? "intereses de demora al tipo pactado" : "intereses de demora") : nil
            let items = [interest, compensation ? "la indemnización por costes de cobro" : nil].compactMap { $0 }
            return "Conforme a " + grounds.joined(separator: " y a ") + ", se " + (interest == nil ? "debe" : "deben") + " además " + items.joined(separator: " y ")
        }
        let grounds = laws + (contractInterest ? ["our contract"] : [])
        let interest = statutoryInterest || contractInterest ? (statutory.isEmpty ? "interest at the agreed rate" : "interest") : nil
        let items = [interest, compensation ? "fixed compensation for recovery costs" : nil].compactMap { $0 }
        return "Under " + grounds.joined(separator: " and ") + ", " + items.joined(separator: " and ") + (items.count > 1 ? " are" : " is") + " also due"
    }

    /// The statute behind a regime's statutory interest and compensation, by its official title
    /// and with the articles claimed (interest: arts. 5 and 7; compensation: art. 8) where it is
    /// Spain's; generic where the regime covers several countries' laws. (A consumer's debt has
    /// no statutory lines: see `InterestCalculator`.)
    private static func law(_ regime: InterestRegime, interest: Bool, compensation: Bool, spanish: Bool) -> String {
        switch regime {
        case .spainBusiness:
            let articles = interest && compensation ? (spanish ? "arts. 5, 7 y 8" : "arts. 5, 7 and 8") : interest ? (spanish ? "arts. 5 y 7" : "arts. 5 and 7") : "art. 8"
            return spanish
                ? "la Ley 3/2004, de 29 de diciembre, por la que se establecen medidas de lucha contra la morosidad en las operaciones comerciales (\(articles))"
                : "Spanish Law 3/2004 of 29 December, establishing measures to combat late payment in commercial transactions (\(articles))"
        case .ukBusiness:
            return spanish ? "la Late Payment of Commercial Debts (Interest) Act 1998 del Reino Unido" : "the Late Payment of Commercial Debts (Interest) Act 1998"
        case .spainConsumer, .euBusiness, .none:
            return spanish ? "la normativa de morosidad aplicable" : "the applicable late-payment legislation"
        }
    }

    /// A context with every key set, in `language`, for checking templates.
    package static func sample(_ language: Language, sender: Configuration.Sender) -> [String: Any] {
        var context = dictionary(sampleFacts(language, sender: sender))
        context["claim"] = [
            "basis": "Under the applicable late-payment legislation, interest is also due", "summary": "interest and compensation", "as_of": "30/11/2026",
            "total": "1.900,00 €", "extras": "85,00 €",
        ]
        return context
    }

    /// Facts that fill every key but the claim: an overdue invoice under an instalment plan.
    package static func sampleFacts(_ language: Language, sender: Configuration.Sender) -> MessageFacts {
        let euro = Currency(code: "EUR")!
        let day = CalendarDate(iso: "2026-11-30")!
        var senderWithAll = sender
        senderWithAll.taxID = senderWithAll.taxID ?? "12345678Z"
        senderWithAll.iban = senderWithAll.iban ?? "ES91 2100 0418 4502 0005 1332"
        senderWithAll.paymentLink = senderWithAll.paymentLink ?? "https://pay.example.com/sample"
        senderWithAll.paymentInstructions = senderWithAll.paymentInstructions ?? "Bank transfer"
        let client = Client(
            code: "SAMPLE", name: "Cliente de Muestra S.L.", emails: ["sample@example.com"], language: language, country: "ES",
            debtorKind: .company, taxID: "B00000000", postalAddress: "Calle Mayor 1, 28013 Madrid")
        let invoice = Invoice(
            number: "SAMPLE-001", clientID: 0, concept: "Sample concept", issueDate: day.adding(days: -60), dueDate: day.adding(days: -30),
            gross: Money(minorUnits: 181_500, currency: euro))
        let negotiation = Negotiation(
            clientID: 0, kind: .plan, invoiceIDs: [], openedAt: Date(timeIntervalSince1970: 1_793_000_000), promisedDate: day,
            instalments: [
                Instalment(dueDate: day.adding(days: -5), amount: Money(minorUnits: 90_000, currency: euro)),
                Instalment(dueDate: day.adding(days: 25), amount: Money(minorUnits: 91_500, currency: euro)),
            ])
        return MessageFacts(
            sender: senderWithAll, client: client, invoices: [.init(invoice: invoice, paid: Money(minorUnits: 0, currency: euro), outstanding: invoice.gross)],
            stage: "sample", day: day, deadline: day.adding(days: 14), negotiation: negotiation)
    }
}
