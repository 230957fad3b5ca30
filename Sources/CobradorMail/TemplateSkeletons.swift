import Foundation

/// Renders a template for many contexts of the same shape at the cost of filling in values.
///
/// swift-mustache looks every name up through dynamic casts, which costs more than all the
/// rest of composing a message. But what a template makes of a context depends only on the
/// context's shape (which keys are there, booleans, list lengths, whether a text is empty or
/// ends a line), not on the texts themselves (a context with a carriage return in a text is
/// rendered directly). So each template is rendered once per shape by swift-mustache itself,
/// with a marker in place of each text; the result, its skeleton, is kept, and later contexts
/// of that shape only have their texts put where the markers were, HTML-escaped where
/// swift-mustache escaped the marker (its "&" became "&amp;").
///
/// Templates whose output could depend on a text's content (transforms such as
/// `uppercased(name)`, dynamic partials, changed delimiters that could hide either) are
/// never rendered from a skeleton: `TemplateSet` renders them directly.
final class TemplateSkeletons: @unchecked Sendable {
    /// One piece of a skeleton: literal text, or the text of the context's leaf at an index.
    enum Segment {
        case text(String)
        case value(Int, escaped: Bool)
    }

    /// What fills a skeleton in: the context's shape, and its texts in the order the markers
    /// number them.
    struct Filling: Equatable {
        /// As `walk` writes it: bytes, which cost a fraction of String's appends.
        fileprivate var shape: [UInt8] = []
        fileprivate var leaves: [String] = []

        /// A key with its length, so that no key can pass for part of another shape.
        fileprivate mutating func add(key: String) {
            shape.append(contentsOf: String(key.utf8.count).utf8)
            shape.append(contentsOf: key.utf8)
            shape.append(UInt8(ascii: ":"))
        }

        /// The finished shape as the skeletons are kept by (an array of bytes hashes byte by byte).
        fileprivate var key = ""

        /// A filling `walk` fills from empty, with its key; nil when it cannot have a skeleton.
        fileprivate static func of(_ walk: (inout Filling) -> Bool) -> Filling? {
            var filling = Filling()
            filling.shape.reserveCapacity(1024)
            guard walk(&filling) else { return nil }
            filling.key = String(decoding: filling.shape, as: UTF8.self)
            return filling
        }
    }

    private let lock = NSLock()
    /// By template name and shape; nil when the rendered markers could not be read back.
    private var skeletons: [String: [String: [Segment]?]] = [:]

    private static let open = "\u{E000}"
    private static let close = "\u{E001}"

    /// Whether templates written like `source` can be rendered from skeletons.
    static func allows(_ source: String) -> Bool {
        // No marker's character (U+E000, U+E001: EE 80 80, EE 80 81 in UTF-8), no delimiter
        // change ("{{="), and no tag with "(" (a transform) or "*" (a dynamic partial) before
        // its "}}". Read by byte: searches for strings and a regular expression took
        // milliseconds a template, at every start of every command.
        let bytes = Array(source.utf8)
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0xEE && index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0x80 || bytes[index + 2] == 0x81) {
                return false
            }
            guard bytes[index] == UInt8(ascii: "{") && bytes[index + 1] == UInt8(ascii: "{") else {
                index += 1
                continue
            }
            if index + 2 < bytes.count && bytes[index + 2] == UInt8(ascii: "=") { return false }
            var end = index + 2
            var hidesContent = false
            while end < bytes.count && bytes[end] != UInt8(ascii: "}") {
                hidesContent = hidesContent || bytes[end] == UInt8(ascii: "(") || bytes[end] == UInt8(ascii: "*")
                end += 1
            }
            if hidesContent && end + 1 < bytes.count && bytes[end + 1] == UInt8(ascii: "}") { return false }
            index += 1
        }
        return true
    }

    /// The filling of `context`, for the templates rendered with it; nil when a value is of a
    /// kind whose rendering depends on more than its shape, or a text holds a carriage return
    /// or a marker's character.
    static func filling(for context: [String: Any]) -> Filling? {
        Filling.of { walk(context, &$0) }
    }

    /// The filling of a typed context: the same as `filling(for: context.rendered)`.
    static func filling(for context: TemplateContext) -> Filling? {
        Filling.of { walk(context, &$0) }
    }

    /// `template` rendered with `context` as `render` (swift-mustache) renders it; nil when
    /// `render` gives nil. `filling` is `filling(for: context())`; `context` is called only
    /// when swift-mustache renders.
    func render(_ template: String, context: () -> [String: Any], filling: Filling?, with render: (String, [String: Any]) -> String?) -> String? {
        guard let filling else { return render(template, context()) }
        let shape = filling.key
        let skeleton: [Segment]?
        if let known = lock.withLock({ skeletons[template]?[shape] }) {
            skeleton = known
        } else {
            var next = 0
            skeleton = render(template, Self.marked(context(), next: &next) as! [String: Any]).flatMap { Self.segments(of: $0, leafCount: filling.leaves.count) }
            lock.withLock {
                // A few shapes per template in practice; a bound all the same.
                if skeletons[template, default: [:]].count > 256 { skeletons[template] = [:] }
                skeletons[template, default: [:]][shape] = .some(skeleton)
            }
        }
        guard let skeleton else { return render(template, context()) }
        var output = ""
        for segment in skeleton {
            switch segment {
            case .text(let text): output += text
            case .value(let index, let escaped): output += escaped ? Self.htmlEscaped(filling.leaves[index]) : filling.leaves[index]
            }
        }
        return output
    }

    /// Appends `value`'s shape and texts to `filling`; false when it cannot have a skeleton.
    private static func walk(_ value: Any, _ filling: inout Filling) -> Bool {
        switch value {
        case let text as String:
            return walk(text: text, &filling)
        case let flag as Bool:
            filling.shape.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            return true
        case let dictionary as [String: Any]:
            // Keys in order: two dictionaries with the same keys (even one dictionary, cast
            // twice from [String: String]) need not iterate in the same order.
            filling.shape.append(UInt8(ascii: "{"))
            for key in dictionary.keys.sorted() {
                filling.add(key: key)
                guard walk(dictionary[key]!, &filling) else { return false }
                filling.shape.append(UInt8(ascii: ","))
            }
            filling.shape.append(UInt8(ascii: "}"))
            return true
        case let list as [Any]:
            filling.shape.append(UInt8(ascii: "["))
            for element in list {
                guard walk(element, &filling) else { return false }
                filling.shape.append(UInt8(ascii: ","))
            }
            filling.shape.append(UInt8(ascii: "]"))
            return true
        default:
            return false
        }
    }

    /// `walk` for a typed context: the same shape and texts, read without casts.
    private static func walk(_ value: TemplateContext, _ filling: inout Filling) -> Bool {
        switch value {
        case .text(let text):
            return walk(text: text, &filling)
        case .flag(let flag):
            filling.shape.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            return true
        case .keyed(let object):
            filling.shape.append(UInt8(ascii: "{"))
            for entry in object.entries {
                filling.add(key: entry.key)
                guard walk(entry.value, &filling) else { return false }
                filling.shape.append(UInt8(ascii: ","))
            }
            filling.shape.append(UInt8(ascii: "}"))
            return true
        case .list(let elements):
            filling.shape.append(UInt8(ascii: "["))
            for element in elements {
                guard walk(element, &filling) else { return false }
                filling.shape.append(UInt8(ascii: ","))
            }
            filling.shape.append(UInt8(ascii: "]"))
            return true
        }
    }

    /// Appends a text's shape, and the text itself when it is a leaf; false when it cannot
    /// have a skeleton.
    private static func walk(text: String, _ filling: inout Filling) -> Bool {
        // A carriage return can join the next line end into one character, which changes
        // where swift-mustache indents an indented partial's lines: no skeleton then.
        if text.utf8.contains(where: { $0 == 0x0D || $0 == 0xEE }) {
            guard !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\u{E000}" || $0 == "\u{E001}" }) else { return false }
        }
        // An indented partial's next line is indented after a value that ends a line (unless
        // a CR before it makes one character of both), and not after an empty one: so the
        // marker is empty, or the line end itself, or ends the line, as the text does.
        if text.isEmpty || text == "\n" {
            filling.shape.append(text.isEmpty ? UInt8(ascii: "e") : UInt8(ascii: "l"))
        } else if text.utf8.last == 0x0A {
            filling.shape.append(UInt8(ascii: "n"))
            filling.leaves.append(String(text.dropLast()))
        } else {
            filling.shape.append(UInt8(ascii: "s"))
            filling.leaves.append(text)
        }
        return true
    }

    /// `value` (one `walk` accepted) with each non-empty text replaced by its marker, numbered
    /// in `walk`'s order from `next`.
    private static func marked(_ value: Any, next: inout Int) -> Any {
        switch value {
        case let text as String:
            guard !text.isEmpty, text != "\n" else { return text }
            next += 1
            return open + String(next - 1) + "&\\" + close + (text.utf8.last == 0x0A ? "\n" : "")
        case let dictionary as [String: Any]:
            var marked: [String: Any] = [:]
            for key in dictionary.keys.sorted() { marked[key] = self.marked(dictionary[key]!, next: &next) }
            return marked
        case let list as [Any]:
            return list.map { marked($0, next: &next) }
        default:
            return value
        }
    }

    /// The skeleton of a rendering with markers; nil when a marker came out changed (a list
    /// printed as a variable doubles its backslash). Read by Unicode scalar: a marker may share
    /// a character with the text before it.
    private static func segments(of rendered: String, leafCount: Int) -> [Segment]? {
        let scalars = rendered.unicodeScalars
        let (open, close) = (Unicode.Scalar(0xE000)!, Unicode.Scalar(0xE001)!)
        var segments: [Segment] = []
        var rest = scalars[...]
        while let start = rest.firstIndex(of: open) {
            if start > rest.startIndex { segments.append(.text(String(String.UnicodeScalarView(rest[..<start])))) }
            let afterOpen = scalars.index(after: start)
            guard let end = rest[afterOpen...].firstIndex(of: close) else { return nil }
            let inside = String(String.UnicodeScalarView(rest[afterOpen..<end]))
            let digits = inside.prefix(while: \.isASCII).prefix(while: \.isNumber)
            guard let index = Int(digits), index < leafCount else { return nil }
            switch inside.dropFirst(digits.count) {
            case "&\\": segments.append(.value(index, escaped: false))
            case "&amp;\\": segments.append(.value(index, escaped: true))
            default: return nil
            }
            rest = rest[scalars.index(after: end)...]
        }
        guard !rest.contains(close) else { return nil }
        if !rest.isEmpty { segments.append(.text(String(String.UnicodeScalarView(rest)))) }
        return segments
    }

    /// What swift-mustache's HTML content type makes of a text, character by character.
    static func htmlEscaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
