import CobradorCore
import CobradorLedger
import Foundation
import Logging

/// The resident daemon: a pass at start, then whenever the tick elapses, the ledger changes
/// (another program wrote a payment) or the next planned message's moment comes. SIGTERM and
/// SIGINT let the message in flight finish and stop; SIGHUP reloads the configuration and
/// templates, keeping the last good ones when the new ones are wrong. systemd is told READY,
/// STATUS, WATCHDOG, RELOADING and STOPPING when it supervises.
package final class Daemon: @unchecked Sendable {
    /// What a pass needs, built from the configuration file (again on each reload).
    package struct Setup: Sendable {
        package var pass: Pass

        package init(pass: Pass) {
            self.pass = pass
        }
    }

    /// How much longer systemd should wait for READY=1 after each message of the first pass:
    /// one message's worst case (a connect timeout and a few response timeouts).
    static let startExtensionMicroseconds = 600_000_000

    /// Exit status for a configuration that cannot work: systemd should not restart in a loop
    /// (`RestartPreventExitStatus=78`, EX_CONFIG).
    package static let configurationExitStatus: Int32 = 78

    private let load: @Sendable () throws -> Setup
    private let logger: Logger
    private let notifier = SystemdNotifier()
    private let wake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopRequested = false
    private var reloadRequested = false
    private var sources: [DispatchSourceSignal] = []

    package init(load: @escaping @Sendable () throws -> Setup, logger: Logger) {
        self.load = load
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status.
    package func run() -> Int32 {
        var setup: Setup
        do {
            setup = try load()
        } catch {
            logger.error("cannot start", metadata: ["error": "\(error)"])
            return Self.configurationExitStatus
        }
        installSignalHandlers()
        var watcher = setup.pass.ledger.changeWatcher()
        logger.info(
            "started",
            metadata: ["ledger": "\(setup.pass.ledger.path)", "tick_seconds": "\(setup.pass.configuration.tickSeconds)", "sent_log": "\(setup.pass.configuration.sentLogPath)"])
        var ready = false
        /// What the passes could not do since the last digest, for the next one.
        var problemsSinceDigest: [String] = []
        while !flag(\.stopRequested) {
            if take(\.reloadRequested) {
                // MONOTONIC_USEC lets systemd (253 and later) match the READY=1 that follows.
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000)")
                do {
                    setup = try load()
                    watcher = setup.pass.ledger.changeWatcher()
                    logger.info("configuration and templates reloaded")
                } catch {
                    logger.error("reload failed; still running on the last good configuration", metadata: ["error": "\(error)"])
                }
                notifier.notify("READY=1")
            }
            let now = Date()
            let tick = now.addingTimeInterval(TimeInterval(setup.pass.configuration.tickSeconds))
            var next = tick
            do {
                guard let passLock = try PassLock.acquire(ledgerPath: setup.pass.ledger.path) else {
                    throw Busy()
                }
                defer { withExtendedLifetime(passLock) {} }
                let watchdog = SystemdNotifier.watchdogInterval() != nil
                let summary = try setup.pass.run(at: now, lookAhead: tick.timeIntervalSince(now)) {
                    // Between messages: a long pass over a slow relay is progress, not a hang.
                    if watchdog { self.notifier.notify("WATCHDOG=1") }
                    // READY=1 follows the first pass: a long one over a slow relay keeps
                    // pushing systemd's start timeout back instead of failing the start.
                    if !ready { self.notifier.notify("EXTEND_TIMEOUT_USEC=\(Self.startExtensionMicroseconds)") }
                    return self.flag(\.stopRequested)
                }
                // Sooner when a send window opens or the relay's quota lets the next message go.
                next = min(tick, summary.nextPlannedAt ?? tick, summary.quotaReachedUntil ?? tick)
                logger.info(
                    "pass done",
                    metadata: [
                        "sent": "\(summary.sent)", "deferred": "\(summary.deferred)", "failed": "\(summary.failed)", "unknown": "\(summary.unknown)",
                        "cancelled": "\(summary.skipped)", "held": "\(summary.held.count)", "tasks": "\(summary.tasks)", "recorded": "\(summary.transitions)",
                    ])
                notifier.notify(
                    "STATUS=last pass \(now.formatted(.iso8601)): \(summary.sent) sent, \(summary.deferred) deferred, \(summary.failed) failed, \(summary.unknown) unknown")
                // A relay down for days must show in `journalctl -p warning`, not only in counts.
                if let reply = summary.lastDeferral {
                    logger.warning("messages put off for a retry", metadata: ["deferred": "\(summary.deferred)", "reply": "\(reply)"])
                }
                // What the owner must act on shows in `journalctl -p err`, as the README says; a
                // retry given up is written again from the ledger.
                if summary.refused > 0 { logger.error("the relay refused messages for good; see cobrador log --status failed", metadata: ["refused": "\(summary.refused)"]) }
                if summary.failed > summary.refused {
                    logger.warning("retries given up after temporary failures; written again from the ledger", metadata: ["given_up": "\(summary.failed - summary.refused)"])
                }
                if summary.unknown > 0 {
                    logger.error("messages of unknown fate; settle them with cobrador resolve", metadata: ["unknown": "\(summary.unknown)"])
                }
                if let until = summary.quotaReachedUntil {
                    logger.notice("the relay's quota is reached; the rest waits", metadata: ["until": "\(until.formatted(.iso8601))"])
                }
                if let problem = summary.configurationError { logger.error("the relay refused the configuration", metadata: ["reply": "\(problem)"]) }
                if let reply = summary.relayUnavailable {
                    logger.warning("the relay is not answering; the rest waits for the next pass", metadata: ["waiting": "\(summary.waiting)", "reply": "\(reply)"])
                }
                for problem in summary.problems { logger.error("the pass needs your attention", metadata: ["problem": "\(problem)"]) }
                // Gathered until a digest carries them: its pass (08:00, before the send window)
                // may meet none of them.
                for problem in summary.problems where !problemsSinceDigest.contains(problem) { problemsSinceDigest.append(problem) }
                let digestSender = DigestSender(pass: setup.pass)
                // Stopping, or the relay not answering: the digest waits (the relay may be what hangs).
                if !flag(\.stopRequested), summary.relayUnavailable == nil, let digest = try digestSender.sendIfDue(at: now, problems: problemsSinceDigest) {
                    logger.info("daily digest", metadata: ["outcome": "\(digest.report)"])
                    if digest.delivered { problemsSinceDigest.removeAll() }
                }
                // Also at the digest's time and when a retry's backoff ends, not up to a tick later.
                for moment in [try digestSender.nextDue(after: now), try setup.pass.ledger.nextRetry()].compactMap({ $0 }) where moment > now {
                    next = min(next, moment)
                }
            } catch is Busy {
                logger.notice("another cobrador process is running a pass on this ledger; this one waits for the next")
            } catch {
                logger.error("the pass failed", metadata: ["error": "\(error)"])
            }
            if !ready {
                notifier.notify("READY=1")
                ready = true
            }
            // Idle until the next pass: return the ledger's page caches and the freed heap.
            setup.pass.ledger.releaseMemory()
            Self.trimHeap()
            // The tick, or sooner the moment of the next planned message (a send window opening).
            wait(until: next, watcher: watcher)
        }
        notifier.notify("STOPPING=1")
        logger.info("stopped")
        return 0
    }

    /// Sleeps until `deadline`, a signal, or a change in the ledger; pings the watchdog.
    private func wait(until deadline: Date, watcher: LedgerChangeWatcher) {
        let watchdog = SystemdNotifier.watchdogInterval()
        while !flag(\.stopRequested) && !flag(\.reloadRequested) && Date() < deadline {
            // Checked before sleeping too: a payment written during the pass goes first.
            if watcher.changed() {
                logger.info("the ledger changed; running a pass")
                return
            }
            let slice = min(1.5, max(0.05, deadline.timeIntervalSinceNow), (watchdog ?? 3) / 2)
            _ = wake.wait(timeout: .now() + slice)
            if watchdog != nil { notifier.notify("WATCHDOG=1") }
        }
    }

    /// glibc's malloc_trim(0), which hands freed heap pages back to the system (not in the
    /// Glibc module's headers, so looked up by name); nothing where it does not exist.
    private static let trimHeap: @Sendable () -> Void = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return {} }
        let trim = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        return { _ = trim(0) }
    }()

    /// Another process holds the pass lock.
    private struct Busy: Error {}

    private func installSignalHandlers() {
        let queue = DispatchQueue(label: "cobrador.signals")
        for (number, reload) in [(SIGTERM, false), (SIGINT, false), (SIGHUP, true)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                if reload { self.reloadRequested = true } else { self.stopRequested = true }
                self.lock.unlock()
                self.wake.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    private func flag(_ key: ReferenceWritableKeyPath<Daemon, Bool>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return self[keyPath: key]
    }

    /// Reads and clears a flag.
    private func take(_ key: ReferenceWritableKeyPath<Daemon, Bool>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let value = self[keyPath: key]
        self[keyPath: key] = false
        return value
    }
}
