import CobradorCore
import Foundation

/// The values of the owner's daily digest template: what went out, what failed, what is of
/// unknown fate, and what needs a human. The daemon fills it from the day's passes; `sample`
/// holds every key so `cobrador check` can test the digest templates.
///
/// Dates and amounts come formatted in the owner's language, and a line that the templates
/// word differently by its kind carries a flag for each (`is_promise`, `is_call`...), since
/// a template cannot compare values.
package enum DigestContext {
    /// One line of a digest list: text already formatted for the owner, and flags.
    package typealias Line = [String: Any]

    package static func dictionary(
        owner: String, date: String, sent: [Line], failed: [Line], unknown: [Line], tasks: [Line], broken: [Line], reviews: [Line],
        handOvers: [Line], badAddresses: [Line], problems: [Line], pauses: [Line], paid: [Line]
    ) -> [String: Any] {
        // Each list comes with "has_NAME", for a heading that must appear once, not once per line.
        var context: [String: Any] = ["owner": owner, "date": date, "sent_count": String(sent.count)]
        let lists = ["sent": sent, "failed": failed, "unknown": unknown, "tasks": tasks, "broken": broken, "reviews": reviews,
                     "hand_over": handOvers, "bad_addresses": badAddresses, "problems": problems, "pauses": pauses, "paid": paid]
        for (name, lines) in lists {
            context[name] = lines
            context["has_" + name] = !lines.isEmpty
        }
        // A late payment leaves the owner a decision: claim the interest, or let it go.
        let claimable = paid.contains { $0["has_claim"] as? Bool == true }
        context["has_paid_claims"] = claimable
        // A failure written again and sent since needs nothing either.
        let failedNotResent = failed.contains { $0["is_resent"] as? Bool != true }
        context["has_failed_not_resent"] = failedNotResent
        context["nothing_to_do"] = !claimable && !failedNotResent
            && lists.filter { !["sent", "paid", "failed"].contains($0.key) }.allSatisfy { $0.value.isEmpty }
        return context
    }

    /// A message that failed; `resent` is when the pass wrote its stage again and sent it.
    package static func failure(_ line: [String: String]) -> Line {
        var failure: Line = line
        failure["is_resent"] = line["resent"] != nil
        failure["resent"] = line["resent"] ?? ""
        return failure
    }

    /// A contact the owner makes today by another channel than e-mail.
    package static func task(channel: Configuration.Stage.Channel?, client: String, stage: String, invoices: [String]) -> Line {
        var line: Line = ["channel": channel?.rawValue ?? "", "client": client, "stage": stage, "invoices": invoices.joined(separator: ", ")]
        for each in Configuration.Stage.Channel.allCases { line["is_" + each.rawValue] = each == channel }
        return line
    }

    /// A broken promise (its promised date) or plan (the instalment missed, when known);
    /// `cause` is the ledger's record of the break, in English.
    package static func broken(
        client: String, kind: NegotiationKind, invoices: String, cause: String, promisedDate: CalendarDate?, missedInstalment: Instalment?,
        format: LocalizedFormat
    ) -> Line {
        [
            "client": client, "kind": kind.rawValue, "invoices": invoices, "cause": cause, "is_promise": kind == .promise, "is_plan": kind == .plan,
            "promised_date": promisedDate.map(format.date) ?? "", "missed_date": missedInstalment.map { format.date($0.dueDate) } ?? "",
            "missed_amount": missedInstalment.map { format.money($0.amount) } ?? "", "has_missed": missedInstalment != nil,
        ]
    }

    /// An open dispute at or past its review date.
    package static func review(client: String, invoices: String, reviewDate: CalendarDate?, reason: String, format: LocalizedFormat) -> Line {
        ["client": client, "invoices": invoices, "review_date": reviewDate.map(format.date) ?? "", "reason": reason]
    }

    /// An invoice handed over, with what is still owed on it and, when the law adds interest
    /// and compensation, the whole claim as of today.
    package static func handOver(client: String, invoice: String, outstanding: Money, claim: Money?, format: LocalizedFormat) -> Line {
        let claimed = claim.flatMap { $0.minorUnits > outstanding.minorUnits ? $0 : nil }
        return ["client": client, "invoices": invoice, "total": format.money(outstanding), "has_claim": claimed != nil, "claim": claimed.map(format.money) ?? ""]
    }

    /// An invoice paid in full, and what the law still lets the owner claim on it when it was
    /// paid late: the interest through the day it was paid and the fixed compensation.
    package static func paid(
        client: String, invoice: String, received: Money, paidOn: CalendarDate, interest: Money?, compensation: Money?, format: LocalizedFormat
    ) -> Line {
        let interest = interest.flatMap { $0.minorUnits > 0 ? $0 : nil }
        let compensation = compensation.flatMap { $0.minorUnits > 0 ? $0 : nil }
        return [
            "client": client, "invoices": invoice, "received": format.money(received), "paid_date": format.date(paidOn),
            "has_claim": interest != nil || compensation != nil, "has_interest": interest != nil, "interest": interest.map(format.money) ?? "",
            "has_compensation": compensation != nil, "compensation": compensation.map(format.money) ?? "",
        ]
    }

    /// A pause with no end date: on a whole client (`is_client`) or one invoice, since when,
    /// why, and what is still owed (one amount per currency, joined by " + ").
    package static func pause(
        client: String, isClient: Bool, invoices: [String], since: CalendarDate?, reason: String, outstanding: [Money], format: LocalizedFormat
    ) -> Line {
        [
            "client": client, "is_client": isClient, "invoices": invoices.joined(separator: ", "), "since": since.map(format.date) ?? "",
            "reason": reason, "total": outstanding.map(format.money).joined(separator: " + "),
        ]
    }

    package static func sample(owner: String) -> [String: Any] {
        let format = LocalizedFormat(language: .en)
        let line: Line = [
            "time": "09:00", "client": "ACME", "stage": "reminder-1", "invoices": "2026-041", "recipient": "pagos@acme.example",
            "error": "550 5.1.1 mailbox unknown", "message_id": "cobrador.1.1@example.com", "address": "pagos@acme.example",
            "reply": "550 5.1.1 mailbox unknown",
        ]
        let day = CalendarDate(year: 2026, month: 11, day: 20)!
        let broken = Self.broken(
            client: "ACME", kind: .promise, invoices: "2026-041", cause: "promised for 2026-11-20, unpaid", promisedDate: day,
            missedInstalment: Instalment(dueDate: day, amount: Money(minorUnits: 30_000, currency: Currency(storedCode: "EUR"))), format: format)
        return dictionary(
            owner: owner, date: "30 November 2026", sent: [line], failed: [line.merging(["is_resent": true, "resent": "10:00"]) { _, new in new }], unknown: [line],
            tasks: [task(channel: .call, client: "ACME", stage: "call", invoices: ["2026-041"])],
            // Both kinds' wording at once, so that `check` reads every name either may print.
            broken: [broken.merging(["is_plan": true]) { _, new in new }],
            reviews: [review(client: "ACME", invoices: "2026-041", reviewDate: day, reason: "disputed hours", format: format)],
            handOvers: [
                handOver(
                    client: "ACME", invoice: "2026-041", outstanding: Money(minorUnits: 181_500, currency: Currency(storedCode: "EUR")),
                    claim: Money(minorUnits: 190_000, currency: Currency(storedCode: "EUR")), format: format)
            ],
            badAddresses: [line],
            problems: [["problem": "ACME reminder-1: /srv/invoices/2026-041.pdf cannot be read"]],
            pauses: [
                pause(
                    client: "ACME", isClient: true, invoices: ["2026-041"], since: day, reason: "talking to their CFO",
                    outstanding: [Money(minorUnits: 181_500, currency: Currency(storedCode: "EUR"))], format: format)
            ],
            paid: [
                paid(
                    client: "ACME", invoice: "2026-041", received: Money(minorUnits: 181_500, currency: Currency(storedCode: "EUR")), paidOn: day,
                    interest: Money(minorUnits: 2_170, currency: Currency(storedCode: "EUR")), compensation: Money(minorUnits: 4_000, currency: Currency(storedCode: "EUR")),
                    format: format)
            ])
    }
}
