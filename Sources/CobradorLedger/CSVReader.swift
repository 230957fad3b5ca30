/// An RFC 4180 CSV parser that remembers the line each record starts on, so every import
/// problem can name its line. Accepts LF or CRLF line ends, a UTF-8 byte-order mark, quoted
/// fields with embedded separators, quotes ("") and line breaks. The separator is ',' unless
/// the header line holds ';' and no ',' (the usual export where the decimal mark is a comma).
struct CSVReader {
    struct Record {
        /// 1-based line where the record starts.
        var line: Int
        var fields: [String]
        /// The column separator of the file the record came from.
        var separator: Character
    }

    enum Failure: Error {
        case unterminatedQuote(line: Int)
        case textAfterQuote(line: Int)
    }

    static func parse(_ text: String) throws(Failure) -> [Record] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        let headerLine = scalars.prefix { $0 != "\n" }
        let separator: Unicode.Scalar = headerLine.contains(";") && !headerLine.contains(",") ? ";" : ","

        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var index = scalars.startIndex
        var fieldStarted = false

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            fieldStarted = false
        }
        func endRecord() {
            endField()
            // An empty line, or one of separators only (a spreadsheet's blank row), is no record.
            if !fields.allSatisfy({ $0.allSatisfy { $0 == " " || $0 == "\t" } }) { records.append(Record(line: recordLine, fields: fields, separator: Character(separator))) }
            fields = []
        }

        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\"" && !fieldStarted {
                // Quoted field: runs to the closing quote; "" is a literal quote.
                let openingLine = line
                index = scalars.index(after: index)
                var closed = false
                while index < scalars.endIndex {
                    let inner = scalars[index]
                    if inner == "\"" {
                        let next = scalars.index(after: index)
                        if next < scalars.endIndex && scalars[next] == "\"" {
                            field.append("\"")
                            index = scalars.index(after: next)
                            continue
                        }
                        index = next
                        closed = true
                        break
                    }
                    if inner == "\n" { line += 1 }
                    field.append(inner)
                    index = scalars.index(after: index)
                }
                guard closed else { throw .unterminatedQuote(line: openingLine) }
                fieldStarted = true
                if index < scalars.endIndex, scalars[index] != separator, scalars[index] != "\n", scalars[index] != "\r" {
                    throw .textAfterQuote(line: line)
                }
                continue
            }
            switch scalar {
            case separator:
                endField()
            case "\r":
                break
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(scalar)
                fieldStarted = true
            }
            index = scalars.index(after: index)
        }
        if fieldStarted || !fields.isEmpty { endRecord() }
        return records
    }
}
