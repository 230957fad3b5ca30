/// Whether an invoice is still owed. Only `open` invoices are ever chased.
package enum InvoiceStatus: String, CaseIterable, Codable, Sendable {
    case open
    case void
    case writtenOff = "written-off"
}
