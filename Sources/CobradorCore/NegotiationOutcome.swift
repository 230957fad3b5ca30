/// How a negotiation ended.
package enum NegotiationOutcome: String, CaseIterable, Codable, Sendable {
    /// The promise or plan was honoured.
    case kept
    /// The promise or plan was not honoured: escalation resumes.
    case broken
    /// A dispute was settled (the owner voids or adjusts the invoice if the client was right).
    case resolved
    /// The owner withdrew it (opened by mistake, superseded).
    case withdrawn
}
