/// What an import did.
package struct ImportSummary: Hashable, Sendable {
    package var rows = 0
    package var added = 0
    /// Existing clients whose details changed and were updated.
    package var updated = 0
    /// Rows already in the ledger exactly as in the file.
    package var unchanged = 0
    /// Rows that differ from what the ledger holds for the same key and were not applied:
    /// the owner must look at them (the command exits with status 2).
    package var conflicts: [ImportProblem] = []

    package init() {}
}
