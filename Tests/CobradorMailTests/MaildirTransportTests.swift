import CobradorMail
import CobradorTestSupport
import Foundation
import Testing

@Suite struct MaildirTransportTests {
    @Test func eachMessageLandsWholeInNewWithItsEnvelope() throws {
        let folder = TemporaryDirectory()
        let transport = MaildirTransport(folder: folder.file("maildir"))
        let message = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        for _ in 0..<3 {
            let outcome = transport.send(message, from: "cobros@lucia.example", to: ["pagos@acme.example"])
            #expect(outcome.kind == .accepted)
        }
        let delivered = try FileManager.default.contentsOfDirectory(atPath: folder.file("maildir/new"))
        #expect(delivered.count == 3 && Set(delivered).count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("maildir/tmp")).isEmpty)
        #expect(FileManager.default.fileExists(atPath: folder.file("maildir/cur")))
        let stored = try Data(contentsOf: URL(fileURLWithPath: folder.file("maildir/new/" + delivered[0])))
        #expect(stored == Data("Return-Path: <cobros@lucia.example>\r\nDelivered-To: pagos@acme.example\r\n".utf8) + Data(message))
    }

    @Test func anUnwritableFolderIsATemporaryFailureThatSaysWhere() {
        let outcome = MaildirTransport(folder: "/proc/cobrador-cannot-write-here").send([], from: "a@b.example", to: ["c@d.example"])
        #expect(outcome.kind == .temporaryFailure)
        #expect(outcome.reply.contains("/proc/cobrador-cannot-write-here"))
    }
}
