// PipelineComponentTests.swift
// Small hand-written tokenizer.json files for components the golden fixtures do not cover: NFD, WhitespaceSplit,
// Metaspace "never", unk without fusing, continuing_subword_prefix and end_of_word_suffix.

import Foundation
import Testing
import Tokenization

@Suite("Pipeline components")
struct PipelineComponentTests {
    private func tokenizer(model: String, normalizer: String = "null", preTokenizer: String = "null") throws -> BPETokenizer {
        let json = #"{"normalizer": \#(normalizer), "pre_tokenizer": \#(preTokenizer), "model": \#(model)}"#
        return try BPETokenizer(tokenizerJSON: Data(json.utf8))
    }

    /// Oracle: hand-computed. "AB  Cé" -> NFD + lowercase "ab  ce\u{301}" -> words "ab", "ce\u{301}";
    /// e and U+0301 are unknown: two unk ids, or one when fused.
    @Test(arguments: [false, true])
    func unknownScalars(fuse: Bool) throws {
        let model = #"{"type": "BPE", "unk_token": "<unk>", "fuse_unk": \#(fuse), "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "<unk>": 4}, "merges": [["a", "b"]]}"#
        let tokenizer = try tokenizer(
            model: model, normalizer: #"{"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "Lowercase"}]}"#,
            preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": false}]}"#)
        #expect(tokenizer.encode("AB  C\u{E9}", addSpecialTokens: false) == (fuse ? [3, 2, 4] : [3, 2, 4, 4]))
    }

    /// Oracle: hand-computed; HF merges `a` + `##b` into `ab` (the prefix is dropped from the right part).
    @Test func continuingSubwordPrefix() throws {
        let model = ###"{"type": "BPE", "continuing_subword_prefix": "##", "vocab": {"a": 0, "##b": 1, "ab": 2, "b": 3}, "merges": ["a ##b"]}"###
        let tokenizer = try tokenizer(model: model, preTokenizer: #"{"type": "WhitespaceSplit"}"#)
        #expect(tokenizer.encode("ab b", addSpecialTokens: false) == [2, 3])
    }

    /// Oracle: hand-computed; the last scalar of a word carries the suffix.
    @Test func endOfWordSuffix() throws {
        let model = #"{"type": "BPE", "end_of_word_suffix": "</w>", "vocab": {"a": 0, "b</w>": 1, "ab</w>": 2, "a</w>": 3}, "merges": ["a b</w>"]}"#
        let tokenizer = try tokenizer(model: model, preTokenizer: #"{"type": "WhitespaceSplit"}"#)
        #expect(tokenizer.encode("ab a", addSpecialTokens: false) == [2, 3])
    }

    /// Oracle: hand-computed; `ignore_merges` takes a whole word that is in the vocabulary as one token even
    /// when no merge path leads to it.
    @Test func ignoreMerges() throws {
        let vocab = #""a": 0, "b": 1, "c": 2, "abc": 3, "ab": 4"#
        let with = try tokenizer(model: #"{"type": "BPE", "ignore_merges": true, "vocab": {\#(vocab)}, "merges": ["a b"]}"#)
        let without = try tokenizer(model: #"{"type": "BPE", "ignore_merges": false, "vocab": {\#(vocab)}, "merges": ["a b"]}"#)
        #expect(with.encode("abc", addSpecialTokens: false) == [3])
        #expect(without.encode("abc", addSpecialTokens: false) == [4, 2])
    }
}
