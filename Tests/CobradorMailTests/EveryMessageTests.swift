import CobradorCore
import CobradorMail
import CobradorTestSupport
import Foundation
import Testing

/// Every shipped message, in both languages, composed and read back by Python's strict parser.
@Suite struct EveryMessageTests {
    /// "es-reminder-1.eml" -> "reminder-1".
    func name(of file: String) -> String { String(file.dropFirst(3).dropLast(4)) }

    @Test func everyTemplateInBothLanguagesMakesAFlawlessMessage() throws {
        let templates = try TemplateSet(folder: TemplateSetTests.shipped)
        let configuration = try ConfigurationLoader.load(
            text: """
                ledger = "x"
                [sender]
                legal_name = "Lucía Martín Traducciones"
                email = "cobros@luciamartin.example"
                iban = "ES91 2100 0418 4502 0005 1332"
                payment_link = "https://pay.example.com/lucia"
                payment_instructions = "UK clients: sort code 12-34-56, account 98765432"
                [policy]
                time_zone = "Europe/Madrid"
                """, file: "t.toml", baseDirectory: "/tmp")
        let builder = MessageBuilder(configuration: configuration, templates: templates)
        let euro = Currency(code: "EUR")!
        let day = CalendarDate(iso: "2026-11-30")!
        let folder = TemporaryDirectory()
        var paths: [String] = []
        var expected: [(subjectPrefix: String, client: String)] = []
        let names = configuration.cadence.map(\.template) + PlannedEvent.eventTemplates.sorted()
        for language in Language.allCases {
            let client = Client(
                code: "ACME", name: language == .es ? "Peña & Muñoz, S.L. — 🙂" : "O'Brien \"The Printers\" Ltd", emails: ["pagos@acme.example", "cfo@acme.example"],
                language: language, country: "ES", debtorKind: .company)
            for name in names {
                let invoice = Invoice(
                    number: "2026-041", clientID: 1, concept: "Traducción jurada nº 7 (€)", issueDate: day.adding(days: -60), dueDate: day.adding(days: -30),
                    gross: Money(minorUnits: 181_500, currency: euro))
                let plan = Negotiation(
                    clientID: 1, kind: .plan, invoiceIDs: [1], openedAt: Date(timeIntervalSince1970: 1_793_000_000), promisedDate: day,
                    instalments: [Instalment(dueDate: day.adding(days: 5), amount: Money(minorUnits: 90_000, currency: euro))])
                let facts = MessageFacts(
                    sender: configuration.sender, client: client,
                    invoices: [.init(invoice: invoice, paid: Money(minorUnits: 0, currency: euro), outstanding: invoice.gross)], stage: name, day: day,
                    deadline: day.adding(days: 14), negotiation: plan)
                let message = try builder.message(
                    facts, template: name, messageID: "cobrador.1.1@luciamartin.example", references: [], date: Date(timeIntervalSince1970: 1_796_025_600),
                    readFile: { _ in nil })
                let path = folder.file("\(language.rawValue)-\(name).eml")
                try Data(try MIMEComposer.compose(message)).write(to: URL(fileURLWithPath: path))
                paths.append(path)
                expected.append((message.subject, client.name))
            }
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/check-mime.py").path
        let parsed = try ProcessResult.run("/usr/bin/python3", [script] + paths)
        #expect(parsed.status == 0, "\(parsed.standardError)")
        let results = try JSONSerialization.jsonObject(with: Data(parsed.standardOutput.utf8)) as! [[String: Any]]
        #expect(results.count == names.count * 2)
        for (index, result) in results.enumerated() {
            let file = (paths[index] as NSString).lastPathComponent
            #expect(result["defects"] as? [String] == [], "\(file): \(result["defects"] ?? "")")
            #expect(result["subject"] as? String == expected[index].subjectPrefix, "\(file)")
            #expect((result["to"] as? String)?.hasPrefix(expected[index].client) == true || (result["to"] as? String)?.hasPrefix("\"") == true, "\(file)")
            #expect(result["cc"] as? String != nil, "\(file): the second address is copied")
            let parts = result["parts"] as! [[String: Any]]
            let text = parts[1]["text"] as? String ?? ""
            #expect(text.contains("2026-041"), "\(file) does not name the invoice")
            #expect(!text.contains("false"), "\(file) printed an absent value")
            #expect(!text.replacingOccurrences(of: "\r\n", with: "\n").contains("\n\n\n"), "\(file): an absent section left a double blank line")
            let html = parts[2]["text"] as? String ?? ""
            #expect(parts[2]["type"] as? String == "text/html" && html.contains("<table") || ["thank-you", "instalment-reminder"].contains(name(of: file)), "\(file): the HTML part has no invoice table")
            #expect(!html.contains("false") && html.contains("2026-041"), "\(file): the HTML part differs from the text")
            // Wherever the IBAN is given, so are the owner's own payment instructions.
            for (part, body) in [("text", text), ("html", html)] where body.contains("ES91 2100 0418 4502 0005 1332") {
                #expect(body.contains("sort code 12-34-56, account 98765432"), "\(file): the \(part) part leaves out the payment instructions")
            }
        }
    }
}
