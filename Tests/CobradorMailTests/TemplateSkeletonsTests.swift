import CobradorCore
import CobradorTestSupport
import Foundation
import Testing

@testable import CobradorMail

/// Messages rendered from a skeleton must be byte for byte what swift-mustache renders.
@Suite struct TemplateSkeletonsTests {
    /// Texts that could trip a skeleton: markup, quotes, line ends, nothing at all.
    static let texts = ["", "Acme S.L.", "<b>Müller & Söhne</b>", "O'Brien \"Ltd\"", "two\nlines", "ends a line\n", "crlf\r\n", "&amp; already", "ñandú"]

    /// The sample context with every text replaced at random, lists of 0 to 3 elements, and
    /// optional parts (false) present or not.
    static func randomized(_ value: Any, _ generator: inout SeededGenerator) -> Any {
        switch value {
        case is String:
            return texts[generator.next(texts.count)]
        case let dictionary as [String: Any]:
            return dictionary.mapValues { randomized($0, &generator) }
        case let list as [Any]:
            guard let first = list.first else { return list }
            return (0..<generator.next(4)).map { _ in randomized(first, &generator) }
        case is Bool:
            return generator.next(2) == 0 ? false : ["summary": texts[generator.next(texts.count)], "amount": "1,00 €", "due_date": "1 May"] as [String: Any]
        default:
            return value
        }
    }

    @Test(arguments: Language.allCases)
    func everyShippedTemplateRendersFromItsSkeletonAsSwiftMustacheRendersIt(language: Language) throws {
        let fast = try TemplateSet(folder: TemplateSetTests.shipped)
        let direct = try TemplateSet(folder: TemplateSetTests.shipped, rendersFromSkeletons: false)
        let names = try FileManager.default.contentsOfDirectory(atPath: TemplateSetTests.shipped + "/\(language.rawValue)")
            .filter { $0.hasSuffix(".subject.mustache") }.map { String($0.dropLast(".subject.mustache".count)) }
        #expect(names.count > 10)
        var generator = SeededGenerator(seed: 3)
        let sample = MessageContext.sample(language, sender: TemplateSetTests.sender)
        for round in 0..<60 {
            let context = Self.randomized(sample, &generator) as! [String: Any]
            for name in names {
                let expected = try direct.render(name, language: language, context: context)
                // Twice: the first renders the skeleton, the second fills it in.
                for _ in 0..<2 {
                    let rendered = try fast.render(name, language: language, context: context)
                    let same = rendered.subject == expected.subject && rendered.text == expected.text && rendered.html == expected.html
                    #expect(same, "\(name), round \(round)")
                }
            }
        }
    }

    /// A dictionary context as a typed one, its keys in whatever order the dictionary gives.
    static func typed(_ value: Any) -> TemplateContext {
        switch value {
        case let text as String: .text(text)
        case let flag as Bool: .flag(flag)
        case let dictionary as [String: Any]: .keyed(.init(dictionary.map { TemplateContext.Entry($0.key, typed($0.value)) }))
        case let list as [Any]: .list(list.map(typed))
        default: .text("\(value)")
        }
    }

    /// A typed context must fill the same skeletons as its dictionaries, and render the same bytes.
    @Test(arguments: Language.allCases)
    func aTypedContextFillsAndRendersAsItsDictionariesDo(language: Language) throws {
        let fast = try TemplateSet(folder: TemplateSetTests.shipped)
        let direct = try TemplateSet(folder: TemplateSetTests.shipped, rendersFromSkeletons: false)
        var generator = SeededGenerator(seed: 11)
        let sample = MessageContext.sample(language, sender: TemplateSetTests.sender)
        for round in 0..<60 {
            let context = Self.randomized(sample, &generator) as! [String: Any]
            let typed = Self.typed(context)
            #expect(TemplateSkeletons.filling(for: typed) == TemplateSkeletons.filling(for: context), "round \(round)")
            for name in ["reminder-1", "formal-notice", "plan-broken", "due"] {
                let expected = try direct.render(name, language: language, context: context)
                for _ in 0..<2 {
                    let rendered = try fast.render(name, language: language, context: typed)
                    #expect(rendered.subject == expected.subject && rendered.text == expected.text && rendered.html == expected.html, "\(name), round \(round)")
                }
            }
        }
    }

    /// What a message is rendered with must fill a skeleton exactly as its dictionaries do:
    /// flags true and false, a negotiation or none, optional texts present or not.
    @Test(arguments: Language.allCases)
    func aMessageContextFillsAsItsDictionariesDo(language: Language) throws {
        let sample = MessageContext.sampleFacts(language, sender: TemplateSetTests.sender)
        var variants = [sample]
        var plain = sample
        plain.negotiation = nil
        plain.client.taxID = nil
        plain.sender.signature = nil
        plain.day = plain.invoices[0].invoice.dueDate.adding(days: -3)
        variants.append(plain)
        var several = sample
        several.invoices += [several.invoices[0], several.invoices[0]]
        variants.append(several)
        for (index, facts) in variants.enumerated() {
            let context = MessageContext.context(facts)
            let filling = TemplateSkeletons.filling(for: context)
            #expect(filling != nil && filling == TemplateSkeletons.filling(for: context.rendered as! [String: Any]), "variant \(index)")
        }
        #expect(MessageContext.dictionary(sample)["past_due"] as? Bool == true)
        #expect(MessageContext.dictionary(plain)["past_due"] as? Bool == false)
    }

    /// The digest's lines are [String: String]: cast to [String: Any] afresh each time, they
    /// need not list their keys in the same order twice.
    @Test(arguments: Language.allCases)
    func theDigestRendersFromItsSkeletonAsSwiftMustacheRendersIt(language: Language) throws {
        let fast = try TemplateSet(folder: TemplateSetTests.shipped)
        let direct = try TemplateSet(folder: TemplateSetTests.shipped, rendersFromSkeletons: false)
        for owner in Self.texts + ["Lucía", "Ana"] {
            let context = DigestContext.sample(owner: owner)
            let expected = try direct.render("digest", language: language, context: context)
            for _ in 0..<3 {
                let rendered = try fast.render("digest", language: language, context: context)
                let same = rendered.subject == expected.subject && rendered.text == expected.text && rendered.html == expected.html
                #expect(same, "owner \(owner)")
            }
        }
    }

    @Test func tagsWhoseOutputDependsOnMoreThanTheShapeRenderAsSwiftMustacheRendersThem() throws {
        let folder = TemporaryDirectory()
        folder.write("en/partials/lines.html.mustache", "{{client.name}}\n{{#client.note}}[{{.}}]{{/client.note}}\n")
        folder.write("en/edge.subject.mustache", "{{#client.note}}Note: {{.}}{{/client.note}}{{^client.note}}none{{/client.note}}")
        folder.write("en/edge.text.mustache", "{{&client.name}} {{{client.name}}} {{client.name}}\n{{#flags}}{{.}};{{/flags}}\n")
        folder.write("en/edge.html.mustache", "<ul>\n  {{> en/partials/lines.html}}\n</ul>\n{{{client.name}}}|{{client.name}}\n")
        let fast = try TemplateSet(folder: folder.path)
        let direct = try TemplateSet(folder: folder.path, rendersFromSkeletons: false)
        for name in ["A & B\n", "", "<i>x</i>", "ok", "\u{E000}0&\u{E001}", "x\r", "\n"] {
            for note in ["", "n\n", "<&>"] as [Any] + [false] {
                let context: [String: Any] = ["client": ["name": name, "note": note] as [String: Any], "flags": [name, note]]
                let expected = try direct.render("edge", language: .en, context: context)
                let rendered = try fast.render("edge", language: .en, context: context)
                let same = rendered.subject == expected.subject && rendered.text == expected.text && rendered.html == expected.html
                #expect(same, "\(name) \(note): \(rendered) vs \(expected)")
            }
        }
        // A transform reads the text itself: such templates are always rendered directly.
        folder.write("en/shout.subject.mustache", "{{uppercased(client.name)}}")
        folder.write("en/shout.text.mustache", "{{lowercased(client.name)}}\n")
        let shouting = try TemplateSet(folder: folder.path)
        for name in ["Acme", "Bolt"] {
            let rendered = try shouting.render("shout", language: .en, context: ["client": ["name": name]])
            #expect(rendered.subject == name.uppercased() && rendered.text == name.lowercased() + "\n")
        }
    }

    /// Which templates may be rendered from skeletons: a transform, a dynamic partial, a
    /// delimiter change or a marker's character in the source renders every message directly.
    @Test(arguments: [
        ("Dear {{client.name}},\n{{#invoices}}{{number}} ({{amount}}){{/invoices}}", true), ("{{> en/partials/lines.html}}", true),
        ("{{{client.name}}} {{&client.name}}", true), ("(*) {{a}} (*)", true), ("{{a(} }}", true), ("{{a}} (x) }}", true), ("", true),
        ("{{uppercased(client.name)}}", false), ("{{{lowercased(x)}}}", false), ("{{>*partial}}", false), ("{{=<% %>=}}", false),
        ("{{a(}}", false), ("x {{ * }}", false), ("\u{E000}", false), ("{{a}}\u{E001}", false),
    ])
    func onlyTemplatesWhoseOutputDependsOnTheShapeAloneUseSkeletons(source: String, allowed: Bool) {
        #expect(TemplateSkeletons.allows(source) == allowed)
    }
}

/// Contexts and templates that once made a skeleton give other bytes than swift-mustache.
@Suite struct TemplateSkeletonsEdgeTests {
    /// Renders `name` both ways with each context and records every difference.
    static func expectSameBothWays(_ folder: TemporaryDirectory, _ name: String, _ contexts: [[String: Any]]) throws {
        let fast = try TemplateSet(folder: folder.path)
        let direct = try TemplateSet(folder: folder.path, rendersFromSkeletons: false)
        for context in contexts {
            let expected = try direct.render(name, language: .en, context: context)
            // Twice: the first renders the skeleton, the second fills it in.
            for _ in 0..<2 {
                let rendered = try fast.render(name, language: .en, context: context)
                #expect(rendered.subject == expected.subject, "subject: \(rendered.subject.debugDescription) vs \(expected.subject.debugDescription)")
                #expect(rendered.text == expected.text, "text: \(rendered.text.debugDescription) vs \(expected.text.debugDescription)")
                #expect(rendered.html == expected.html, "html: \(rendered.html.debugDescription) vs \(expected.html.debugDescription)")
            }
        }
    }

    /// A list (or dictionary) interpolated as a variable is printed by `String(describing:)`,
    /// which quotes its texts and escapes quotes, backslashes, tabs and line breaks in them: the
    /// skeleton puts the raw text between the printed marker's quotes instead.
    @Test func aListInterpolatedAsAVariableRendersAsSwiftMustacheRendersIt() throws {
        let folder = TemporaryDirectory()
        folder.write("en/list.subject.mustache", "Totals")
        folder.write("en/list.text.mustache", "{{totals}}\n")
        folder.write("en/list.html.mustache", "<p>{{totals}}</p>\n")
        try Self.expectSameBothWays(folder, "list", [
            ["totals": [["amount": "1.815,00 €"]]],
            ["totals": [["amount": "say \"when\""]]],
            ["totals": [["amount": "two\nlines"]]],
            ["totals": [["amount": "C:\\tmp\tx"]]],
        ])
    }

    /// A partial that ends in a Unicode "prepend" character (U+0600 ARABIC NUMBER SIGN, written
    /// before the digits it spans), followed by a variable: the marker's first character joins
    /// it into one grapheme, the marker is not found and comes out as is.
    @Test func aPrependCharacterBeforeAVariableRendersAsSwiftMustacheRendersIt() throws {
        let folder = TemporaryDirectory()
        folder.write("en/partials/sign.text.mustache", "Total \u{0600}")
        folder.write("en/arabic.subject.mustache", "{{> en/partials/sign.text}}{{total}}")
        folder.write("en/arabic.text.mustache", "{{> en/partials/sign.text}}{{total}}\n")
        try Self.expectSameBothWays(folder, "arabic", [["total": "1815"], ["total": "20"]])
    }

    /// In an indented partial, a bare CR in the template before a value that is just "\n"
    /// makes one "\r\n" character in swift-mustache's output (which does not end in "\n", so
    /// the next line is not indented); the skeleton's marker keeps them apart.
    @Test func aCarriageReturnBeforeALineEndValueInAnIndentedPartial() throws {
        let folder = TemporaryDirectory()
        folder.write("en/partials/p.text.mustache", "a\r{{end}}{{name}}\n")
        folder.write("en/cr.subject.mustache", "s")
        folder.write("en/cr.text.mustache", "x\n  {{> en/partials/p.text}}\ny\n")
        try Self.expectSameBothWays(folder, "cr", [["end": "\n", "name": "Bob"]])
    }
}
