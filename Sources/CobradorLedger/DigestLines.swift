import CobradorCore

extension Ledger {
    /// What the owner's digest lists for one day (from `start` through `end`, both included: the
    /// pass that sends the digest records its own messages at `end`): each line a set of
    /// fields the digest templates print.
    package struct DigestLines: Sendable {
        package var sent: [[String: String]] = []
        /// A failure written again and sent since carries "resent", the time it went.
        package var failed: [[String: String]] = []
        package var unknown: [[String: String]] = []
        package var broken: [BrokenNegotiation] = []
        package var reviews: [DisputeReview] = []
        package var handOvers: [HandOver] = []
        /// Every address a relay refused for good, until the owner edits the client's addresses.
        package var badAddresses: [[String: String]] = []
        /// Open invoices cobrador wrote to the client about that a payment recorded in the period
        /// left with nothing owed (within `tolerance`), for the owner to decide on the interest
        /// and compensation of a late one. (Payments imported for invoices never chased are not
        /// news.)
        package var paid: [PaidInFull] = []
    }

    /// An invoice a payment recorded in the digest's period paid in full.
    package struct PaidInFull: Sendable {
        package var client: String
        package var invoice: String
        /// What was received on it in all.
        package var received: Money
        /// The value date of its last payment.
        package var paidOn: CalendarDate
    }

    /// A promise or plan broken in the digest's period, with what the owner's language needs
    /// to say why: the promised date, or the instalment missed (by the planner's rule: the
    /// first one the payments did not cover). `cause` is the ledger's record, in English.
    package struct BrokenNegotiation: Sendable {
        package var client: String
        package var kind: NegotiationKind
        package var invoices: String
        package var cause: String
        package var promisedDate: CalendarDate?
        package var missedInstalment: Instalment?
    }

    /// An open dispute whose review date has come.
    package struct DisputeReview: Sendable {
        package var client: String
        package var invoices: String
        package var reviewDate: CalendarDate?
        package var reason: String
    }

    /// An invoice handed over (to a lawyer, court or agency) in the digest's period, with what
    /// is still owed on it.
    package struct HandOver: Sendable {
        package var client: String
        package var invoice: String
        package var outstanding: Money
    }

    /// A pause without an end date on a client or an invoice, with what it holds back.
    package struct OpenEndedPause: Sendable {
        /// What is paused ("client 7", "invoice 12"), to gather its invoices under one pause.
        let key: String
        package var client: String
        /// The day the pause began, in the owner's time zone (nil if its timestamp is unreadable).
        package var since: CalendarDate?
        package var reason: String
        /// Whether the whole client is paused, not one invoice.
        package var isClient: Bool
        package private(set) var invoices: [String] = []
        /// What is still owed on them, one amount per currency in the order first seen.
        package private(set) var outstanding: [Money] = []

        init(key: String, client: String, since: CalendarDate?, reason: String, isClient: Bool) {
            self.key = key
            self.client = client
            self.since = since
            self.reason = reason
            self.isClient = isClient
        }

        mutating func add(number: String, owed: Money) {
            invoices.append(number)
            // An absurd sum past Int64 stays two amounts rather than a crash.
            if let index = outstanding.firstIndex(where: { $0.currency == owed.currency }),
                case let (sum, false) = outstanding[index].minorUnits.addingReportingOverflow(owed.minorUnits)
            {
                outstanding[index] = Money(minorUnits: sum, currency: owed.currency)
            } else {
                outstanding.append(owed)
            }
        }
    }
}
