import Foundation

/// The encodings MIME needs, written out because they are small and must be exactly right:
/// quoted-printable bodies (RFC 2045), encoded-words in headers (RFC 2047), encoded parameters
/// (RFC 2231), and header folding (RFC 5322). Everything produces CRLF line ends.
enum MIMEEncoding {
    static let crlf = "\r\n"

    /// Appends the quoted-printable of `text` (UTF-8) to `output`, its line breaks made CRLF,
    /// lines at most 76 octets. Written through a pointer: appending byte by byte to an array
    /// cost 5 us a message.
    static func quotedPrintable(_ text: String, into output: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // Each byte takes at most 3 octets, a soft break 3 more at most every 25 bytes, and
            // a line end one more.
            let start = output.count
            let capacity = bytes.count * 4 + 8
            output.append(contentsOf: repeatElement(0, count: capacity))
            let written = output.withUnsafeMutableBufferPointer { whole in
                let tail = UnsafeMutableBufferPointer(rebasing: whole[start...])
                var written = 0
                // Lines end at CRLF, CR or LF; each is encoded alone and joined with CRLF.
                var lineStart = 0
                var index = 0
                while index <= bytes.count {
                    if index == bytes.count || bytes[index] == 0x0D || bytes[index] == 0x0A {
                        written = encodeLine(bytes, lineStart..<index, into: tail, at: written)
                        guard index < bytes.count else { break }
                        if bytes[index] == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
                        tail[written] = 0x0D
                        tail[written + 1] = 0x0A
                        written += 2
                        lineStart = index + 1
                    }
                    index += 1
                }
                return written
            }
            output.removeLast(capacity - written)
        }
    }

    private static let hexDigits: StaticString = "0123456789ABCDEF"

    /// The bytes that stand for themselves anywhere but at a line's end, as bits of 0-63 and
    /// 64-127: space, tab and printable ASCII but "=" and "." (which `encodeLine` weighs one
    /// by one).
    private static let plainBytes: (low: UInt64, high: UInt64) = {
        var bits: [UInt64] = [0, 0]
        for byte in [UInt8(ascii: " "), UInt8(ascii: "\t")] + Array(33...126) where byte != UInt8(ascii: "=") && byte != UInt8(ascii: ".") {
            bits[Int(byte >> 6)] |= 1 << (byte & 63)
        }
        return (bits[0], bits[1])
    }()

    /// Encodes one line (no line end in it) at `written`; returns where the output ends.
    private static func encodeLine(
        _ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, into output: UnsafeMutableBufferPointer<UInt8>, at written: Int
    ) -> Int {
        var written = written
        var lineLength = 0
        let (low, high) = plainBytes
        var index = line.lowerBound
        while index < line.upperBound {
            // Most bytes come in runs that stand for themselves: printable, not "=" nor ".",
            // not the line's last, with room left on the output line.
            let runEnd = min(line.upperBound - 1, index + max(0, 75 - lineLength))
            let runStart = index
            while index < runEnd {
                let byte = bytes[index]
                guard byte < 128 && ((byte < 64 ? low : high) >> (byte & 63)) & 1 == 1 else { break }
                output[written] = byte
                written += 1
                index += 1
            }
            lineLength += index - runStart
            if index > runStart { continue }
            let byte = bytes[index]
            let isLast = index == line.upperBound - 1
            index += 1
            let literal: Bool
            switch byte {
            case UInt8(ascii: "="): literal = false
            // A space or tab is literal except at the end of a line, where transport may strip it.
            case UInt8(ascii: " "), UInt8(ascii: "\t"): literal = !isLast
            // A dot at the start of a line trips some transports: encode it.
            case UInt8(ascii: "."): literal = lineLength != 0
            case 33...126: literal = true
            default: literal = false
            }
            var width = literal ? 1 : 3
            // Keep room for the soft break "=" within 76 octets.
            if lineLength + width > (isLast ? 76 : 75) {
                output[written] = UInt8(ascii: "=")
                output[written + 1] = 0x0D
                output[written + 2] = 0x0A
                written += 3
                lineLength = 0
                if byte == UInt8(ascii: ".") { width = 3 }
            }
            if width == 1 {
                output[written] = byte
            } else {
                output[written] = UInt8(ascii: "=")
                output[written + 1] = hexDigits.utf8Start[Int(byte >> 4)]
                output[written + 2] = hexDigits.utf8Start[Int(byte & 0x0F)]
            }
            written += width
            lineLength += width
        }
        return written
    }

    /// Base64 in lines of 76 characters.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// Whether `text` can stand in a header as is: printable ASCII and no "=?" that a reader
    /// would take for an encoded-word.
    static func isPlainHeaderText(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            guard byte >= 0x20 && byte < 0x7F, !(previous == UInt8(ascii: "=") && byte == UInt8(ascii: "?")) else { return false }
            previous = byte
        }
        return true
    }

    /// `text` as RFC 2047 encoded-words (UTF-8, base64), each at most 75 characters and never
    /// splitting a character, joined by folding whitespace.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            // 45 octets of UTF-8 make 60 base64 characters; with "=?UTF-8?B?" and "?=", 72.
            if chunk.count + UTF8.width(scalar) > 45 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk.removeAll(keepingCapacity: true)
            }
            UTF8.encode(scalar) { chunk.append($0) }
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words
    }

    /// An unstructured header (Subject) folded to lines of at most 78 characters: plain words
    /// when the text is printable ASCII, encoded-words otherwise.
    static func unstructuredHeader(_ name: String, _ value: String) -> String {
        let words = isPlainHeaderText(value) ? value.split(separator: " ", omittingEmptySubsequences: false).map(String.init) : encodedWords(value)
        return fold(name: name, words: words)
    }

    /// Joins `words` after "Name: ", starting a new line (CRLF + space) before a word that
    /// would pass 78 characters. A plain word longer than a line stays whole (at most 998).
    /// Header words are ASCII (plain text or encoded-words), so characters are counted as bytes.
    static func fold(name: String, words: [String]) -> String {
        var output = name + ":"
        output.reserveCapacity(output.utf8.count + words.reduce(0) { $0 + $1.utf8.count + 3 })
        var lineLength = output.utf8.count
        for word in words {
            let length = word.utf8.count
            if lineLength + 1 + length > 78 && lineLength > name.utf8.count + 1 {
                output += crlf + " "
                lineLength = 0
            } else {
                output += " "
            }
            output += word
            lineLength += 1 + length
        }
        return output
    }

    /// A mailbox for From, To or Cc: the display name quoted if ASCII, encoded otherwise.
    static func mailbox(_ mailbox: Mailbox) -> [String] {
        guard let name = mailbox.name, !name.isEmpty else { return ["<\(mailbox.address)>"] }
        if isPlainHeaderText(name) {
            let needsEscapes = name.utf8.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }
            let escaped = needsEscapes ? name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") : name
            let quoted = "\"" + escaped + "\""
            return [quoted, "<\(mailbox.address)>"]
        }
        return encodedWords(name) + ["<\(mailbox.address)>"]
    }

    /// A file name parameter: quoted when plain ASCII, RFC 2231 percent-encoded UTF-8 otherwise.
    static func fileNameParameter(_ fileName: String) -> String {
        if isPlainHeaderText(fileName) && !fileName.contains("\"") && !fileName.contains("\\") {
            return "filename=\"\(fileName)\""
        }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        let encoded = fileName.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
        return "filename*=utf-8''\(encoded)"
    }
}
