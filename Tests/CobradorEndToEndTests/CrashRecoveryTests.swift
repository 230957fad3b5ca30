import CobradorTestSupport
import Foundation
import Testing

/// The real binary killed, stopped and kept apart from its relay: what reached the relay is
/// compared with what the ledger says, message by message.
@Suite(.serialized) struct CrashRecoveryTests {
    let workspace: CobradorWorkspace
    let monday = "2026-11-30T10:00:00+01:00"

    init() throws {
        workspace = try CobradorWorkspace()
        try workspace.setDigestTime("never")
    }

    /// Starts `cobrador ARGUMENTS` without waiting for it.
    func spawn(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CobradorWorkspace.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["COBRADOR_CONFIG": workspace.configPath]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func statusCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in try workspace.sqlite("SELECT status, count(*) FROM contact GROUP BY status").standardOutput.split(separator: "\n") {
            let columns = line.split(separator: "|")
            counts[String(columns[0])] = Int(columns[1])
        }
        return counts
    }

    static func messageID(of message: Data) -> String? {
        let text = String(decoding: message.prefix(4096), as: UTF8.self)
        guard let line = text.components(separatedBy: "\r\n").first(where: { $0.lowercased().hasPrefix("message-id:") }) else { return nil }
        return line.dropFirst("message-id:".count).trimmingCharacters(in: CharacterSet(charactersIn: " <>"))
    }

    @Test func killedAtRandomMomentsOfABatchEveryMessageGoesOnceOrIsShownUnknown() throws {
        let server = try SMTPTestServer()
        try workspace.useRelay(port: server.port)
        try workspace.importClients(1000)
        var random = SeededGenerator(seed: 20_261_130)
        var progress: [Int] = []
        for round in 0..<10 {
            let pass = try spawn(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
            // Mostly once the relay has had a random number more messages, whatever the
            // machine's speed; every third round at a random moment (also before any send).
            let before = try server.received().count
            let target = before + Int.random(in: 1...120, using: &random)
            let deadline = Date().addingTimeInterval(round % 3 == 2 ? Double.random(in: 0.05...1.0, using: &random) : 30)
            while pass.isRunning && Date() < deadline, try server.received().count < target {
                Thread.sleep(forTimeInterval: Double.random(in: 0.001...0.02, using: &random))
            }
            kill(pass.processIdentifier, SIGKILL)
            pass.waitUntilExit()
            progress.append(try server.received().count)
        }
        let last = try workspace.run(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(last.status == 0, "\(last.standardError)")
        // The kills landed in the middle of the work, not before or after it.
        #expect(progress.contains { $0 > 0 && $0 < 1000 }, "\(progress)")

        let received = try server.received().map(\.bytes)
        let receivedIDs = received.compactMap(Self.messageID)
        #expect(receivedIDs.count == received.count)
        #expect(Set(receivedIDs).count == receivedIDs.count, "a message reached the relay twice")
        // One reminder per client, never two: by recipient as well as by Message-ID.
        let recipients = received.map { String(decoding: $0.prefix(2048), as: UTF8.self).components(separatedBy: "\r\n").first { $0.hasPrefix("To:") } ?? "" }
        #expect(Set(recipients).count == recipients.count, "a client got the reminder twice")

        let rows = try workspace.sqlite("SELECT message_id, status FROM contact").standardOutput.split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        let status = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
        // Every client's reminder is either delivered and recorded sent, or shown as unknown.
        #expect(rows.count == 1000, "one attempt per client: \(rows.count)")
        let counts = try statusCounts()
        #expect(rows.allSatisfy { ["sent", "unknown"].contains($0[1]) }, "\(counts)")
        for id in receivedIDs { #expect(["sent", "unknown"].contains(status[id] ?? "none"), "\(id) reached the relay but the ledger says \(status[id] ?? "nothing")") }
        let sent = Set(rows.filter { $0[1] == "sent" }.map { $0[0] })
        #expect(sent.isSubset(of: Set(receivedIDs)), "recorded sent but never received")
        // Only the message in flight at each kill may be unknown.
        #expect(rows.filter { $0[1] == "unknown" }.count <= 10)
        // The attempt log survived the kills unbroken.
        #expect(try workspace.run(["evidence", "--verify"]).status == 0)
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday]).hasPrefix("Pass done: 0 sent"))
        #expect(try server.received().count == received.count)
    }

    @Test func sigtermInTheMiddleOfABatchFinishesTheMessageInFlightAndLosesNothing() throws {
        let server = try SMTPTestServer()
        try workspace.useRelay(port: server.port)
        try workspace.importClients(1000)
        try workspace.openWindowAroundTheClock()
        let daemon = try spawn(["run"])
        var waited = 0
        while try server.received().count < 100 && waited < 600 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
        let atStop = try server.received().count
        #expect(atStop >= 100 && atStop < 1000, "the stop came too late to test anything: \(atStop)")
        // Nothing is left in flight: what was claimed and not sent is pending again.
        let counts = try statusCounts()
        #expect(counts["sending"] == nil && counts["unknown"] == nil, "\(counts)")
        #expect(counts["sent"] == atStop, "\(counts)")

        let rest = try workspace.run(["run", "--once"])
        #expect(rest.status == 0, "\(rest.standardError)")
        let received = try server.received().map(\.bytes).compactMap(Self.messageID)
        #expect(received.count == 1000 && Set(received).count == 1000)
        #expect(try statusCounts() == ["sent": 1000])
    }

    @Test func withTheRelayDownMessagesWaitTheirBackoffAndAllGoOutOnceItIsBack() throws {
        let port = try Self.freePort()
        try workspace.useRelay(port: port)
        try workspace.seed()
        // The first message finds the relay down: the pass stops sending and keeps the other,
        // written, for the next pass.
        let down = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(down.hasPrefix("Pass done: 0 sent, 1 deferred"), "\(down)")
        #expect(down.contains("Put off for a retry after their backoff; the last answer: the relay could not be reached"), "\(down)")
        #expect(down.contains("The relay could not be reached or stopped answering, so the pass stopped sending"), "\(down)")
        #expect(try workspace.sqlite("SELECT status FROM contact ORDER BY status").standardOutput == "deferred\npending\n")
        // The next pass tries the one kept back; the first waits its backoff (five minutes or more).
        let next = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:03:00+01:00"])
        #expect(next.hasPrefix("Pass done: 0 sent, 1 deferred"), "\(next)")
        let server = try SMTPTestServer(port: port)
        let waiting = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:04:00+01:00"])
        #expect(waiting.hasPrefix("Pass done: 0 sent, 0 deferred"), "\(waiting)")
        #expect(try server.received().isEmpty)
        let back = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:30:00+01:00"])
        #expect(back.hasPrefix("Pass done: 2 sent, 0 deferred"), "\(back)")
        #expect(try server.received().count == 2)
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T12:00:00+01:00"]).hasPrefix("Pass done: 0 sent, 0 deferred"))
        #expect(try server.received().count == 2)
        let log = try String(contentsOfFile: workspace.directory.file("sent.log"), encoding: .utf8)
        #expect(log.components(separatedBy: "  deferred  ").count - 1 == 2 && log.components(separatedBy: "  sent  ").count - 1 == 2, "\(log)")
    }

    /// A relay that takes the body and then never answers costs its response timeout and
    /// leaves a message of unknown fate, which the owner must settle: one, not one a message.
    @Test func aRelayThatStopsAnsweringCostsOneMessageNotTheWholeBatch() throws {
        let port = try Self.freePort()
        var hanging: SMTPTestServer? = try SMTPTestServer(behaviour: "final-hang", port: port)
        try workspace.useRelay(port: port)
        try workspace.editConfiguration { $0.replacingOccurrences(of: "tls = \"none\"", with: "tls = \"none\"\nresponse_timeout_seconds = 5") }
        try workspace.seed()
        let started = Date()
        let hung = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(Date().timeIntervalSince(started) < 10, "the pass waited out the timeout more than once")
        #expect(hung.hasPrefix("Pass done: 0 sent, 0 deferred, 0 failed, 1 unknown"), "\(hung)")
        #expect(hung.contains("the pass stopped sending"), "\(hung)")
        #expect(try workspace.sqlite("SELECT status FROM contact ORDER BY status").standardOutput == "pending\nunknown\n")
        #expect(try workspace.sqlite("SELECT detail FROM attempt_event WHERE status = 'pending' ORDER BY id DESC LIMIT 1").standardOutput
            == "not sent: the relay did not answer the message before it; it goes with the next pass\n")
        hanging = nil
        _ = hanging
        let server = try SMTPTestServer(port: port)
        let back = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:05:00+01:00"])
        #expect(back.hasPrefix("Pass done: 1 sent, 0 deferred, 0 failed, 0 unknown"), "\(back)")
        #expect(try server.received().count == 1)
    }

    /// Both reminders written and kept back with the relay down (one deferred, the other left
    /// for the next pass), ACME's addresses then set to `address` by the owner, and the relay
    /// back: the relay, once the pass after the backoff has sent both.
    func deferBothThenReaddressACME(to address: String) throws -> SMTPTestServer {
        let port = try Self.freePort()
        try workspace.useRelay(port: port)
        try workspace.seed()
        let down = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", monday])
        #expect(down.hasPrefix("Pass done: 0 sent, 1 deferred"), "\(down)")
        #expect(try workspace.sqlite("SELECT status FROM contact ORDER BY status").standardOutput == "deferred\npending\n")
        try workspace.succeed(["client", "edit", "ACME", "--email", address])
        let server = try SMTPTestServer(port: port)
        let back = try workspace.succeed(["run", "--once", "--rehearsal", "--through-relay", "--at", "2026-11-30T10:30:00+01:00"])
        #expect(back.hasPrefix("Pass done: 2 sent, 0 deferred"), "\(back)")
        return server
    }

    /// A retry written for an address the owner has since corrected went to the old address.
    @Test func aRetryWaitingForTheRelayFollowsTheClientsCorrectedAddress() throws {
        let server = try deferBothThenReaddressACME(to: "facturas@acme.example")
        let texts = try server.received().map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(texts.contains { $0.contains("<facturas@acme.example>") } && !texts.contains { $0.contains("pagos@acme.example") }, "\(texts)")
        let log = try workspace.succeed(["log", "--client", "ACME", "--status", "cancelled"])
        #expect(log.contains("the client's addresses changed since it was written"), "\(log)")
    }

    /// A message in flight when the owner edits the addresses, and deferred by the relay, is
    /// not retried as written: its retry is checked against the last edit (here the owner
    /// gives the same address again, which leaves the waiting one to that check).
    @Test func aRetryWrittenBeforeTheLastAddressEditIsWrittenAgainOnce() throws {
        let server = try deferBothThenReaddressACME(to: "pagos@acme.example")
        let toACME = try server.received().filter { String(decoding: $0.bytes, as: UTF8.self).contains("<pagos@acme.example>") }
        #expect(toACME.count == 1)
        #expect(try workspace.succeed(["log", "--client", "ACME", "--status", "cancelled"]).contains("the client's addresses changed since it was written"))
        #expect(try workspace.run(["evidence", "--verify"]).status == 0)
    }

    @Test func aSecondProcessDoesNotRunAPassWhileOneIsRunning() throws {
        try workspace.seed()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [workspace.ledgerPath + ".lock", "sleep", "30"]
        try holder.run()
        // SIGKILL: a child of the test runner may inherit a mask that blocks SIGTERM.
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        var waited = 0
        while !FileManager.default.fileExists(atPath: workspace.ledgerPath + ".lock") && waited < 100 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        Thread.sleep(forTimeInterval: 0.2)
        let busy = try workspace.run(["run", "--once", "--rehearsal", "--at", monday])
        #expect(busy.status == 75)
        #expect(busy.standardError.contains("another cobrador process is running a pass on this ledger; nothing was done"))
        #expect(try statusCounts().isEmpty)
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(try workspace.succeed(["run", "--once", "--rehearsal", "--at", monday]).hasPrefix("Pass done: 2 sent"))
    }

    /// A loopback port nothing listens on (bound, then released).
    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        try #require(bound, "cannot find a free loopback port")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
