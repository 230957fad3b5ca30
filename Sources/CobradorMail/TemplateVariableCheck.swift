/// Finds the tags of a template that the context cannot fill. swift-mustache renders a
/// missing key as nothing, so a typo ({{client.nmae}}) would silently vanish from a letter to
/// a client: this walks the tags with the same scoping rules instead.
enum TemplateVariableCheck {
    static func problems(in source: String, context: [String: Any], partials: Set<String>) -> [(line: Int, message: String)] {
        var problems: [(line: Int, message: String)] = []
        var stack: [Any] = [context]
        var sections: [String] = []
        for tag in tags(in: source) {
            let (sigil, name, at) = (tag.sigil, tag.name, tag.line)
            switch sigil {
            case "!", "%":
                continue
            case ">":
                if !partials.contains(name) { problems.append((at, "the partial {{> \(name)}} does not exist")) }
            case "#", "^":
                let value = resolve(name, in: stack)
                if value == nil { problems.append((at, "{{\(sigil)\(name)}} is not in the template context")) }
                sections.append(name)
                // Inside a list, names resolve against its first element.
                if sigil == "#", let list = value as? [Any] { stack.append(list.first ?? [:] as [String: Any]) } else { stack.append(value ?? [:] as [String: Any]) }
            case "/":
                if sections.last == name {
                    sections.removeLast()
                    stack.removeLast()
                }
            default:
                if name != ".", resolve(name, in: stack) == nil {
                    problems.append((at, "{{\(name)}} is not in the template context"))
                }
            }
        }
        return problems
    }

    /// The tags of `source` in order: "{{", an optional third "{", a sigil (one of #^/&>%!, or
    /// none), the name up to the first "}" with the spaces around it trimmed, then "}}" (or
    /// "}}}"). Scanned by byte: a Regex made every pass start 20 ms later.
    static func tags(in source: String) -> [(sigil: String, name: String, line: Int)] {
        let bytes = Array(source.utf8)
        let brace = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var tags: [(sigil: String, name: String, line: Int)] = []
        var line = 1
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A { line += 1 }
            guard bytes[index] == brace, bytes[index + 1] == brace else {
                index += 1
                continue
            }
            var cursor = index + 2
            if cursor < bytes.count, bytes[cursor] == brace { cursor += 1 }
            while cursor < bytes.count, isSpace(bytes[cursor]) { cursor += 1 }
            var sigil = ""
            if cursor < bytes.count, "#^/&>%!".utf8.contains(bytes[cursor]) {
                sigil = String(UnicodeScalar(bytes[cursor]))
                cursor += 1
                while cursor < bytes.count, isSpace(bytes[cursor]) { cursor += 1 }
            }
            let nameStart = cursor
            while cursor < bytes.count, bytes[cursor] != close { cursor += 1 }
            var nameEnd = cursor
            while nameEnd > nameStart, isSpace(bytes[nameEnd - 1]) { nameEnd -= 1 }
            // "}}" closes the tag; a triple tag's "}}}" too.
            if cursor < bytes.count, bytes[cursor] == close, cursor + 1 < bytes.count, bytes[cursor + 1] == close {
                tags.append((sigil, String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self), line))
                let end = cursor + 2 < bytes.count && bytes[cursor + 2] == close ? cursor + 3 : cursor + 2
                line += bytes[(index + 1)..<end].lazy.filter { $0 == 0x0A }.count
                index = end
            } else {
                index += 1
            }
        }
        return tags
    }

    /// The value of a dotted name, looked up from the innermost section outwards.
    private static func resolve(_ name: String, in stack: [Any]) -> Any? {
        let parts = name.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        for scope in stack.reversed() {
            guard let dictionary = scope as? [String: Any], var value = dictionary[first] else { continue }
            for part in parts.dropFirst() {
                guard let next = (value as? [String: Any])?[part] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }
}
