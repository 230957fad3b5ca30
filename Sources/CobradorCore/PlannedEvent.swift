import Foundation

/// One thing the planner says will happen: a message to a client, a task for the owner, or a
/// change the owner must be told about. Carries the reasons that led to it, so `cobrador plan`
/// can show why.
package struct PlannedEvent: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable, Codable {
        /// An e-mail cobrador sends.
        case message
        /// A call, letter or burofax the owner makes (a stage whose channel is not e-mail).
        case task
        /// The last stage went out: automatic messages stop; a lawyer, court or agency takes over.
        case handOver = "hand-over"
        case promiseBroken = "promise-broken"
        case promiseKept = "promise-kept"
        case planBroken = "plan-broken"
        case planCompleted = "plan-completed"
        case disputeReviewDue = "dispute-review-due"
    }

    package var kind: Kind
    /// When it happens (for messages: the moment inside the client's send window).
    package var at: Date
    package var clientID: Int64
    package var clientCode: String
    /// The cadence stage, or an event template (`promise-broken`, `instalment-reminder`...).
    package var stage: String?
    package var template: String?
    /// For tasks: call, letter or burofax.
    package var channel: Configuration.Stage.Channel?
    package var invoiceIDs: [Int64]
    package var invoiceNumbers: [String]
    package var negotiationID: Int64?
    /// For an instalment reminder: the instalment it is about; for a plan-broken message: the
    /// instalment missed.
    package var instalment: Instalment?
    /// Why, one rule per line, in the order they were applied.
    package var reasons: [String]
    /// For a cadence stage: the pay-by date its message gives (`ContactPolicy.deadline`).
    package var deadline: CalendarDate?

    package init(
        kind: Kind, at: Date, clientID: Int64, clientCode: String, stage: String?, template: String?, channel: Configuration.Stage.Channel?,
        invoiceIDs: [Int64], invoiceNumbers: [String], negotiationID: Int64?, instalment: Instalment? = nil, reasons: [String]
    ) {
        self.kind = kind
        self.at = at
        self.clientID = clientID
        self.clientCode = clientCode
        self.stage = stage
        self.template = template
        self.channel = channel
        self.invoiceIDs = invoiceIDs
        self.invoiceNumbers = invoiceNumbers
        self.negotiationID = negotiationID
        self.instalment = instalment
        self.reasons = reasons
    }

    /// Templates of messages that are not cadence stages.
    package static let eventTemplates: Set<String> = ["promise-broken", "plan-broken", "instalment-reminder", "thank-you"]

    /// Whether a message of `stage` is held back by an open negotiation on its invoices: all
    /// are but an open plan's instalment reminder and the thanks for a payment. A broken
    /// promise's notice is too: its negotiation is closed, and a new one supersedes it.
    package static func waitsForNegotiations(_ stage: String) -> Bool {
        stage != "instalment-reminder" && stage != "thank-you"
    }
}
