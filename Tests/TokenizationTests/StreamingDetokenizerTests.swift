// StreamingDetokenizerTests.swift
// Feeds golden id sequences one id at a time and checks that the streamed text adds up to the full decode
// and that no chunk ever ends inside a character.

import Testing
import Tokenization

@Suite("Streaming detokenizer")
struct StreamingDetokenizerTests {
    /// Streams `ids` and returns the chunks, the last one from `finish()`.
    private func stream(_ ids: [Int], _ tokenizer: any TextTokenizer, skip: Bool) -> [String] {
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: skip)
        var chunks = ids.map { detokenizer.append($0) }
        chunks.append(detokenizer.finish())
        return chunks
    }

    /// Oracle: invariants — the chunks concatenate to `decode(ids)` (itself checked against HF `tokenizers`),
    /// and when the full text has no U+FFFD no chunk has one (no half characters are ever emitted).
    @Test(arguments: TokenizerFixtures.names)
    func streamingEqualsFullDecode(name: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer(name)
        for golden in try TokenizerFixtures.golden(name).cases {
            for skip in [false, true] {
                let full = tokenizer.decode(golden.ids, skipSpecialTokens: skip)
                let chunks = stream(golden.ids, tokenizer, skip: skip)
                #expect(sameScalars(chunks.joined(), full), "\(name) skip=\(skip): \(golden.text.debugDescription)")
                if !full.unicodeScalars.contains("\u{FFFD}") {
                    #expect(!chunks.contains { $0.unicodeScalars.contains("\u{FFFD}") }, "\(golden.text.debugDescription)")
                }
            }
        }
    }

    /// Oracle: invariant — an emoji spread over several byte-level / `<0xNN>` tokens appears only once whole.
    @Test(arguments: ["smollm2", "spm-llama2"])
    func splitCharacterIsHeldBack(name: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer(name)
        let ids = tokenizer.encode("a\u{1F980}b", addSpecialTokens: false)
        #expect(ids.count >= 4)  // "a", several pieces of the crab, "b"
        let chunks = stream(ids, tokenizer, skip: true)
        #expect(sameScalars(chunks.joined(), "a\u{1F980}b"))
        #expect(chunks.contains("\u{1F980}") || chunks.contains { $0.hasPrefix("\u{1F980}") })
        #expect(!chunks.contains { $0.unicodeScalars.contains("\u{FFFD}") })
    }

    /// Oracle: invariant — a sequence that ends in a truly incomplete character is flushed by `finish()`
    /// as U+FFFD, like `decode`.
    @Test func finishFlushesIncompleteBytes() throws {
        let tokenizer = try TokenizerFixtures.tokenizer("smollm2")
        let ids = tokenizer.encode("\u{1F980}", addSpecialTokens: false)
        let partial = Array(ids.dropLast())
        let chunks = stream(partial, tokenizer, skip: false)
        #expect(chunks.dropLast().allSatisfy { $0.isEmpty })
        #expect(sameScalars(chunks.joined(), tokenizer.decode(partial, skipSpecialTokens: false)))
        #expect(chunks.last?.unicodeScalars.last == "\u{FFFD}")
    }
}
