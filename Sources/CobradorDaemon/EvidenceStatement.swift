import CobradorCore
import CobradorLedger
import CobradorMail
import Foundation

/// A plain-text statement of one client's case for a lawyer or a court, in the owner's
/// language: what each invoice owes, the interest and compensation claimable on the day of
/// the export, and a chronology of invoices, payments, messages (each with the file and
/// SHA-256 that prove what went out) and negotiations. The export's JSON holds the same record
/// for programs; this is the page a person reads first.
package struct EvidenceStatement {
    package var client: Client
    package var invoices: [InvoiceSummary]
    package var payments: [PaymentRecord]
    package var negotiations: [NegotiationRecord]
    package var contacts: [Contact]
    /// The breakdown of each unpaid invoice as of `asOf`.
    package var claims: [(number: String, breakdown: InterestBreakdown)]
    package var asOf: CalendarDate
    package var zone: TimeZone
    package var language: Language

    package init(
        client: Client, invoices: [InvoiceSummary], payments: [PaymentRecord], negotiations: [NegotiationRecord], contacts: [Contact],
        claims: [(number: String, breakdown: InterestBreakdown)], asOf: CalendarDate, zone: TimeZone, language: Language
    ) {
        self.client = client
        self.invoices = invoices
        self.payments = payments
        self.negotiations = negotiations
        self.contacts = contacts
        self.claims = claims
        self.asOf = asOf
        self.zone = zone
        self.language = language
    }

    /// The file name of a stored message in the export, as `messages/ID-STAGE.eml`.
    package static func messageFile(id: Int64, stage: String) -> String { "messages/\(id)-\(stage).eml" }

    package var text: String {
        let format = LocalizedFormat(language: language)
        func say(_ english: String, _ spanish: String) -> String { language == .es ? spanish : english }
        var lines = [
            say("Statement of account", "Extracto de cuenta") + ": \(client.name) (\(client.code))",
            [client.taxID.map { say("Tax ID", "NIF") + " \($0)" }, client.postalAddress, client.emails.joined(separator: ", ")].compactMap { $0 }
                .filter { !$0.isEmpty }.joined(separator: "; "),
            say("As of", "A fecha de") + " \(format.date(asOf))", "",
            say("Invoices", "Facturas"),
        ]
        for summary in invoices {
            let invoice = summary.invoice
            let state =
                invoice.status == .void ? say("void", "anulada")
                : invoice.status == .writtenOff ? say("written off", "dada por incobrable")
                : summary.handedOver ? say("handed over", "trasladada a reclamación")
                : summary.balance.minorUnits <= 0 ? say("paid", "pagada") : say("unpaid", "impagada")
            lines.append(
                "  \(invoice.number)  " + say("issued", "emitida") + " \(format.date(invoice.issueDate)), " + say("due", "vencimiento") + " \(format.date(invoice.dueDate)); "
                    + "\(format.money(invoice.gross)), " + say("paid", "pagado") + " \(format.money(summary.paid)), " + say("owed", "pendiente")
                    + " \(format.money(summary.balance)) (\(state)); \(invoice.concept)")
        }
        if !claims.isEmpty {
            lines += ["", say("Claimable as of", "Reclamable a") + " \(format.date(asOf)) (" + say("late-payment interest and compensation", "intereses de demora e indemnización") + ")"]
            for (number, breakdown) in claims {
                lines.append(
                    "  \(number) (\(breakdown.regime.rawValue)): " + say("outstanding", "principal") + " \(format.money(breakdown.outstanding)), "
                        + say("interest", "intereses") + " \(format.money(breakdown.interest))"
                        + (breakdown.compensation.map { ", " + say("compensation", "indemnización") + " \(format.money($0))" } ?? "")
                        + "; " + say("total", "total") + " \(format.money(breakdown.total))")
                for line in breakdown.lines {
                    lines.append(
                        "    \(format.date(line.from)) - \(format.date(line.through)): \(line.days) "
                            + (line.days == 1 ? say("day on", "día sobre") : say("days on", "días sobre")) + " \(format.money(line.base)) "
                            + say("at", "al") + " \(format.percent(line.percent)) " + say("a year, \(line.divisor)-day year,", "anual, año de \(line.divisor) días,")
                            + " = \(format.money(line.amount))" + (line.provisional ? " (" + say("provisional rate", "tipo provisional") + ")" : ""))
                }
                lines += breakdown.notes.map { "    \($0.text(in: language))" }
            }
        }
        lines += ["", say("Chronology", "Cronología")]
        let numbers = Dictionary(invoices.compactMap { summary in summary.invoice.id.map { ($0, summary.invoice.number) } }) { first, _ in first }
        /// `key` is shown (a day, or a local time to the minute); `order` sorts, to the second:
        /// a plan opened a few seconds after a reminder went must not read as before it.
        var events: [(key: String, order: String, line: String)] = []
        func day(_ date: CalendarDate) -> (String, String) { ("\(date)", "\(date)") }
        func moment(_ date: Date) -> (String, String) {
            let shown = String(Planner.localTime(date, in: zone).dropLast(zone.identifier.count + 1))
            let second = Int(date.timeIntervalSince1970.rounded(.down)) % 60
            return (shown, shown + (second < 10 ? ":0" : ":") + "\(second)")
        }
        func add(_ when: (String, String), _ line: String) { events.append((when.0, when.1, line)) }
        for summary in invoices {
            add(day(summary.invoice.issueDate), say("invoice", "factura") + " \(summary.invoice.number) " + say("issued for", "emitida por") + " \(format.money(summary.invoice.gross))")
        }
        for record in payments {
            let payment = record.payment
            let details = [payment.method, payment.reference].compactMap { $0 }.joined(separator: ", ")
            add(
                day(payment.valueDate), say("payment of", "pago de") + " \(format.money(payment.amount)) " + say("on invoice", "a la factura") + " \(record.invoiceNumber)"
                    + (details.isEmpty ? "" : " (\(details))"))
        }
        for record in negotiations {
            let negotiation = record.negotiation
            let about = record.invoiceNumbers.joined(separator: ", ")
            let terms = negotiation.promisedDate.map { " " + say("to pay by", "para pagar el") + " \(format.date($0))" } ?? negotiation.reason.map { ": \($0)" } ?? ""
            let kind = Self.words(negotiation.kind, language)
            // Spanish agrees with the kind: "plan de pagos abierto", "promesa de pago abierta".
            let masculine = negotiation.kind == .plan
            add(moment(negotiation.openedAt), "\(kind) #\(negotiation.id ?? 0) " + say("opened on", masculine ? "abierto sobre" : "abierta sobre") + " \(about)\(terms)")
            if let closed = negotiation.closedAt {
                let outcome = negotiation.outcome.map { Self.words($0, language, masculine: masculine) } ?? ""
                add(moment(closed), "\(kind) #\(negotiation.id ?? 0) " + say("closed", masculine ? "cerrado" : "cerrada") + ": \(outcome)")
            }
        }
        for contact in contacts {
            let about = contact.invoiceIDs.compactMap { numbers[$0] }.joined(separator: ", ")
            let when = moment(contact.sentAt ?? contact.occurredAt)
            guard let messageID = contact.messageID else {
                add(
                    when, Self.words(contact.channel, language) + (contact.stage.map { " \($0)" } ?? "") + (about.isEmpty ? "" : " (\(about))") + ": "
                        + (contact.summary ?? Self.words(contact.status, language)))
                continue
            }
            var line = say("message", "mensaje") + " \(contact.stage ?? "") " + (about.isEmpty ? "" : say("about", "sobre") + " \(about) ")
                + say("to", "a") + " \(contact.recipients.joined(separator: ", ")): \(Self.words(contact.status, language))"
            if let reply = contact.error ?? contact.serverReply { line += " (\(reply))" }
            line += "; Message-ID <\(messageID)>"
            if let id = contact.id, let sha256 = contact.sha256 {
                line += "; \(Self.messageFile(id: id, stage: contact.stage ?? "")), SHA-256 \(sha256)"
            }
            add(when, line)
        }
        // Dates sort before the times of their day; the order of the record breaks ties.
        lines += events.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }.map { "  \($0.element.key)  \($0.element.line)" }
        return lines.joined(separator: "\n") + "\n"
    }

    // The ledger's words for kinds and states, in the owner's language (a statement for a
    // Spanish court reads in Spanish; the ledger and the JSON keep the English codes).

    private static func words(_ kind: NegotiationKind, _ language: Language) -> String {
        switch kind {
        case .promise: language == .es ? "promesa de pago" : "promise to pay"
        case .plan: language == .es ? "plan de pagos" : "payment plan"
        case .dispute: language == .es ? "disputa" : "dispute"
        }
    }

    private static func words(_ outcome: NegotiationOutcome, _ language: Language, masculine: Bool) -> String {
        guard language == .es else { return outcome.rawValue }
        let stem =
            switch outcome {
            case .kept: "cumplid"
            case .broken: "incumplid"
            case .resolved: "resuelt"
            case .withdrawn: "retirad"
            }
        return stem + (masculine ? "o" : "a")
    }

    private static func words(_ channel: ContactChannel, _ language: Language) -> String {
        switch channel {
        case .email: language == .es ? "correo" : "e-mail"
        case .phone: language == .es ? "teléfono" : "phone"
        case .letter: language == .es ? "carta" : "letter"
        case .other: language == .es ? "nota" : "note"
        }
    }

    private static func words(_ status: ContactStatus, _ language: Language) -> String {
        guard language == .es else { return status.rawValue }
        switch status {
        case .pending: return "pendiente"
        case .sending: return "enviándose"
        case .sent: return "enviado"
        case .deferred: return "aplazado"
        case .failed: return "fallido"
        case .unknown: return "de destino desconocido"
        case .recorded: return "anotado"
        }
    }
}
