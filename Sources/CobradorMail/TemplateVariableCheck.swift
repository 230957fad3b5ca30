/// Finds the tags of a template that the context cannot fill. swift-mustache renders a
/// missing key as nothing, so a typo ({{client.nmae}}) would silently vanish from a letter to
/// a client: this walks the tags with the same scoping rules instead.
enum TemplateVariableCheck {
    static func problems(in source: String, context: [String: Any], partials: Set<String>) -> [(line: Int, message: String)] {
        var problems: [(line: Int, message: String)] = []
        var stack: [Any] = [context]
        var sections: [String] = []
        let pattern = /\{\{(\{)?\s*([#^\/&>%!]?)\s*([^}]*?)\s*\}?\}\}/
        var lineStarts: [String.Index] = [source.startIndex]
        for index in source.indices where source[index] == "\n" { lineStarts.append(source.index(after: index)) }
        func line(of position: String.Index) -> Int { lineStarts.lastIndex { $0 <= position }.map { $0 + 1 } ?? 1 }

        for match in source.matches(of: pattern) {
            let sigil = String(match.output.2)
            let name = String(match.output.3)
            let at = line(of: match.range.lowerBound)
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
