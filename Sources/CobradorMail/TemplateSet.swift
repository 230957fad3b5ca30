import CobradorCore
import Foundation
import Mustache

/// The message templates of one folder: `es/` and `en/`, each with `NAME.subject.mustache`,
/// `NAME.text.mustache` and optionally `NAME.html.mustache`, plus any partials. Subjects and
/// texts render without HTML escaping; HTML escapes every value.
package struct TemplateSet: Sendable {
    package let folder: String
    private let library: MustacheLibrary
    /// Source text by template name ("es/reminder-1.text"), for the variable check.
    private let sources: [String: String]
    /// Nil when a template's output could depend on a text's content, not only on its shape.
    private let skeletons: TemplateSkeletons?

    /// Loads and parses every template; a syntax error names the file and line.
    /// `rendersFromSkeletons` false renders every message with swift-mustache alone.
    package init(folder: String, rendersFromSkeletons: Bool = true) throws(MailError) {
        self.folder = folder
        var library = MustacheLibrary()
        var sources: [String: String] = [:]
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".mustache") }.sorted() ?? []
        guard !files.isEmpty else { throw .template(file: folder, line: nil, message: "no templates (*.mustache) in this folder") }
        for file in files {
            let path = folder + "/" + file
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .template(file: path, line: nil, message: "cannot be read (check that this user may read it: the service runs as the user cobrador)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .template(file: path, line: nil, message: "is not UTF-8 text; save it as UTF-8")
            }
            let name = String(file.dropLast(".mustache".count))
            // Plain-text parts get the TEXT pragma on their first line, so line numbers hold.
            let isPlain = name.hasSuffix(".text") || name.hasSuffix(".subject")
            do {
                try library.register((isPlain ? "{{% CONTENT_TYPE: TEXT}}" : "") + text, named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw .template(file: path, line: error.context.lineNumber, message: "does not parse: \(Self.explain(error.error))")
            } catch {
                throw .template(file: path, line: nil, message: "does not parse: \(error)")
            }
            sources[name] = text
        }
        for (name, text) in sources {
            for partial in TemplateVariableCheck.tags(in: text) where partial.sigil == ">" && sources[partial.name] == nil {
                throw .template(file: "\(folder)/\(name).mustache", line: partial.line, message: "the partial {{> \(partial.name)}} does not exist")
            }
        }
        self.library = library
        self.sources = sources
        skeletons = rendersFromSkeletons && sources.values.allSatisfy(TemplateSkeletons.allows) ? TemplateSkeletons() : nil
    }

    /// swift-mustache's parser error in words a template's author can act on.
    static func explain(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed ({{/name}}) with another name than the one it was opened with"
        case .unfinishedName: "a tag is not closed with }}, or its name holds a character a name cannot have"
        case .expectedSectionEnd: "a section ({{#name}} or {{^name}}) is never closed with its {{/name}}"
        case .invalidSetDelimiter: "a delimiter change ({{=<% %>=}}) is badly written"
        case .transformAppliedToInheritanceSection, .illegalTokenInsideInheritSection, .textInsideInheritSection:
            "a partial block ({{<name}}...{{/name}}) holds something it may not"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: "a {{% ...}} setting is not one swift-mustache knows"
        case nil: "\(error)"
        }
    }

    /// Whether `name` ("es/digest.text") is one of the owner's digest templates or partials.
    package static func isDigest(_ name: String) -> Bool {
        name.split(separator: "/").last.map { $0.hasPrefix("digest") } ?? false
    }

    package func has(_ template: String, language: Language, part: String) -> Bool {
        sources["\(language.rawValue)/\(template).\(part)"] != nil
    }

    /// Subject, text and HTML of `template` in `language`. Without an HTML template, the HTML
    /// part says what the text says, paragraph by paragraph (text and HTML must agree).
    package func render(_ template: String, language: Language, context: [String: Any]) throws(MailError) -> (subject: String, text: String, html: String) {
        try render(template, language: language, filling: skeletons == nil ? nil : TemplateSkeletons.filling(for: context)) { context }
    }

    /// `render` with a typed context: its dictionaries are built only if swift-mustache renders.
    package func render(_ template: String, language: Language, context: TemplateContext) throws(MailError) -> (subject: String, text: String, html: String) {
        var dictionary: [String: Any]?
        return try render(template, language: language, filling: skeletons == nil ? nil : TemplateSkeletons.filling(for: context)) {
            if let dictionary { return dictionary }
            let built = context.rendered as! [String: Any]
            dictionary = built
            return built
        }
    }

    private func render(
        _ template: String, language: Language, filling: TemplateSkeletons.Filling?, context: () -> [String: Any]
    ) throws(MailError) -> (subject: String, text: String, html: String) {
        let base = "\(language.rawValue)/\(template)"
        let library = self.library
        func render(_ name: String) -> String? {
            guard let skeletons else { return library.render(context(), withTemplate: name) }
            return skeletons.render(name, context: context, filling: filling) { library.render($1, withTemplate: $0) }
        }
        guard let subject = render(base + ".subject"), let text = render(base + ".text") else {
            throw .template(file: "\(folder)/\(base).subject.mustache", line: nil, message: "missing: each message needs a .subject and a .text template")
        }
        let html = render(base + ".html") ?? Self.html(fromText: text)
        return (Self.oneLine(subject), text, html)
    }

    /// The subject on one line: its lines joined with spaces, trimmed.
    static func oneLine(_ subject: String) -> String {
        // Nearly always already one, but for the line end the template file ends with:
        // printable ASCII at both ends, and no line end inside (an ASCII control, NEL C2 85,
        // LINE or PARAGRAPH SEPARATOR E2 80 A8/A9).
        let kept = subject.utf8.withContiguousStorageIfAvailable { whole -> Int? in
            let bytes = whole.last == 0x0A ? UnsafeBufferPointer(rebasing: whole.dropLast()) : whole
            guard let first = bytes.first, let last = bytes.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) else { return nil }
            for index in bytes.indices {
                let byte = bytes[index]
                if byte < 0x20 { return nil }
                if byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] == 0x85 { return nil }
                if byte == 0xE2 && index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9) { return nil }
            }
            return bytes.count
        }
        if let count = kept ?? nil { return count == subject.utf8.count ? subject : String(subject.utf8.prefix(count))! }
        return subject.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    /// Every variable, section and partial of the templates `matching` their name (all by
    /// default) that `context` cannot fill, by file and line.
    package func unknownNames(in context: [String: Any], matching: (String) -> Bool = { _ in true }) -> [(file: String, line: Int, message: String)] {
        sources.keys.sorted().filter(matching).flatMap { name in
            TemplateVariableCheck.problems(in: sources[name]!, context: context, partials: Set(sources.keys)).map {
                (file: "\(folder)/\(name).mustache", line: $0.line, message: $0.message)
            }
        }
    }

    /// What a formal notice must state that `template` (in `language`) leaves out when rendered
    /// with the sample context: the amount, the invoice numbers and concepts, how to pay, a
    /// deadline. Empty when it states them all.
    package func missingFormalParts(_ template: String, language: Language, sample: [String: Any]) throws(MailError) -> [String] {
        let rendered = try render(template, language: language, context: sample)
        let invoices = sample["invoices"] as? [[String: Any]] ?? []
        let payment = sample["payment"] as? [String: Any] ?? [:]
        var missing: [String] = []
        // Both parts: a mail client shows the HTML, a court may print the text.
        for (part, text) in [("text", rendered.text), ("html", rendered.html)] {
            func lacks(_ what: String) { missing.append("\(what) in its \(part) part") }
            if let total = sample["total"] as? String, !text.contains(total) { lacks("the amount owed ({{total}})") }
            if !invoices.allSatisfy({ text.contains($0["number"] as? String ?? "\u{0}") }) { lacks("the invoice numbers ({{number}} in {{#invoices}})") }
            if !invoices.allSatisfy({ text.contains($0["concept"] as? String ?? "\u{0}") }) { lacks("the concepts ({{concept}} in {{#invoices}})") }
            let ways = [payment["iban"], payment["link"]].compactMap { $0 as? String }
            if !ways.contains(where: text.contains) { lacks("how to pay ({{payment.iban}} or {{payment.link}})") }
            if let deadline = sample["deadline"] as? String, !text.contains(deadline) { lacks("a deadline ({{deadline}})") }
        }
        return missing
    }

    static func html(fromText text: String) -> String {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        let paragraphs = escaped.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty }
        let body = paragraphs.map { "<p>" + $0.replacingOccurrences(of: "\n", with: "<br>\n") + "</p>" }.joined(separator: "\n")
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n\(body)\n</body></html>\n"
    }
}
