import CobradorCore
import Foundation

/// The values templates can use, as the nested dictionaries swift-mustache renders. Every key
/// is listed in README's template section; `sample` holds all of them, so `cobrador check` can
/// render each template and find a variable the context does not have. Nested values are
/// typed `[String: Any]` and lists `[Any]`, as templates read them: a `[String: String]` in an
/// `Any` is converted, a new dictionary, every time it is read as `[String: Any]`.
package enum MessageContext {
    package static func dictionary(_ facts: MessageFacts) -> [String: Any] {
        let format = LocalizedFormat(language: facts.client.language)
        let invoices: [Any] = facts.invoices.map { item -> [String: Any] in
            [
                "number": item.invoice.number, "concept": item.invoice.concept,
                "issue_date": format.date(item.invoice.issueDate), "due_date": format.date(item.invoice.dueDate),
                "gross": format.money(item.invoice.gross), "paid": format.money(item.paid), "outstanding": format.money(item.outstanding),
                "days_overdue": String(max(0, item.invoice.dueDate.days(until: facts.day))),
            ]
        }
        var totals: [Currency: Int64] = [:]
        for item in facts.invoices { totals[item.outstanding.currency, default: 0] += item.outstanding.minorUnits }
        let totalList = totals.keys.sorted().map { format.money(Money(minorUnits: totals[$0]!, currency: $0)) }
        let earliestDue = facts.invoices.map(\.invoice.dueDate).min() ?? facts.day
        var context: [String: Any] = [
            "sender": [
                "legal_name": facts.sender.legalName, "tax_id": orFalse(facts.sender.taxID), "address": orFalse(facts.sender.address),
                "email": facts.sender.email, "signature": orFalse(facts.sender.signature),
            ],
            "client": [
                "name": facts.client.name, "code": facts.client.code, "tax_id": orFalse(facts.client.taxID),
                "address": facts.client.postalAddress ?? "",
            ],
            "invoices": invoices,
            "total": totalList.joined(separator: " + "),
            "totals": totalList.map { ["amount": $0] as [String: Any] } as [Any],
            "stage": facts.stage,
            "date": format.date(facts.day),
            "due_date": format.date(earliestDue),
            // A message held back past the due date (a weekend, another message that day)
            // says it fell due, not that it falls due.
            "past_due": earliestDue < facts.day,
            "deadline": format.date(facts.deadline),
            "payment": [
                "iban": orFalse(facts.sender.iban), "link": orFalse(facts.sender.paymentLink),
                "instructions": orFalse(facts.sender.paymentInstructions),
                "reference": facts.invoices.map(\.invoice.number).joined(separator: ", "),
            ],
            // Statutory interest and compensation: filled by the formal-notice issue.
            "claim": false,
            "negotiation": false,
            "instalment": false,
        ]
        if let claim = claim(facts, format: format) { context["claim"] = claim }
        if let negotiation = facts.negotiation {
            let unpaid = negotiation.instalments.first { $0.dueDate >= facts.day } ?? negotiation.instalments.last
            let missed = negotiation.instalments.last { $0.dueDate < facts.day }
            context["negotiation"] = [
                "kind": negotiation.kind.rawValue, "opened_date": format.date(CalendarDate(negotiation.openedAt, in: TimeZone(identifier: "UTC")!)),
                "promised_date": negotiation.promisedDate.map(format.date) ?? "", "missed_date": missed.map { format.date($0.dueDate) } ?? "",
            ] as [String: Any]
            if let unpaid { context["instalment"] = ["due_date": format.date(unpaid.dueDate), "amount": format.money(unpaid.amount)] as [String: Any] }
        }
        return context
    }

    /// The claim of a notice: every interest line and compensation in words a debtor can check,
    /// and the total as of the message's day. Nil when nothing is owed beyond the balance.
    private static func claim(_ facts: MessageFacts, format: LocalizedFormat) -> [String: Any]? {
        let spanish = facts.client.language == .es
        var lines: [String] = []
        var extras: [Currency: Int64] = [:]
        var totals: [Currency: Int64] = [:]
        for (number, breakdown) in facts.claims {
            for line in breakdown.lines {
                let rate = format.percent(line.percent)
                let period = spanish
                    ? "del \(format.date(line.from)) al \(format.date(line.through)), \(line.days) días sobre \(format.money(line.base)) al \(rate) anual (año de \(line.divisor) días)"
                    : "\(format.date(line.from)) to \(format.date(line.through)), \(line.days) days on \(format.money(line.base)) at \(rate) a year (\(line.divisor)-day year)"
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
                ? "  Algún tipo aplicado es provisional: se ajustará al publicado oficialmente."
                : "  A rate used is provisional: it will be adjusted to the officially published one.")
        }
        lines.append(spanish ? "  Los intereses siguen devengándose hasta el pago." : "  Interest keeps accruing until payment.")
        return ["summary": lines.joined(separator: "\n"), "as_of": format.date(facts.day), "total": list(totals), "extras": list(extras)]
    }

    /// The value, or false: an absent value makes its `{{#section}}` render nothing.
    private static func orFalse(_ value: String?) -> Any { value.map { $0 as Any } ?? false }

    /// A context with every key set, in `language`, for checking templates.
    package static func sample(_ language: Language, sender: Configuration.Sender) -> [String: Any] {
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
        var context = dictionary(
            MessageFacts(
                sender: senderWithAll, client: client,
                invoices: [.init(invoice: invoice, paid: Money(minorUnits: 0, currency: euro), outstanding: invoice.gross)],
                stage: "sample", day: day, deadline: day.adding(days: 14), negotiation: negotiation))
        context["claim"] = ["summary": "interest and compensation", "as_of": "30/11/2026", "total": "1.900,00 €", "extras": "85,00 €"]
        return context
    }
}
