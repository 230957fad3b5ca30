import CobradorCore
import Foundation

/// The values of the owner's daily digest template: what went out, what failed, what is of
/// unknown fate, and what needs a human. The daemon fills it from the day's passes; `sample`
/// holds every key so `cobrador check` can test the digest templates.
package enum DigestContext {
    /// One line of a digest list; every field is text already formatted for the owner.
    package typealias Line = [String: String]

    package static func dictionary(
        owner: String, date: String, sent: [Line], failed: [Line], unknown: [Line], tasks: [Line], broken: [Line], reviews: [Line],
        handOvers: [Line], badAddresses: [Line]
    ) -> [String: Any] {
        // Each list comes with "has_NAME", for a heading that must appear once, not once per line.
        var context: [String: Any] = ["owner": owner, "date": date, "sent_count": String(sent.count)]
        let lists = ["sent": sent, "failed": failed, "unknown": unknown, "tasks": tasks, "broken": broken, "reviews": reviews,
                     "hand_over": handOvers, "bad_addresses": badAddresses]
        for (name, lines) in lists {
            context[name] = lines
            context["has_" + name] = !lines.isEmpty
        }
        context["nothing_to_do"] = lists.filter { $0.key != "sent" }.allSatisfy { $0.value.isEmpty }
        return context
    }

    package static func sample(owner: String) -> [String: Any] {
        let line: Line = [
            "time": "09:00", "client": "ACME", "stage": "reminder-1", "invoices": "2026-041", "recipient": "pagos@acme.example",
            "error": "550 5.1.1 mailbox unknown", "message_id": "cobrador.1.1@example.com", "channel": "call", "kind": "promise",
            "cause": "promised for 2026-11-20, unpaid", "review_date": "2026-12-01", "reason": "disputed hours", "total": "1.815,00 €",
            "address": "pagos@acme.example", "reply": "550 5.1.1 mailbox unknown",
        ]
        return dictionary(
            owner: owner, date: "30 November 2026", sent: [line], failed: [line], unknown: [line], tasks: [line], broken: [line], reviews: [line],
            handOvers: [line], badAddresses: [line])
    }
}
