import Foundation

/// What the planner needs to know about the ledger at one moment: the clients that have
/// something to chase or to thank for, each with its invoices, the automatic contacts already
/// made and its open negotiations. Built by the ledger; read by the pure `Planner`.
package struct PlannerInput: Sendable {
    package var clients: [ClientFile]

    package init(clients: [ClientFile]) {
        self.clients = clients
    }

    /// One invoice and what is still owed on it.
    package struct InvoiceState: Sendable, Hashable {
        package var invoice: Invoice
        package var balance: Money
        /// Payments received, with their value dates (plans count them; a thank-you follows them).
        package var payments: [Payment]

        package init(invoice: Invoice, balance: Money, payments: [Payment] = []) {
            self.invoice = invoice
            self.balance = balance
            self.payments = payments
        }
    }

    /// An automatic contact that went out, or may have (sent, in flight or of unknown fate):
    /// the planner never plans the same step twice.
    package struct PastContact: Sendable, Hashable {
        /// The cadence stage, or one of `PlannedEvent.eventTemplates`.
        package var stage: String
        package var invoiceIDs: [Int64]
        package var at: Date
        /// When it reached the client (the relay accepted it, or the owner recorded the task);
        /// nil while it waits for a retry or its fate is unknown.
        package var deliveredAt: Date?

        package init(stage: String, invoiceIDs: [Int64], at: Date, deliveredAt: Date? = nil) {
            self.stage = stage
            self.invoiceIDs = invoiceIDs
            self.at = at
            self.deliveredAt = deliveredAt
        }
    }

    /// An open negotiation and the owner notices already recorded for it.
    package struct NegotiationState: Sendable, Hashable {
        package var negotiation: Negotiation
        /// Kinds of `PlannedEvent` already recorded for it (for example a dispute's review notice).
        package var recordedEvents: Set<String>

        package init(negotiation: Negotiation, recordedEvents: Set<String> = []) {
            self.negotiation = negotiation
            self.recordedEvents = recordedEvents
        }
    }

    package struct ClientFile: Sendable, Hashable {
        package var client: Client
        package var invoices: [InvoiceState]
        package var contacts: [PastContact]
        package var negotiations: [NegotiationState]
        /// Invoices already handed over (lawyer, court, agency): never chased again.
        package var handedOver: Set<Int64>

        package init(
            client: Client, invoices: [InvoiceState], contacts: [PastContact] = [], negotiations: [NegotiationState] = [],
            handedOver: Set<Int64> = []
        ) {
            self.client = client
            self.invoices = invoices
            self.contacts = contacts
            self.negotiations = negotiations
            self.handedOver = handedOver
        }
    }
}
