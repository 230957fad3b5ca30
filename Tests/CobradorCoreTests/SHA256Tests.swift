import CobradorCore
import CobradorTestSupport
import Foundation
import Testing

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(input: String, expected: String) {
        #expect(SHA256.hex(Array(input.utf8)) == expected)
    }

    @Test func agreesWithSha256sumOnEveryLengthAroundABlock() throws {
        let folder = TemporaryDirectory()
        for length in [55, 56, 63, 64, 65, 119, 120, 1000, 100_003] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let path = folder.file("\(length).bin")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let reference = try ProcessResult.run("/usr/bin/sha256sum", [path]).standardOutput.prefix(64)
            #expect(SHA256.hex(bytes) == String(reference), "length \(length)")
        }
    }
}
