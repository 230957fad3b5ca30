import Foundation

/// A promise, a plan or a dispute covering some of a client's invoices. While open it
/// freezes escalation of those invoices.
package struct Negotiation: Hashable, Sendable {
    package var id: Int64?
    package var clientID: Int64
    package var kind: NegotiationKind
    package var invoiceIDs: [Int64]
    package var openedAt: Date
    /// For a promise: the day the client promised to pay by.
    package var promisedDate: CalendarDate?
    /// For a dispute: the day the owner wants to look at it again.
    package var reviewDate: CalendarDate?
    /// For a plan: the agreed payments, in date order.
    package var instalments: [Instalment]
    package var reason: String?
    package var notes: String?
    /// The owner agreed not to claim statutory interest on the covered invoices.
    package var waivesInterest: Bool
    /// The owner agreed not to claim the fixed recovery compensation.
    package var waivesCompensation: Bool
    package var closedAt: Date?
    package var outcome: NegotiationOutcome?

    package init(
        id: Int64? = nil, clientID: Int64, kind: NegotiationKind, invoiceIDs: [Int64], openedAt: Date,
        promisedDate: CalendarDate? = nil, reviewDate: CalendarDate? = nil, instalments: [Instalment] = [],
        reason: String? = nil, notes: String? = nil, waivesInterest: Bool = false, waivesCompensation: Bool = false,
        closedAt: Date? = nil, outcome: NegotiationOutcome? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.kind = kind
        self.invoiceIDs = invoiceIDs
        self.openedAt = openedAt
        self.promisedDate = promisedDate
        self.reviewDate = reviewDate
        self.instalments = instalments
        self.reason = reason
        self.notes = notes
        self.waivesInterest = waivesInterest
        self.waivesCompensation = waivesCompensation
        self.closedAt = closedAt
        self.outcome = outcome
    }

    package var isOpen: Bool { closedAt == nil }

    /// The first instalment of a plan (in date order) that `paid` minor units, received since
    /// the plan opened, do not cover: the one a broken plan missed, or the next one due.
    package func firstUncoveredInstalment(paid: Int64) -> Instalment? {
        var due: Int64 = 0
        return instalments.first { instalment in
            due += instalment.amount.minorUnits
            return paid < due
        }
    }
}
