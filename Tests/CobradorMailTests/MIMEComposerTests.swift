@testable import CobradorMail
import CobradorTestSupport
import Foundation
import Testing

/// The composer's bytes, read back by Python's strict `email` parser (scripts/check-mime.py):
/// a parser cobrador did not write decides whether the message is well formed.
@Suite struct MIMEComposerTests {
    static let madrid = TimeZone(identifier: "Europe/Madrid")!
    static let monday = Date(timeIntervalSince1970: 1_796_025_600)  // 2026-11-30 09:00 Madrid

    func message(
        subject: String = "Recordatorio: factura 2026-041 pendiente de pago", clientName: String = "Acme Ibérica S.L.",
        address: String = "pagos@acme.example", text: String = "Estimado/a cliente:\n\nLe recuerdo la factura 2026-041 (1.815,00 €).\n",
        attachments: [MailAttachment] = []
    ) -> OutgoingMessage {
        OutgoingMessage(
            from: Mailbox(name: "Lucía Martín Traducciones", address: "cobros@luciamartin.example"), replyTo: "lucia@luciamartin.example",
            to: [Mailbox(name: clientName, address: address)], subject: subject, text: text,
            html: "<p>\(text.replacingOccurrences(of: "\n", with: "<br>"))</p>", messageID: "cobrador.42.1796025600@luciamartin.example",
            references: ["cobrador.17.1795000000@luciamartin.example"], autoSubmitted: true, date: Self.monday, timeZone: Self.madrid,
            attachments: attachments, record: "client ACME")
    }

    /// What Python's strict parser makes of the composed bytes.
    func parse(_ messages: [OutgoingMessage]) throws -> [[String: Any]] {
        let folder = TemporaryDirectory()
        var paths: [String] = []
        for (index, message) in messages.enumerated() {
            let path = folder.file("\(index).eml")
            try Data(try MIMEComposer.compose(message)).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/check-mime.py").path
        let result = try ProcessResult.run("/usr/bin/python3", [script] + paths)
        #expect(result.status == 0, "\(result.standardError)")
        return try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [[String: Any]]
    }

    @Test(arguments: [
        ("Europe/Madrid", "Mon, 30 Nov 2026 09:00:00 +0100"),
        ("America/St_Johns", "Mon, 30 Nov 2026 04:30:00 -0330"),
        ("Asia/Kathmandu", "Mon, 30 Nov 2026 13:45:00 +0545"),
        ("UTC", "Mon, 30 Nov 2026 08:00:00 +0000"),
    ])
    func theDateHeaderIsRFC5322InTheSendersZone(zone: String, expected: String) throws {
        #expect(MIMEComposer.rfc5322Date(Self.monday, in: try #require(TimeZone(identifier: zone))) == expected)
        // Summer time moves the offset.
        if zone == "Europe/Madrid" {
            #expect(MIMEComposer.rfc5322Date(Date(timeIntervalSince1970: 1_785_920_400), in: Self.madrid) == "Wed, 05 Aug 2026 11:00:00 +0200")
        }
    }

    @Test func spanishEnglishAndEmojiSurviveTheRoundTrip() throws {
        let cases = [
            message(),
            message(subject: "Último aviso: 1.815,00 € adeudados a Lucía Martín — nº 2026/041 🙏", clientName: "Peña & Muñoz, S.L. \"La Ñ\""),
            message(subject: String(repeating: "Reminder about invoice 2026-041 ", count: 7), clientName: "Thames Publishing Ltd"),
            message(subject: String(repeating: "Recordatorio de la factura nº 2026-041 ", count: 6), clientName: String(repeating: "Compañía Española de Traducción ", count: 5)),
        ]
        let parsed = try parse(cases)
        for (message, result) in zip(cases, parsed) {
            #expect((result["defects"] as? [String]) == [], "\(message.subject): \(result["defects"] ?? "")")
            #expect(result["subject"] as? String == message.subject)
            #expect(result["to"] as? String == "\(displayed(message.to[0].name!)) <\(message.to[0].address)>")
            #expect(result["from"] as? String == "Lucía Martín Traducciones <cobros@luciamartin.example>")
            #expect(result["message_id"] as? String == "<cobrador.42.1796025600@luciamartin.example>")
            #expect(result["in_reply_to"] as? String == "<cobrador.17.1795000000@luciamartin.example>")
            #expect(result["auto_submitted"] as? String == "auto-generated")
            #expect(result["date"] as? String == "Mon, 30 Nov 2026 09:00:00 +0100")
            let parts = result["parts"] as! [[String: Any]]
            #expect(parts.map { $0["type"] as! String } == ["multipart/alternative", "text/plain", "text/html"])
            #expect((parts[1]["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == message.text)
        }
    }

    /// A display name as the RFC 2047 decoder gives it back: an ASCII one still in its quotes.
    func displayed(_ name: String) -> String {
        name.unicodeScalars.allSatisfy(\.isASCII) ? "\"" + name.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : name
    }

    @Test func theInvoicePDFIsAttachedWithItsAccentedName() throws {
        let pdf = Array("%PDF-1.4\n% invoice\n".utf8) + (0..<5000).map { UInt8($0 % 256) }
        let parsed = try parse([message(attachments: [MailAttachment(fileName: "Factura nº 2026-041.pdf", contentType: "application/pdf", data: pdf)])])[0]
        #expect((parsed["defects"] as? [String]) == [])
        let parts = parsed["parts"] as! [[String: Any]]
        #expect(parts.map { $0["type"] as! String } == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"])
        #expect(parts[4]["filename"] as? String == "Factura nº 2026-041.pdf")
        #expect(parts[4]["size"] as? Int == pdf.count)
    }

    @Test func longLinesAreSoftBrokenAndEveryLineEndsInCRLF() throws {
        let text = String(repeating: "Una línea muy larga con acentos y el símbolo € que no cabe en 76 octetos. ", count: 40) + "\n. Una línea que empieza por punto.\nFin con espacio "
        let bytes = try MIMEComposer.compose(message(text: text))
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(!String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let parsed = try parse([message(text: text)])[0]
        #expect((parsed["defects"] as? [String]) == [])
        #expect(((parsed["parts"] as! [[String: Any]])[1]["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == text)
    }

    /// Random text of what a template and a ledger put in a message (words, accents, emoji, dots
    /// and spaces where a line starts or ends, "=", tabs, long lines, every kind of line break)
    /// comes back whole through Python's parser, in lines of at most 76 octets that neither
    /// start with a dot nor end in a space or tab.
    @Test func randomTextSurvivesQuotedPrintable() throws {
        var random = SeededGenerator(seed: 2026_11_30)
        let pieces = ["factura", "Ñandú", "€", "🙏", " ", "  ", "\t", ".", "..", "=", "=3D", "=\n", "\n", "\r\n", "\r", "a=b", "x ", "<p class=\"k\">", "ç", String(repeating: "w", count: 90)]
        var texts: [String] = []
        for _ in 0..<40 {
            texts.append((0..<random.next(120)).map { _ in pieces[random.next(pieces.count)] }.joined())
        }
        let parsed = try parse(texts.map { message(text: $0) })
        for (text, result) in zip(texts, parsed) {
            #expect((result["defects"] as? [String]) == [], "\(text.debugDescription)")
            // Every line break comes back as the text's own (Python reads a lone CR or LF as a line end too).
            let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            #expect(((result["parts"] as! [[String: Any]])[1]["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == lines, "\(text.debugDescription)")
            var encoded: [UInt8] = []
            MIMEEncoding.quotedPrintable(text, into: &encoded)
            for line in String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 76 && !line.hasPrefix(".") && !line.hasSuffix(" ") && !line.hasSuffix("\t"), "\(line.debugDescription) of \(text.debugDescription)")
            }
        }
    }

    @Test(arguments: [("Invoice 2026-041", true), ("a =?utf-8?b?x?= trap", false), ("ends with =", true), ("= ?", true), ("Factura nº 7", false), ("tab\there", false)])
    func onlyPrintableASCIIWithNoEncodedWordStandsInAHeaderAsIs(text: String, plain: Bool) {
        #expect(MIMEEncoding.isPlainHeaderText(text) == plain)
    }

    @Test func theSameMessageGivesTheSameBytes() throws {
        #expect(try MIMEComposer.compose(message()) == MIMEComposer.compose(message()))
    }

    @Test(arguments: [
        ("subject", "Recordatorio\r\nBcc: victim@example.com"),
        ("name", "Acme\nBcc: victim@example.com"),
        ("address", "pagos@acme.example\r\nRCPT TO:<victim@example.com>"),
        ("address", "pagos@acme.example>, <victim@example.com"),
        ("address", "Acme <pagos@acme.example>"),
        ("name", "Acme\u{0}"),
    ])
    func headerInjectionFailsClosed(field: String, value: String) {
        let bad: OutgoingMessage
        switch field {
        case "subject": bad = message(subject: value)
        case "name": bad = message(clientName: value)
        default: bad = message(address: value)
        }
        let error = #expect(throws: MailError.self) { try MIMEComposer.compose(bad) }
        #expect(error?.description.hasPrefix("client ACME: ") == true)
    }

    @Test func aGoldenSpanishNoticeWithACopyAndAnAttachment() throws {
        var notice = message(
            subject: "Requerimiento de pago: 1.815,00 €", clientName: "Peña S.L.", address: "pagos@pena.example", text: "Estimado/a cliente:\n",
            attachments: [MailAttachment(fileName: "Factura nº 41.pdf", contentType: "application/pdf", data: Array("%PDF-1.4\n".utf8))])
        notice.html = "<p>Estimado/a cliente:</p>"
        notice.cc = [Mailbox(name: nil, address: "cfo@pena.example")]
        notice.references = []
        notice.autoSubmitted = false
        let expected = """
            Date: Mon, 30 Nov 2026 09:00:00 +0100\r
            From: =?UTF-8?B?THVjw61hIE1hcnTDrW4gVHJhZHVjY2lvbmVz?=\r
             <cobros@luciamartin.example>\r
            Reply-To: <lucia@luciamartin.example>\r
            To: =?UTF-8?B?UGXDsWEgUy5MLg==?= <pagos@pena.example>\r
            Cc: <cfo@pena.example>\r
            Subject: =?UTF-8?B?UmVxdWVyaW1pZW50byBkZSBwYWdvOiAxLjgxNSwwMCDigqw=?=\r
            Message-ID: <cobrador.42.1796025600@luciamartin.example>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="=_cobrador_BOUNDARY_m"\r
            \r
            --=_cobrador_BOUNDARY_m\r
            Content-Type: multipart/alternative; boundary="=_cobrador_BOUNDARY_a"\r
            \r
            --=_cobrador_BOUNDARY_a\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Estimado/a cliente:\r
            \r
            --=_cobrador_BOUNDARY_a\r
            Content-Type: text/html; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <p>Estimado/a cliente:</p>\r
            --=_cobrador_BOUNDARY_a--\r
            \r
            --=_cobrador_BOUNDARY_m\r
            Content-Type: application/pdf\r
            Content-Transfer-Encoding: base64\r
            Content-Disposition: attachment; filename*=utf-8''Factura%20n%C2%BA%2041.pdf\r
            \r
            JVBERi0xLjQK\r
            --=_cobrador_BOUNDARY_m--\r

            """
        let composed = String(decoding: try MIMEComposer.compose(notice), as: UTF8.self)
            .replacingOccurrences(of: #"=_cobrador_[0-9a-f]+"#, with: "=_cobrador_BOUNDARY", options: .regularExpression)
        #expect(composed == expected)
    }

    @Test func aGoldenReminder() throws {
        var simple = message(subject: "Invoice 2026-041 is overdue", clientName: "Thames Ltd", address: "ap@thames.example", text: "Dear Thames Ltd,\n\nInvoice 2026-041 (EUR 1,815.00) is overdue.\n")
        simple.html = "<p>Invoice 2026-041 is overdue.</p>"
        simple.from.name = "Lucia Martin"
        let expected = """
            Date: Mon, 30 Nov 2026 09:00:00 +0100\r
            From: "Lucia Martin" <cobros@luciamartin.example>\r
            Reply-To: <lucia@luciamartin.example>\r
            To: "Thames Ltd" <ap@thames.example>\r
            Subject: Invoice 2026-041 is overdue\r
            Message-ID: <cobrador.42.1796025600@luciamartin.example>\r
            In-Reply-To: <cobrador.17.1795000000@luciamartin.example>\r
            References: <cobrador.17.1795000000@luciamartin.example>\r
            Auto-Submitted: auto-generated\r
            MIME-Version: 1.0\r
            Content-Type: multipart/alternative; boundary="=_cobrador_BOUNDARY_a"\r
            \r
            --=_cobrador_BOUNDARY_a\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Dear Thames Ltd,\r
            \r
            Invoice 2026-041 (EUR 1,815.00) is overdue.\r
            \r
            --=_cobrador_BOUNDARY_a\r
            Content-Type: text/html; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <p>Invoice 2026-041 is overdue.</p>\r
            --=_cobrador_BOUNDARY_a--\r

            """
        let composed = String(decoding: try MIMEComposer.compose(simple), as: UTF8.self)
            .replacingOccurrences(of: #"=_cobrador_[0-9a-f]+"#, with: "=_cobrador_BOUNDARY", options: .regularExpression)
        #expect(composed == expected)
    }
}
