// SHA-256 against the FIPS 180-2 / NIST example vectors, and streaming equivalence.

import Adapters
import Testing

@Suite struct SHA256Tests {
    private static func hex(_ text: String) -> String { SHA256.hex(SHA256.hash(Array(text.utf8))) }

    /// Oracle: FIPS 180-2 Appendix B and the NIST CSRC example values.
    @Test func knownVectors() {
        #expect(Self.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Self.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            Self.hex(
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            )
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(
            SHA256.hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Oracle: invariant — feeding the same bytes in pieces of any size gives the one-shot digest
    /// (pieces straddle the 64-byte block and 56-byte padding boundaries).
    @Test func streamingMatchesOneShot() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1_000] {
            let message = Array(bytes.prefix(length))
            let expected = SHA256.hash(message)
            for piece in [1, 3, 17, 63, 64, 100] {
                var hasher = SHA256()
                var start = 0
                while start < message.count {
                    let end = min(start + piece, message.count)
                    hasher.update(Array(message[start..<end]))
                    start = end
                }
                #expect(hasher.finalize() == expected, "length \(length) piece \(piece)")
            }
        }
    }
}
