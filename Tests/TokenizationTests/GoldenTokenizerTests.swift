// GoldenTokenizerTests.swift
// Encodes and decodes the hard-string corpus with every fixture tokenizer.json and compares with the ids and
// texts that HF `tokenizers` produced (Tests/Fixtures/tokenizers/*/golden.json).

import Testing
import Tokenization

@Suite("tokenizer.json goldens")
struct GoldenTokenizerTests {
    /// Oracle: HF `tokenizers` `Tokenizer.encode(text, add_special_tokens=True/False).ids`.
    @Test(arguments: TokenizerFixtures.names)
    func encodeMatchesTokenizers(name: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer(name)
        let golden = try TokenizerFixtures.golden(name)
        #expect(golden.cases.count > 60)
        for golden in golden.cases {
            #expect(tokenizer.encode(golden.text, addSpecialTokens: true) == golden.ids, "\(name): \(golden.text.debugDescription)")
            #expect(tokenizer.encode(golden.text, addSpecialTokens: false) == golden.idsWithoutSpecialTokens,
                    "\(name) without specials: \(golden.text.debugDescription)")
        }
    }

    /// Oracle: HF `tokenizers` `Tokenizer.decode(ids, skip_special_tokens=False/True)`.
    @Test(arguments: TokenizerFixtures.names)
    func decodeMatchesTokenizers(name: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer(name)
        for golden in try TokenizerFixtures.golden(name).cases {
            #expect(sameScalars(tokenizer.decode(golden.ids, skipSpecialTokens: false), golden.decoded),
                    "\(name): \(golden.text.debugDescription)")
            #expect(sameScalars(tokenizer.decode(golden.ids, skipSpecialTokens: true), golden.decodedSkippingSpecialTokens),
                    "\(name) skipping specials: \(golden.text.debugDescription)")
        }
    }

    /// Oracle: HF `tokenizers` `decode` of every prefix of multi-byte texts, i.e. how half characters become
    /// U+FFFD (ByteLevel: one per invalid sequence; ByteFallback: one per byte).
    @Test(arguments: TokenizerFixtures.names)
    func prefixDecodesMatchTokenizers(name: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer(name)
        let prefixes = try TokenizerFixtures.golden(name).prefixDecodes
        #expect(!prefixes.isEmpty)
        for prefix in prefixes {
            for (index, expected) in prefix.decoded.enumerated() {
                #expect(sameScalars(tokenizer.decode(Array(prefix.ids[...index]), skipSpecialTokens: false), expected),
                        "\(name) \(prefix.ids[...index])")
            }
        }
    }

    /// Oracle: the fixture files (tokenizer_config.json bos/eos; the Llama-3 style template's BOS).
    @Test func specialTokenIDs() throws {
        let smol = try TokenizerFixtures.tokenizer("smollm2")
        #expect(smol.bosTokenID == 1)
        #expect(smol.eosTokenIDs == [2])
        #expect(smol.vocabularySize == 49152)
        #expect(smol.tokenID(for: "<|im_end|>") == 2)
        #expect(smol.token(for: 2) == "<|im_end|>")
        #expect(smol.isSpecialToken(2))
        #expect(!smol.isSpecialToken(100))

        let llama2 = try TokenizerFixtures.tokenizer("spm-llama2")
        #expect(llama2.bosTokenID == 1)
        #expect(llama2.eosTokenIDs == [2])
        #expect(llama2.encode("", addSpecialTokens: true) == [1])

        let llama3 = try TokenizerFixtures.tokenizer("bytelevel-llama3")
        #expect(llama3.bosTokenID == 0)
        #expect(llama3.eosTokenIDs.isEmpty)
        #expect(llama3.token(for: 0) == "<|begin_of_text|>")
        #expect(llama3.token(for: 1_000_000) == nil)
        #expect(llama3.tokenID(for: "no such token") == nil)
    }

    /// Oracle: invariant — tokenizing the same text twice (second time from the word cache) gives the same ids.
    @Test func cachedWordsGiveSameIDs() throws {
        let tokenizer = try TokenizerFixtures.tokenizer("smollm2")
        let text = "The cache must not change results: results, results; the THE the."
        let first = tokenizer.encode(text, addSpecialTokens: false)
        #expect(tokenizer.encode(text, addSpecialTokens: false) == first)
        #expect(sameScalars(tokenizer.decode(first, skipSpecialTokens: false), text))
    }
}
