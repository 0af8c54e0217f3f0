// GGUFVocabularyTests.swift
// Builds tokenizers from GGUF vocabulary metadata and checks them against the goldens: SmolLM2's GGUF
// ("gpt2"/"smollm") and byte-level fixtures as "llama-bpe" / "qwen2" must match HF `tokenizers`; the
// SentencePiece fixture as a "llama" vocabulary must match `sentencepiece` with llama.cpp's fragment rules.

import Testing
import Tokenization

@Suite("GGUF vocabularies")
struct GGUFVocabularyTests {
    /// Oracle: HF `tokenizers` ids of SmolLM2's tokenizer.json (the GGUF file's tokens and merges equal it).
    @Test func smolLM2GGUFMatchesTokenizerJSON() throws {
        let tokenizer = try BPETokenizer(vocabulary: try TokenizerFixtures.smolLM2Vocabulary())
        #expect(tokenizer.bosTokenID == 1)
        #expect(tokenizer.eosTokenIDs == [2])
        for golden in try TokenizerFixtures.golden("smollm2").cases {
            #expect(tokenizer.encode(golden.text, addSpecialTokens: true) == golden.ids, "\(golden.text.debugDescription)")
            #expect(sameScalars(tokenizer.decode(golden.ids, skipSpecialTokens: true), golden.decodedSkippingSpecialTokens))
            #expect(sameScalars(tokenizer.decode(golden.ids, skipSpecialTokens: false), golden.decoded))
        }
    }

    /// Oracle: `sentencepiece` `encode` per text fragment between control tokens, BOS first (llama.cpp's SPM
    /// rules), and `sentencepiece` `decode`; the same ids also equal HF `tokenizers` for this vocabulary.
    @Test func sentencePieceScoresMatchSentencePiece() throws {
        let tokenizer = try BPETokenizer(vocabulary: try TokenizerFixtures.sentencePieceVocabulary())
        #expect(tokenizer.bosTokenID == 1)
        for golden in try TokenizerFixtures.golden("spm-llama2").cases {
            let expected = try #require(golden.ggufIDs)
            #expect(tokenizer.encode(golden.text, addSpecialTokens: true) == expected, "\(golden.text.debugDescription)")
            #expect(sameScalars(tokenizer.decode(expected, skipSpecialTokens: true), golden.ggufDecoded ?? ""),
                    "\(golden.text.debugDescription)")
        }
    }

    /// Oracle: HF `tokenizers` ids of the byte-level fixtures (Llama-3 and Qwen2 regexes), for the texts
    /// without the lstrip / rstrip / single_word added tokens that GGUF cannot express.
    @Test(arguments: [("bytelevel-llama3", "llama-bpe"), ("bytelevel-qwen2", "qwen2")])
    func byteLevelGGUFMatchesTokenizerJSON(name: String, pre: String) throws {
        let tokenizer = try BPETokenizer(vocabulary: try TokenizerFixtures.byteLevelVocabulary(name, pre: pre))
        for golden in try TokenizerFixtures.golden(name).cases {
            if ["<mask>", "<tool>", "[SW]"].contains(where: { golden.text.contains($0) }) { continue }
            #expect(tokenizer.encode(golden.text, addSpecialTokens: true) == golden.ids, "\(golden.text.debugDescription)")
            #expect(sameScalars(tokenizer.decode(golden.ids, skipSpecialTokens: false), golden.decoded))
        }
    }

    /// Oracle: the validation rules (bad metadata is a `TokenizerError`, never a crash).
    @Test(arguments: [
        GGUFVocabulary(model: "gpt2", tokens: []),
        GGUFVocabulary(model: "bert", tokens: ["a"]),
        GGUFVocabulary(model: "gpt2", tokens: ["a"]),
        GGUFVocabulary(model: "gpt2", tokens: ["a"], merges: ["a a"], bosTokenID: 7),
        GGUFVocabulary(model: "llama", tokens: ["a", "b"], scores: [0]),
        GGUFVocabulary(model: "gpt2", preTokenizer: "mystery", tokens: ["a"], merges: []),
        GGUFVocabulary(model: "gpt2", tokens: ["a"], tokenTypes: [1, 1], merges: []),
        GGUFVocabulary(model: "gpt2", tokens: ["a"], merges: ["nospace"]),
    ])
    func invalidVocabularyThrows(vocabulary: GGUFVocabulary) {
        #expect(throws: TokenizerError.self) { _ = try BPETokenizer(vocabulary: vocabulary) }
    }

    /// Oracle: hand-computed BPE on a three-token vocabulary.
    @Test func minimalVocabularyLoads() throws {
        let tokenizer = try BPETokenizer(vocabulary: GGUFVocabulary(model: "gpt2", tokens: ["a", "b", "ab"], merges: ["a b"]))
        #expect(tokenizer.encode("abba", addSpecialTokens: true) == [2, 1, 0])
        #expect(tokenizer.decode([2, 1, 0], skipSpecialTokens: false) == "abba")
    }
}
