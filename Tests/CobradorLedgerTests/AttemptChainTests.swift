import CobradorLedger
import Testing

/// The attempt log's hashes are evidence kept for years: the same step must hash to the same
/// value in every version, or `evidence --verify` would call an old ledger tampered with.
@Suite struct AttemptChainTests {
    /// Values computed independently of cobrador (Python's hashlib over "length:field" joined
    /// by "|", the documented record), so a change in how the record is built shows here.
    @Test func aStepHashesAsTheRecordItsFieldsMake() {
        #expect(
            AttemptChain.hash(
                previous: AttemptChain.origin, attemptID: 1, at: "2026-11-30T09:00:00Z", status: "pending",
                detail: "reserved <cobrador.1@lucia.example> for pagos@acme.example", sha256: String(repeating: "ab", count: 32))
                == "3cf603bab576cba025cc9d0c95fca63c110d56a3b7bb2e5fa4c43e7d1aa694d9")
        // Non-ASCII text counts its UTF-8 bytes; an absent digest is an empty field.
        #expect(
            AttemptChain.hash(
                previous: String(repeating: "f", count: 64), attemptID: 42, at: "2026-12-01T10:00:00Z", status: "failed",
                detail: "no se pudo: 550 5.1.1 buzón inexistente", sha256: nil)
                == "8a52da54a2099877b3a527a6d5168f1169cdb4e41cd1f8170bbee2be5324dcfd")
    }
}
