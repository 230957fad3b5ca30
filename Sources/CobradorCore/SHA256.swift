import CCrypto

/// SHA-256, for the fingerprint stored with every message sent (the evidence that the bytes
/// kept are the bytes that went out) and the attempt log's hash chain. OpenSSL's libcrypto,
/// which libcurl already loads, computes it with the CPU's SHA extensions: about 1.5 us for a
/// reminder, where a hash written out in Swift took 10 (scripts/bench-daemon.sh).
package enum SHA256 {
    /// Lower-case hex digest of `bytes`.
    package static func hex(_ bytes: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        let digest = digest(bytes)
        return String(unsafeUninitializedCapacity: 64) { text in
            digits.withUTF8Buffer { digits in
                for index in 0..<32 {
                    text[index * 2] = digits[Int(digest[index] >> 4)]
                    text[index * 2 + 1] = digits[Int(digest[index] & 15)]
                }
            }
            return 64
        }
    }

    package static func digest(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { digest, count in
            var context = SHA256_CTX()
            let done = bytes.withUnsafeBytes { bytes in
                SHA256_Init(&context) == 1 && SHA256_Update(&context, bytes.baseAddress, bytes.count) == 1 && SHA256_Final(digest.baseAddress, &context) == 1
            }
            // These only fail on a null argument.
            precondition(done, "libcrypto could not compute a SHA-256")
            count = 32
        }
    }
}
