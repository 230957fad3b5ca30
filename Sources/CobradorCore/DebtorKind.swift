/// Who the debtor is in law: it decides which late-payment regime applies (business debts
/// earn statutory interest and compensation; consumer debts do not).
package enum DebtorKind: String, CaseIterable, Codable, Sendable {
    case company
    case selfEmployed = "self-employed"
    case consumer
}
