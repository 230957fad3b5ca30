/// Finds the line of a key in TOML source text.
///
/// TOMLKit's nodes carry no source position, so this scans the text once, following
/// `[table]` and `[[array]]` headers and `key =` lines, and maps every dotted path (arrays
/// indexed from 0, as in `cadence.stage[1].offset_days`) to its line. A key written inside
/// an inline table resolves to the line of the nearest enclosing key that was found.
package struct TOMLLocator: Sendable {
    private var lines: [String: Int] = [:]

    package init(source: String) {
        var header: [String] = []
        var arrayCounts: [String: Int] = [:]
        var inMultilineString = false
        for (offset, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingSpaces()
            let tripleQuotes = line.components(separatedBy: "\"\"\"").count - 1 + line.components(separatedBy: "'''").count - 1
            defer { if tripleQuotes % 2 == 1 { inMultilineString.toggle() } }
            if inMultilineString || line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") , let end = line.range(of: "]]") {
                let names = Self.keyComponents(line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound])
                let resolved = resolve(names, counts: arrayCounts)
                let path = resolved.joined(separator: ".")
                let index = arrayCounts[path, default: 0]
                arrayCounts[path] = index + 1
                header = resolved.dropLast() + ["\(resolved.last ?? "")[\(index)]"]
                record(header, lineNumber)
            } else if line.hasPrefix("["), let end = line.firstIndex(of: "]") {
                header = resolve(Self.keyComponents(line[line.index(after: line.startIndex)..<end]), counts: arrayCounts)
                record(header, lineNumber)
            } else if let equals = Self.assignment(in: line) {
                record(header + Self.keyComponents(line[..<equals]), lineNumber)
            }
        }
    }

    /// The line of `path`, or of its nearest ancestor that appears in the text.
    package func line(of path: [String]) -> Int? {
        var components = path
        while !components.isEmpty {
            if let line = lines[components.joined(separator: ".")] { return line }
            components.removeLast()
        }
        return nil
    }

    private mutating func record(_ path: [String], _ line: Int) {
        let key = path.joined(separator: ".")
        if lines[key] == nil { lines[key] = line }
    }

    /// Resolves every prefix that names an array of tables to its latest element.
    private func resolve(_ names: [String], counts: [String: Int]) -> [String] {
        var resolved: [String] = []
        for (position, name) in names.enumerated() {
            let candidate = (resolved + [name]).joined(separator: ".")
            if position < names.count - 1, let count = counts[candidate] {
                resolved.append("\(name)[\(count - 1)]")
            } else {
                resolved.append(name)
            }
        }
        return resolved
    }

    /// The index of the `=` of a `key = value` line, ignoring any `=` inside quoted keys.
    private static func assignment(in line: Substring) -> Substring.Index? {
        var quote: Character?
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "=" {
                return index
            }
        }
        return nil
    }

    private static func keyComponents(_ text: Substring) -> [String] {
        text.split(separator: ".").map { part in
            var name = part.trimmingSpaces()
            if name.count >= 2, let first = name.first, first == "\"" || first == "'", name.last == first {
                name = name.dropFirst().dropLast()
            }
            return String(name)
        }
    }
}
