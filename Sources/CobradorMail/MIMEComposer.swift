import CobradorCore
import Foundation

/// Turns an `OutgoingMessage` into the exact bytes that are sent and kept as evidence:
/// RFC 5322 headers, multipart/alternative (quoted-printable text, then HTML) inside
/// multipart/mixed when there are attachments, CRLF everywhere, no line over 998 octets.
///
/// Deterministic: the same message gives the same bytes (boundaries derive from the
/// Message-ID), so a retry stores and sends what the first attempt did.
package enum MIMEComposer {
    package static func compose(_ message: OutgoingMessage) throws(MailError) -> [UInt8] {
        try validate(message)
        // Written straight into one buffer: joining the parts as strings copied the message
        // several times over.
        var output: [UInt8] = []
        output.reserveCapacity(4 * (message.text.utf8.count + message.html.utf8.count) + message.attachments.reduce(0) { $0 + 2 * $1.data.count } + 4096)
        func line(_ text: String) {
            output.append(contentsOf: text.utf8)
            output.append(0x0D)
            output.append(0x0A)
        }
        line("Date: " + rfc5322Date(message.date, in: message.timeZone))
        line(MIMEEncoding.fold(name: "From", words: MIMEEncoding.mailbox(message.from)))
        if let replyTo = message.replyTo { line("Reply-To: <\(replyTo)>") }
        line(addressList("To", message.to))
        if !message.cc.isEmpty { line(addressList("Cc", message.cc)) }
        line(MIMEEncoding.unstructuredHeader("Subject", message.subject))
        line("Message-ID: <\(message.messageID)>")
        if let parent = message.references.last {
            line("In-Reply-To: <\(parent)>")
            line(MIMEEncoding.fold(name: "References", words: message.references.map { "<\($0)>" }))
        }
        if message.autoSubmitted { line("Auto-Submitted: auto-generated") }
        line("MIME-Version: 1.0")

        let boundary = Self.boundary(message.messageID)
        if !message.attachments.isEmpty {
            line("Content-Type: multipart/mixed; boundary=\"\(boundary)_m\"")
            line("")
            line("--\(boundary)_m")
        }
        line("Content-Type: multipart/alternative; boundary=\"\(boundary)_a\"")
        line("")
        for (subtype, text) in [("plain", message.text), ("html", message.html)] {
            line("--\(boundary)_a")
            line("Content-Type: text/\(subtype); charset=utf-8")
            line("Content-Transfer-Encoding: quoted-printable")
            line("")
            MIMEEncoding.quotedPrintable(text, into: &output)
            line("")
        }
        line("--\(boundary)_a--")
        guard !message.attachments.isEmpty else { return output }
        // The alternative part ends with a line end of its own, then the one before the next boundary.
        line("")
        for attachment in message.attachments {
            line("--\(boundary)_m")
            line("Content-Type: \(attachment.contentType)")
            line("Content-Transfer-Encoding: base64")
            line("Content-Disposition: attachment; \(MIMEEncoding.fileNameParameter(attachment.fileName))")
            line("")
            line(MIMEEncoding.base64Lines(attachment.data))
        }
        line("--\(boundary)_m--")
        return output
    }

    /// "Mon, 30 Nov 2026 09:00:00 +0100", English names whatever the machine's locale. Built
    /// by hand: a DateFormatter per message cost more than the rest of the message.
    package static func rfc5322Date(_ date: Date, in zone: TimeZone) -> String {
        let (day, second) = CalendarDate.wallClock(date, in: zone)
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let offset = zone.secondsFromGMT(for: date) / 60
        let sign = offset < 0 ? "-" : "+"
        let weekday = days[((day.dayNumber % 7) + 7) % 7]
        return "\(weekday), \(two(day.day)) \(months[day.month - 1]) \(day.year) "
            + "\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)) \(sign)\(two(abs(offset) / 60))\(two(abs(offset) % 60))"
    }

    /// A boundary no quoted-printable or base64 text can contain ("=_" never occurs in either).
    static func boundary(_ messageID: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in messageID.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return "=_cobrador_" + String(hash, radix: 16)
    }

    private static func addressList(_ name: String, _ mailboxes: [Mailbox]) -> String {
        var words: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            var parts = MIMEEncoding.mailbox(mailbox)
            if index < mailboxes.count - 1 { parts[parts.count - 1] += "," }
            words += parts
        }
        return MIMEEncoding.fold(name: name, words: words)
    }

    /// Refuses any header-bound value with a line break or control character, and any address
    /// that is not a bare valid one: a ledger value can never create a header.
    private static func validate(_ message: OutgoingMessage) throws(MailError) {
        func clean(_ value: String, _ field: String) throws(MailError) {
            if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
                throw .unsafeHeaderValue(field: field, record: message.record)
            }
        }
        func address(_ value: String, _ field: String) throws(MailError) {
            // Valid, and with no space around it (the rule trims it).
            guard (try? FieldRules.emailAddress(value)) == value else {
                throw .invalidAddress(field: field, record: message.record, address: value)
            }
        }
        guard !message.to.isEmpty else { throw .missingRecipient(record: message.record) }
        try clean(message.subject, "the subject")
        try clean(message.messageID, "the Message-ID")
        for reference in message.references { try clean(reference, "a reference") }
        try address(message.from.address, "the sender's address")
        try clean(message.from.name ?? "", "the sender's name")
        if let replyTo = message.replyTo { try address(replyTo, "the reply-to address") }
        for mailbox in message.to + message.cc {
            try address(mailbox.address, "the address")
            try clean(mailbox.name ?? "", "the name")
        }
        for attachment in message.attachments { try clean(attachment.fileName, "the attachment's file name") }
    }
}
