import CobradorCore

/// Everything the ledger refuses or cannot do, in words an owner can act on. Whatever the
/// error, the transaction that met it was rolled back: the ledger is as it was.
package enum LedgerError: Error, CustomStringConvertible {
    case missing(path: String)
    case alreadyExists(path: String)
    case notALedger(path: String, detail: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case unknownClient(String)
    case unknownInvoice(String)
    case unknownNegotiation(Int64)
    case unknownPayment(Int64)
    case duplicateClient(String)
    case duplicateInvoice(String)
    case invalid(CoreError)
    /// The request contradicts what the ledger holds (a payment larger than the balance, a
    /// payment on a void invoice...).
    case conflict(String)
    /// A CSV import found problems; nothing was written.
    case importRejected(file: String, problems: [ImportProblem])
    case database(path: String, message: String)

    package var description: String {
        switch self {
        case .missing(let path):
            "no ledger at \(path): point `ledger` in the configuration at the right file, or create an empty one there with `cobrador init --ledger-only`"
        case .alreadyExists(let path):
            "\(path) already exists; cobrador never overwrites a ledger"
        case .notALedger(let path, let detail):
            "\(path) is not a cobrador ledger (\(detail))"
        case .newerSchema(let path, let found, let supported):
            "\(path) was written by a newer cobrador (ledger schema \(found); this version knows up to \(supported)). It was not touched: upgrade cobrador to use it"
        case .unknownClient(let code):
            "no client with code \"\(code)\" (see `cobrador client list`)"
        case .unknownInvoice(let number):
            "no invoice numbered \"\(number)\" (see `cobrador invoice list`)"
        case .unknownNegotiation(let id):
            "no negotiation #\(id) (see `cobrador negotiation list`)"
        case .unknownPayment(let id):
            "no payment #\(id) (see the # column of `cobrador payment list`)"
        case .duplicateClient(let code):
            "a client with code \"\(code)\" already exists"
        case .duplicateInvoice(let number):
            "an invoice numbered \"\(number)\" already exists"
        case .invalid(let error):
            error.description
        case .conflict(let message):
            message
        case .importRejected(let file, let problems):
            (["\(file): nothing was imported; \(problems.count) problem\(problems.count == 1 ? "" : "s") to fix:"]
                + problems.map { "  \($0)" }).joined(separator: "\n")
        case .database(let path, let message):
            "\(path): \(message)"
        }
    }
}
