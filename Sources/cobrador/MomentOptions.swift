import ArgumentParser
import Foundation

/// `--at MOMENT [--rehearsal]` for the owner's records and exports: a rehearsal on a copy of the
/// ledger (README, "To rehearse") records a promise, its close or a payment on the rehearsed
/// day, so that the passes after it see what the real ones would, and exports the evidence as
/// of that day. Without `--at`, now.
struct MomentOptions: ParsableArguments {
    @Option(help: "Take this moment (ISO 8601) as now, for rehearsals on a copy of the ledger.") var at: String?
    @Flag(help: "With --at more than an hour from now: this ledger is a copy for a rehearsal.") var rehearsal = false

    /// The moment to record: `--at`, checked like `run --once --at`, or now.
    func moment() throws -> Date {
        guard let at else {
            guard !rehearsal else { throw CommandFailure("--rehearsal goes with --at") }
            return Date()
        }
        let moment = try Self.parse(at)
        if abs(moment.timeIntervalSinceNow) > RunCommand.rehearsalDistance, !rehearsal {
            throw CommandFailure(
                "--at is more than an hour from the clock: the ledger would hold a record dated then; rehearse on a copy of the ledger "
                    + "(README, \"To rehearse\") and add --rehearsal there")
        }
        return moment
    }

    /// Reads an ISO 8601 moment given to `--at`.
    static func parse(_ text: String) throws -> Date {
        guard let moment = try? Date(text, strategy: .iso8601) else {
            throw CommandFailure("--at: \"\(text)\" is not valid: expected an ISO 8601 moment such as 2026-12-01T09:00:00+01:00")
        }
        return moment
    }
}
