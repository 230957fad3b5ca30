/// The long help of a command, written wrapped in the source: ArgumentParser keeps every line
/// break and wraps again at the terminal's width, which left half-lines mid-sentence. Prose
/// lines are joined into paragraphs for it to wrap; a blank line, an indented line (an
/// example), a short heading ("Examples:") and the line after one that ends with ":" keep
/// their breaks.
enum HelpText {
    static func flowing(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let isProse = !line.isEmpty && !line.hasPrefix(" ") && !(line.hasSuffix(":") && line.count <= 40)
            if isProse, let last = lines.last, !last.isEmpty, !last.hasPrefix(" "), !last.hasSuffix(":") {
                lines[lines.count - 1] = last + " " + line
            } else {
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}
