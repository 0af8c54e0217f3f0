// TokenizerLoadingTests.swift
// Bad tokenizer.json / tokenizer_config.json input must give a TokenizerError naming the file and field, never
// a crash; and the small JSON parser must read what JSON allows.

import Foundation
import Testing
@testable import Tokenization

@Suite("Tokenizer loading")
struct TokenizerLoadingTests {
    private func load(_ json: String, config: String? = nil) throws(TokenizerError) -> BPETokenizer {
        try BPETokenizer(tokenizerJSON: Data(json.utf8), configJSON: config.map { Data($0.utf8) }, path: "t.json",
                         configPath: "c.json")
    }

    private func error(_ json: String) -> TokenizerError? {
        do {
            _ = try load(json)
            return nil
        } catch {
            return error
        }
    }

    static let minimal = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}"#

    /// Oracle: hand-computed BPE; no decoder means tokens joined by spaces (HF behaviour).
    @Test func minimalTokenizer() throws {
        let tokenizer = try load(Self.minimal)
        #expect(tokenizer.encode("aab", addSpecialTokens: true) == [0, 2])
        #expect(tokenizer.decode([0, 2], skipSpecialTokens: false) == "a ab")
        #expect(tokenizer.vocabularySize == 3)
        #expect(tokenizer.bosTokenID == nil)
    }

    /// Oracle: the error cases themselves (each names the field at fault).
    @Test func malformedFilesThrow() {
        #expect(error("{") == .invalidJSON(path: "t.json", reason: "expected a string key at byte 1"))
        #expect(error("[]") == .invalidJSON(path: "t.json", reason: "the top level is not an object"))
        #expect(error("{}") == .missingField(path: "t.json", field: "model"))
        #expect(error(#"{"model": {"type": "Unigram", "vocab": []}}"#)
            == .unsupportedComponent(path: "t.json", field: "model", type: "Unigram"))
        #expect(error(#"{"model": {"vocab": {"a": -1}}}"#)
            == .invalidField(path: "t.json", field: "model.vocab[a]", reason: "is not a token id"))
        #expect(error(#"{"model": {"vocab": {"a": 0}, "merges": [["a"]]}}"#)
            == .invalidField(path: "t.json", field: "model.merges[0]", reason: "is not a pair of strings"))
        #expect(error(#"{"model": {"vocab": {"a": 0}}, "pre_tokenizer": {"type": "BertPreTokenizer"}}"#)
            == .unsupportedComponent(path: "t.json", field: "pre_tokenizer", type: "BertPreTokenizer"))
        #expect(error(#"{"model": {"vocab": {"a": 0}}, "normalizer": {"type": "Replace", "pattern": {"Regex": "("}, "content": ""}}"#)
            == .invalidRegex(path: "t.json", field: "normalizer.pattern", pattern: "("))
        #expect(error(#"{"model": {"vocab": {"a": 0}}, "added_tokens": [{"content": "x"}]}"#)
            == .invalidField(path: "t.json", field: "added_tokens[0]", reason: "needs an id and a content"))
        #expect(error(#"{"model": {"vocab": {"a": 0}}, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}], "special_tokens": {}}}"#)
            == .missingField(path: "t.json", field: "post_processor.special_tokens.<s>"))
    }

    /// Oracle: invariant — truncating a real tokenizer.json anywhere gives an error, not a crash.
    @Test func truncatedFilesThrow() throws {
        let url = TokenizerFixtures.folder("bytelevel-llama3").appendingPathComponent("tokenizer.json")
        let data = try Data(contentsOf: url)
        for fraction in stride(from: 0.0, to: 1.0, by: 0.07) {
            let cut = data.prefix(Int(Double(data.count) * fraction))
            #expect(throws: TokenizerError.self) { _ = try BPETokenizer(tokenizerJSON: cut) }
        }
    }

    /// Oracle: transformers' rule — tokenizer_config.json `add_bos_token` / `add_eos_token` decide what
    /// `addSpecialTokens` adds; `bos_token` may be a string or an AddedToken object.
    @Test func configOverridesPostProcessor() throws {
        let json = #"""
            {"model": {"vocab": {"<s>": 0, "</s>": 1, "a": 2}},
             "added_tokens": [{"id": 0, "content": "<s>", "special": true}, {"id": 1, "content": "</s>", "special": true}],
             "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
               {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}}}
            """#
        #expect(try load(json).encode("a", addSpecialTokens: true) == [0, 2])
        #expect(try load(json).encode("a", addSpecialTokens: false) == [2])
        let config = #"{"add_bos_token": false, "add_eos_token": true, "bos_token": {"__type": "AddedToken", "content": "<s>"}, "eos_token": "</s>"}"#
        let configured = try load(json, config: config)
        #expect(configured.encode("a", addSpecialTokens: true) == [2, 1])
        #expect(configured.bosTokenID == 0)
        #expect(configured.eosTokenIDs == [1])
        #expect(configured.decode([0, 2, 1], skipSpecialTokens: true) == "a")
    }

    /// Oracle: RFC 8259 (escapes, surrogate pairs, numbers, literals).
    @Test func jsonParser() throws {
        let value = try JSONValue.parse(Data(#" {"a": [1, -2.5e1, true, false, null], "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83e\udd80"} "#.utf8), path: "p")
        #expect(value["a"] == .array([.number(1), .number(-25), .bool(true), .bool(false), .null]))
        #expect(value["s"]?.stringValue == "x\"\\/\u{8}\u{C}\n\r\t\u{E9}\u{1F980}")
        for bad in ["", "{\"a\":}", "[1,]", "\"\u{1}\"", "tru", "01x", "\"\\q\"", "[1] 2"] {
            #expect(throws: TokenizerError.self, "\(bad.debugDescription)") { _ = try JSONValue.parse(Data(bad.utf8), path: "p") }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: TokenizerError.self) { _ = try JSONValue.parse(Data(deep.utf8), path: "p") }
    }
}
