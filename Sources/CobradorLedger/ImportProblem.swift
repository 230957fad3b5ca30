/// One thing wrong with one row of a CSV file.
package struct ImportProblem: Hashable, Sendable, CustomStringConvertible {
    /// The line in the file, counting the header as line 1; nil for the file as a whole.
    package var line: Int?
    /// The column header, when the problem belongs to one column.
    package var column: String?
    package var message: String

    package init(line: Int?, column: String?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String {
        switch (line, column) {
        case (let line?, let column?): "line \(line), column \(column): \(message)"
        case (let line?, nil): "line \(line): \(message)"
        default: message
        }
    }
}
