import CobradorCore
@testable import CobradorMail
import CobradorTestSupport
import Foundation
import Testing

@Suite struct TemplateSetTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Templates").path
    static let sender = Configuration.Sender(
        legalName: "Lucía Martín Traducciones", taxID: nil, address: "Calle Mayor 1, 28013 Madrid", email: "cobros@luciamartin.example",
        replyTo: nil, iban: "ES91 2100 0418 4502 0005 1332", paymentLink: nil, paymentInstructions: nil, signature: "Lucía Martín")

    @Test(arguments: Language.allCases)
    func theShippedTemplatesUseOnlyKnownVariables(language: Language) throws {
        let set = try TemplateSet(folder: Self.shipped)
        let problems = set.unknownNames(in: MessageContext.sample(language, sender: Self.sender)) { !TemplateSet.isDigest($0) }
        #expect(problems.isEmpty, "\(problems.map { "\($0.file):\($0.line): \($0.message)" })")
    }

    @Test(arguments: Language.allCases)
    func theDigestListsOnlyWhatHappened(language: Language) throws {
        let set = try TemplateSet(folder: Self.shipped)
        #expect(set.unknownNames(in: DigestContext.sample(owner: "Lucía"), matching: TemplateSet.isDigest).isEmpty)
        let full = try set.render("digest", language: language, context: DigestContext.sample(owner: "Lucía"))
        #expect(full.text.contains("550 5.1.1 mailbox unknown") && full.html.contains("550 5.1.1 mailbox unknown"))
        #expect(full.text.components(separatedBy: language == .en ? "Failed (not sent" : "Fallidos (no enviados").count == 2)
        let quiet = try set.render(
            "digest", language: language,
            context: DigestContext.dictionary(
                owner: "Lucía", date: "30 November 2026", sent: [["time": "09:00", "client": "ACME", "stage": "due", "invoices": "F-1", "recipient": "a@b.example"]],
                failed: [], unknown: [], tasks: [], broken: [], reviews: [], handOvers: [], badAddresses: [], problems: [], pauses: [], paid: []))
        #expect(quiet.text.contains(language == .en ? "Nothing needs your attention today." : "Hoy no hay nada que requiera su atención."))
        #expect(!quiet.text.contains(language == .en ? "Failed" : "Fallidos"))
        #expect(quiet.subject == (language == .en ? "cobrador, 30 November 2026: 1 sent" : "cobrador, 30 November 2026. Enviados: 1"))
    }

    /// The sender's tax id is for the formal letters, labelled: every HTML part showed it bare,
    /// down to a friendly reminder (trial finding).
    @Test(arguments: Language.allCases)
    func onlyTheFormalLettersNameTheSendersTaxID(language: Language) throws {
        let set = try TemplateSet(folder: Self.shipped)
        let context = MessageContext.sample(language, sender: Self.sender)
        let label = language == .en ? "Tax ID 12345678Z" : "NIF 12345678Z"
        for stage in ["before-due", "due", "reminder-1", "reminder-2", "instalment-reminder", "plan-broken", "promise-broken", "thank-you", "formal-notice", "final-notice"] {
            let message = try set.render(stage, language: language, context: context)
            let formal = stage == "formal-notice" || stage == "final-notice"
            #expect(message.text.contains("12345678Z") == formal && message.html.contains("12345678Z") == formal, "\(stage)")
            #expect(!formal || (message.text.contains(label) && message.html.contains(label)), "\(stage)")
        }
    }

    /// A consumer owes no recovery costs: the thank-you and every message about a part-paid
    /// invoice reserved them to a private client (trial finding); a business is still told.
    @Test(arguments: Language.allCases)
    func aConsumerIsNotToldOfRecoveryCosts(language: Language) throws {
        let set = try TemplateSet(folder: Self.shipped)
        var facts = MessageContext.sampleFacts(language, sender: Self.sender)
        let invoice = facts.invoices[0].invoice
        let paid = Money(minorUnits: 50_000, currency: invoice.gross.currency)
        facts.invoices = [.init(invoice: invoice, paid: paid, outstanding: Money(minorUnits: invoice.gross.minorUnits - paid.minorUnits, currency: paid.currency))]
        let costs = language == .en ? "recovery costs" : "costes de cobro"
        for stage in ["before-due", "due", "reminder-1", "reminder-2", "formal-notice", "final-notice", "plan-broken", "promise-broken", "thank-you"] {
            facts.client.debtorKind = .company
            let business = try set.render(stage, language: language, context: MessageContext.dictionary(facts))
            #expect(business.text.contains(costs) && business.html.contains(costs), "\(stage)")
            facts.client.debtorKind = .consumer
            let consumer = try set.render(stage, language: language, context: MessageContext.dictionary(facts))
            #expect(!consumer.text.contains(costs) && !consumer.html.contains(costs), "\(stage): \(consumer.text)")
            #expect(consumer.text.contains(language == .en ? "late-payment interest" : "intereses de demora"), "\(stage)")
        }
    }

    @Test func aTypoInAVariableIsFoundWithItsLine() throws {
        let folder = TemporaryDirectory()
        folder.write("en/due.subject.mustache", "Invoice {{#invoices}}{{number}}{{/invoices}} is due\n")
        folder.write("en/due.text.mustache", "Dear {{client.name}},\n\nyou owe {{totl}} by {{deadline}}.\n{{#invoices}}{{numbr}}{{/invoices}}\n")
        let problems = try TemplateSet(folder: folder.path).unknownNames(in: MessageContext.sample(.en, sender: Self.sender))
        #expect(problems.map { "\($0.line): \($0.message)" } == [
            "3: {{totl}} is not in the template context",
            "4: {{numbr}} is not in the template context",
        ])
        // A missing partial would silently drop a block (the payment details): the set refuses to load.
        folder.write("en/due.html.mustache", "<p>Dear {{client.name}},</p>\n{{> en/partials/payment.html}}\n")
        let error = #expect(throws: MailError.self) { try TemplateSet(folder: folder.path) }
        #expect(error?.description == folder.file("en/due.html.mustache") + ":2: the partial {{> en/partials/payment.html}} does not exist")
    }

    @Test func theCheckReadsEveryKindOfTagOnItsLine() {
        let source = "Hi {{ client.name }},\n{{{raw}}} {{& amp}}\n{{#invoices}}\n{{^ empty }}{{/invoices}}{{! note }}{{! not } a tag }}\n{{> en/partials/payment.text}}{{broken}\n{{\nlate\n}}"
        let tags = TemplateVariableCheck.tags(in: source).map { "\($0.line)\($0.sigil)\($0.name)" }
        #expect(tags == ["1client.name", "2raw", "2&amp", "3#invoices", "4^empty", "4/invoices", "4!note", "5>en/partials/payment.text", "6late"])
    }

    @Test func aTemplateThatDoesNotParseNamesItsFileAndLine() throws {
        let folder = TemporaryDirectory()
        folder.write("en/due.subject.mustache", "Invoice due\n")
        folder.write("en/due.text.mustache", "Dear {{client.name}},\n\n{{#invoices}}{{number}}\n")
        let error = #expect(throws: MailError.self) { try TemplateSet(folder: folder.path) }
        #expect(error?.description.hasPrefix(folder.file("en/due.text.mustache") + ":") == true)
        // In words the template's author can act on, not the parser's internal names.
        #expect(error?.description.hasSuffix("does not parse: a section ({{#name}} or {{^name}}) is never closed with its {{/name}}") == true, "\(String(describing: error))")
    }

    @Test func textIsNotEscapedAndHTMLIs() throws {
        let folder = TemporaryDirectory()
        folder.write("en/due.subject.mustache", "For {{client.name}}\n")
        folder.write("en/due.text.mustache", "Dear {{client.name}},\n")
        folder.write("en/due.html.mustache", "<p>Dear {{client.name}},</p>\n")
        var context = MessageContext.sample(.en, sender: Self.sender)
        context["client"] = ["name": "<script>alert(1)</script> & Co"]
        let rendered = try TemplateSet(folder: folder.path).render("due", language: .en, context: context)
        #expect(rendered.subject == "For <script>alert(1)</script> & Co")
        #expect(rendered.text == "Dear <script>alert(1)</script> & Co,\n")
        #expect(rendered.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"))
        #expect(!rendered.html.contains("<script>"))
    }

    @Test func moneyAndDatesReadAsTheClientWritesThem() {
        let euro = Currency(code: "EUR")!
        let pound = Currency(code: "GBP")!
        let spanish = LocalizedFormat(language: .es)
        let english = LocalizedFormat(language: .en)
        #expect(spanish.money(Money(minorUnits: 1_234_567, currency: euro)) == "12.345,67\u{00A0}€")  // a no-break space: the amount never wraps
        #expect(english.money(Money(minorUnits: 1_234_567, currency: pound)) == "£12,345.67")
        #expect(english.money(Money(minorUnits: 123_456, currency: euro)) == "€1,234.56")
        #expect(spanish.date(CalendarDate(iso: "2026-11-29")!) == "29 de noviembre de 2026")
        #expect(english.date(CalendarDate(iso: "2026-11-29")!) == "29 November 2026")
        #expect(spanish.money(Money(minorUnits: 123_456, currency: euro)) == "1234,56\u{00A0}€")
        #expect(spanish.money(Money(minorUnits: -500, currency: euro)) == "-5,00\u{00A0}€")
    }

    /// Amounts are written from a layout learnt from ICU once: it must write every amount as
    /// ICU does, in currencies with 0, 2 and 3 decimals, symbols before and after.
    @Test(arguments: Language.allCases)
    func moneyIsWrittenExactlyAsICUWritesIt(language: Language) {
        let format = LocalizedFormat(language: language)
        var generator = SeededGenerator(seed: 7)
        for code in ["EUR", "GBP", "USD", "JPY", "KWD", "CHF", "SEK", "MXN"] {
            let currency = Currency(code: code)!
            #expect(format.moneyLayout(currency) != nil, "no fast layout for \(code) in \(language)")
            for digits in 1...12 {
                let upper = (0..<digits).reduce(Int64(1)) { value, _ in value * 10 }
                let money = Money(minorUnits: Int64.random(in: 0..<upper, using: &generator), currency: currency)
                #expect(format.money(money) == format.icuMoney(money), "\(money.minorUnits) \(code)")
            }
        }
    }

    @Test func aSubjectIsPutOnOneLineTheSameWayWhateverItsCharacters() {
        let pieces = ["a", "Z", "é", "º", " ", "\t", "\n", "\r\n", "\r", "\u{0B}", "\u{85}", "\u{2028}", "\u{2029}", "\u{A0}", "\u{301}", "€", "1.815,00", "nº", "!"]
        var generator = SeededGenerator(seed: 30)
        for _ in 0..<5_000 {
            let subject = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let slow = subject.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
            #expect(TemplateSet.oneLine(subject) == slow, "\(subject.debugDescription)")
        }
    }
}
