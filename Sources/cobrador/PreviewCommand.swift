import ArgumentParser
import CobradorCore
import CobradorDaemon
import CobradorLedger
import CobradorMail
import Foundation

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Print the message a client would get: the exact bytes, or its text or HTML part.",
        discussion: HelpText.flowing("""
            Without --stage, the client's next planned message (see `cobrador plan`),
            dated the day it is planned for; with --stage, that stage today for every
            unpaid invoice of the client. The Message-ID and Date header are the preview's
            own; a real send gets its attempt's.
            Examples:
              cobrador preview --client ACME
              cobrador preview --client ACME --stage formal-notice --lang en --format text
              cobrador preview --client ACME --format eml > acme.eml
            """))

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case eml, text, html
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: "The client's code.") var client: String
    @Option(help: "A stage or message template (default: the next planned one).") var stage: String?
    @Option(help: "es or en (default: the client's language).") var lang: String?
    @Option(help: "eml (the whole message), text or html (default: eml).") var format: Format = .eml

    func run() throws {
        let (configuration, ledger) = try global.openLedger()
        var clientRecord = try ledger.client(code: client)
        for refused in try ledger.badAddresses(clientCode: clientRecord.code) {
            Terminal.warn("held: the relay refused \(refused.address) (\(refused.reply)); this message will not go out until `cobrador client edit \(clientRecord.code) --email ...`")
        }
        if let lang { clientRecord.language = try CommandInput.parse("--lang", lang) { try FieldRules.choice($0, as: Language.self) } }
        let now = Date()
        let today = CommandInput.today(configuration)
        let unpaid = try ledger.invoices(matching: .init(clientCode: client, status: .open, unpaidOnly: true))
        let template: String
        let stageName: String
        var numbers: [String]
        var day = today
        var negotiationID: Int64?
        var instalment: Instalment?
        var deadline: CalendarDate?
        if let stage {
            let known = (configuration.cadence + (configuration.profiles.flatMap(\.cadence))).first { $0.name == stage }
            guard known != nil || PlannedEvent.eventTemplates.contains(stage) else {
                throw CommandFailure("--stage: \"\(stage)\" is neither a stage of the cadence nor one of \(PlannedEvent.eventTemplates.sorted().joined(separator: ", "))")
            }
            stageName = stage
            template = known?.template ?? stage
            // The invoices this stage would be about today: past due for a reminder or notice,
            // not yet due for a courtesy message; else every unpaid one, to show the template.
            let atStage = known.map { stage in
                unpaid.filter { stage.offsetDays > 0 ? $0.invoice.dueDate < today : stage.offsetDays < 0 ? $0.invoice.dueDate > today : $0.invoice.dueDate <= today }
            } ?? unpaid
            if atStage.isEmpty && !unpaid.isEmpty {
                Terminal.warn("no invoice of \(clientRecord.code) is at \(stage) today; shown with every unpaid invoice")
            }
            numbers = (atStage.isEmpty ? unpaid : atStage).map(\.invoice.number)
            // A negotiation message is written about one negotiation of its kind: without one
            // it would print blanks where the dates go.
            let kinds: [String: NegotiationKind] = ["promise-broken": .promise, "plan-broken": .plan, "instalment-reminder": .plan]
            if let kind = kinds[stage] {
                guard let negotiation = try ledger.negotiations(clientCode: client, includeClosed: true).first(where: { $0.negotiation.kind == kind }) else {
                    throw CommandFailure(
                        "\(clientRecord.code) has no \(kind == .promise ? "promise to pay" : "payment plan"), and \(stage) is written about one; "
                            + "open one with `cobrador negotiation open \(kind.rawValue) \(clientRecord.code) ...`, or preview another stage")
                }
                negotiationID = negotiation.negotiation.id
                numbers = negotiation.invoiceNumbers
            }
        } else {
            let end = now.addingTimeInterval(90 * 86_400)
            let input = try ledger.plannerInput(at: now, through: end, configuration: configuration, clientCode: client)
            guard let next = Planner(configuration: configuration).events(input, from: now, through: end).first(where: { $0.kind == .message }) else {
                throw CommandFailure("nothing is planned for \(clientRecord.code) in the next 90 days; name a stage with --stage")
            }
            stageName = next.stage ?? ""
            template = next.template ?? stageName
            numbers = next.invoiceNumbers
            day = CalendarDate(next.at, in: TimeZone(identifier: clientRecord.timeZone ?? configuration.policy.timeZone) ?? .current)
            negotiationID = next.negotiationID
            instalment = next.instalment
            deadline = next.deadline
        }
        guard !numbers.isEmpty else { throw CommandFailure("\(clientRecord.code) owes nothing: there is nothing to preview") }
        numbers = numbers.filter { number in unpaid.contains { $0.invoice.number == number } } + numbers.filter { number in !unpaid.contains { $0.invoice.number == number } }
        let summaries = try numbers.map { try ledger.invoice(number: $0) }
        if deadline == nil, let file = try ledger.plannerInput(at: now, through: now, configuration: configuration, clientCode: client).clients.first {
            deadline = Planner(configuration: configuration).deadline(after: day, for: file, invoiceIDs: Set(summaries.compactMap(\.invoice.id)), stage: stageName)
        }
        var facts = MessageFacts(
            sender: configuration.sender, client: clientRecord,
            invoices: summaries.map { .init(invoice: $0.invoice, paid: $0.paid, outstanding: $0.balance) },
            stage: stageName, day: day,
            deadline: deadline ?? configuration.policy.deadline(after: day, for: clientRecord),
            negotiation: try negotiationID.map { try ledger.negotiation(id: $0).negotiation })
        facts.instalment = instalment
        facts.claims = try Claims(ledger: ledger, configuration: configuration, rates: try ShippedRates.table(for: configuration))
            .forMessage(stage: stageName, cadence: Planner(configuration: configuration).cadence(for: clientRecord), invoiceNumbers: numbers, on: day)
        let builder = MessageBuilder(configuration: configuration, templates: try TemplateSet(folder: configuration.templatesPath))
        let message = try builder.message(
            facts, template: template, messageID: MessageID.make(attempt: 0, reservedAt: now, senderAddress: configuration.sender.email),
            references: try ledger.threadReferences(clientCode: clientRecord.code, invoiceNumbers: numbers), date: now,
            stage: Planner(configuration: configuration).cadence(for: clientRecord).first { $0.name == stageName }, readFile: { FileManager.default.contents(atPath: $0).map { Array($0) } })
        switch format {
        case .eml: FileHandle.standardOutput.write(Data(try MIMEComposer.compose(message)))
        case .text: print(message.text, terminator: "")
        case .html: print(message.html, terminator: "")
        }
    }
}
