import CCurlShim
import Foundation

/// What one libcurl SMTP transfer did, rebuilt from its debug trace: libcurl's own response
/// code is often stale, so the phase (last command, whether DATA got 354, whether a final
/// reply came) is tracked here. Lines that could carry credentials are redacted.
final class SMTPSession {
    private(set) var transcript: [String] = []
    private(set) var lastCommand = ""
    private(set) var sentAuth = false
    private(set) var dataAccepted = false
    /// Replies received after the whole body went out.
    private(set) var finalReply: String?
    /// The reply that decided the transfer (a goodbye after a refusal does not count) and the
    /// command it answered.
    private(set) var lastReply = ""
    private(set) var lastCode: Int?
    private(set) var decisiveCommand = ""
    /// The address of the last RCPT TO sent.
    private(set) var lastRecipient: String?
    private var awaitingAuthContinuation = false

    /// The message body, fed to libcurl by the read callback.
    let body: [UInt8]
    private(set) var offset = 0
    /// Set when the read callback refused to start the body because no login happened.
    private(set) var refusedUnauthenticated = false
    /// Called before the first byte of the body; false stops the transfer there.
    private let beforeBody: () -> Bool
    /// Asked while the relay has not answered; false abandons the transfer.
    let keepWaiting: () -> Bool
    /// Set when `keepWaiting` said no: the transfer was abandoned.
    var abandoned = false
    private var askedBeforeBody = false
    /// Set when `beforeBody` said no.
    private(set) var refusedBeforeBody = false
    /// Set when this transfer greeted the relay (EHLO/HELO). Without a greeting libcurl reused
    /// the handle's open connection, which logs in only once; the transport closes the
    /// connection after any failed transfer, so a reused one did log in.
    private(set) var greeted = false
    let requireAuth: Bool

    init(body: [UInt8], requireAuth: Bool, beforeBody: @escaping () -> Bool = { true }, keepWaiting: @escaping () -> Bool = { true }) {
        self.body = body
        self.requireAuth = requireAuth
        self.beforeBody = beforeBody
        self.keepWaiting = keepWaiting
    }

    var bodyFullySent: Bool { offset >= body.count }

    /// Copies the next chunk of the body into libcurl's buffer; aborts before the first byte
    /// when a login was required and libcurl skipped it (the relay offered no AUTH), or when
    /// `beforeBody` says no.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        if offset == 0 && requireAuth && !sentAuth && greeted {
            refusedUnauthenticated = true
            return Int(CURL_READFUNC_ABORT)
        }
        if !askedBeforeBody {
            askedBeforeBody = true
            refusedBeforeBody = !beforeBody()
        }
        if refusedBeforeBody { return Int(CURL_READFUNC_ABORT) }
        let count = min(capacity, body.count - offset)
        guard count > 0 else { return 0 }
        body.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// Takes one trace record of the dialogue (CURLINFO_HEADER_OUT or _IN) from libcurl's debug
    /// callback: its lines, split at CRLF by byte (String's split by character cost a few
    /// microseconds a message).
    func record(_ type: curl_infotype, _ bytes: UnsafeRawBufferPointer) {
        var start = 0
        var index = 0
        while index <= bytes.count {
            let atEnd = index == bytes.count
            if atEnd || (bytes[index] == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A) {
                if index > start {
                    let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    if type == CURLINFO_HEADER_OUT { sent(line) } else { received(line) }
                }
                if atEnd { break }
                index += 2
                start = index
            } else {
                index += 1
            }
        }
    }

    private func sent(_ line: String) {
        // The command word, upper-cased; a short one is a small string, kept inline (no allocation).
        let verb = String(decoding: line.utf8.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self).uppercased()
        if awaitingAuthContinuation || verb == "AUTH" {
            // The AUTH line and the answers to 334 challenges carry credentials.
            if verb == "AUTH" {
                sentAuth = true
                lastCommand = "AUTH"
                transcript.append("> AUTH " + (line.split(separator: " ").dropFirst().first.map(String.init) ?? "") + " [redacted]")
            } else {
                transcript.append("> [redacted]")
            }
            return
        }
        switch verb {
        case "EHLO", "HELO", "STARTTLS", "MAIL", "RCPT", "DATA", "QUIT", "RSET", "NOOP":
            if verb == "EHLO" || verb == "HELO" { greeted = true }
            if verb == "RCPT", let open = line.firstIndex(of: "<"), let close = line.lastIndex(of: ">"), open < close {
                lastRecipient = String(line[line.index(after: open)..<close])
            }
            lastCommand = verb
            transcript.append("> " + line)
        default:
            transcript.append("> [redacted]")
        }
    }

    private func received(_ line: String) {
        transcript.append("< " + line)
        let code = Self.replyCode(line)
        // The goodbye after a refusal must not hide the refusal.
        if lastCommand != "QUIT" {
            lastReply = line
            lastCode = code ?? lastCode
            decisiveCommand = lastCommand
        }
        awaitingAuthContinuation = code == 334
        if lastCommand == "DATA" && code == 354 {
            dataAccepted = true
        } else if dataAccepted && bodyFullySent, line.utf8.dropFirst(3).first == UInt8(ascii: " ") {
            finalReply = line
        }
    }

    /// The three-digit code a reply line starts with, if it does.
    private static func replyCode(_ line: String) -> Int? {
        var code = 0
        var digits = 0
        for byte in line.utf8.prefix(3) where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits == 3 ? code : nil
    }
}
