/// The three ways a conversation with a client freezes escalation.
package enum NegotiationKind: String, CaseIterable, Codable, Sendable {
    /// The client promised to pay by a date.
    case promise
    /// The client pays by instalments.
    case plan
    /// The client contests the invoice; nothing is chased until it is settled.
    case dispute
}
