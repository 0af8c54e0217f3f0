// TokenizerFixtures.swift
// Loads the tokenizer fixtures of Tests/Fixtures/tokenizers/ (made by scripts/make_tokenizer_golden.py):
// tokenizer files, golden ids from HF `tokenizers` / `sentencepiece`, and GGUF vocabulary metadata.

import Foundation
import Synchronization
import Tokenization

/// Exact string equality: the same Unicode scalars. (`==` on String is canonical equivalence, which would
/// accept "e\u{301}" for "\u{E9}".)
func sameScalars(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.elementsEqual(b.unicodeScalars)
}

/// One golden case: a text and what the reference library made of it.
struct GoldenCase: Decodable, Sendable {
    var text: String
    var ids: [Int]
    var idsWithoutSpecialTokens: [Int]
    var decoded: String
    var decodedSkippingSpecialTokens: String
    /// spm-llama2 only: SentencePiece ids with llama.cpp's rules, and SentencePiece's decode of them.
    var ggufIDs: [Int]?
    var ggufDecoded: String?

    enum CodingKeys: String, CodingKey {
        case text, ids, decoded
        case idsWithoutSpecialTokens = "ids_no_special"
        case decodedSkippingSpecialTokens = "decoded_skip_special"
        case ggufIDs = "gguf_ids"
        case ggufDecoded = "gguf_decoded"
    }
}

/// The decodes of every prefix of `ids` (texts whose characters span several tokens).
struct PrefixDecodes: Decodable, Sendable {
    var ids: [Int]
    /// `decoded[k]` is the decode of `ids[...k]`.
    var decoded: [String]
}

struct GoldenFile: Decodable, Sendable {
    var tokenizer: String
    var oracle: String
    var cases: [GoldenCase]
    var prefixDecodes: [PrefixDecodes]

    enum CodingKeys: String, CodingKey {
        case tokenizer, oracle, cases
        case prefixDecodes = "prefix_decodes"
    }
}

enum TokenizerFixtures {
    /// All fixture tokenizers (folder names).
    static let names = [
        "smollm2", "spm-llama2", "spm-metaspace", "bytelevel-llama3", "bytelevel-qwen2", "bytelevel-gpt2", "misc-unk",
        "misc-split",
    ]

    /// Tests/Fixtures/tokenizers
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("Fixtures/tokenizers")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "Tests/Fixtures/tokenizers")
    }()

    static func folder(_ name: String) -> URL { root.appendingPathComponent(name) }

    private static let loaded = Mutex<[String: BPETokenizer]>([:])

    /// The tokenizer of a fixture folder, loaded once per test process.
    static func tokenizer(_ name: String) throws -> BPETokenizer {
        if let cached = loaded.withLock({ $0[name] }) { return cached }
        let tokenizer = try BPETokenizer(directory: folder(name))
        loaded.withLock { $0[name] = tokenizer }
        return tokenizer
    }

    static func golden(_ name: String) throws -> GoldenFile {
        let data = try Data(contentsOf: folder(name).appendingPathComponent("golden.json"))
        return try JSONDecoder().decode(GoldenFile.self, from: data)
    }

    static func json(_ name: String, _ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder(name).appendingPathComponent(file))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    // MARK: - GGUF vocabularies

    /// Tokens by id and merges of a fixture tokenizer.json, plus its added tokens.
    static func vocabularyParts(_ name: String) throws -> (tokens: [String], merges: [String], added: [[String: Any]]) {
        let root = try json(name, "tokenizer.json")
        let model = root["model"] as? [String: Any] ?? [:]
        let vocab = model["vocab"] as? [String: Int] ?? [:]
        let added = root["added_tokens"] as? [[String: Any]] ?? []
        let count = max(vocab.values.max() ?? -1, added.compactMap { $0["id"] as? Int }.max() ?? -1) + 1
        var tokens = [String](repeating: "", count: count)
        for (token, id) in vocab { tokens[id] = token }
        for entry in added {
            if let id = entry["id"] as? Int, let content = entry["content"] as? String { tokens[id] = content }
        }
        let merges: [String] = (model["merges"] as? [Any] ?? []).compactMap { item in
            if let line = item as? String { return line }
            if let pair = item as? [String], pair.count == 2 { return pair[0] + " " + pair[1] }
            return nil
        }
        return (tokens, merges, added)
    }

    /// SmolLM2's GGUF vocabulary: tokens and merges from tokenizer.json (the script checked they equal the
    /// GGUF arrays), scalars and token types from gguf_meta.json.
    static func smolLM2Vocabulary() throws -> GGUFVocabulary {
        let meta = try json("smollm2", "gguf_meta.json")
        let parts = try vocabularyParts("smollm2")
        var types = [Int32](repeating: GGUFVocabulary.TokenType.normal, count: parts.tokens.count)
        for (key, value) in meta["non_normal_token_types"] as? [String: Int] ?? [:] {
            if let id = Int(key) { types[id] = Int32(value) }
        }
        return GGUFVocabulary(
            model: meta["model"] as? String ?? "", preTokenizer: meta["pre"] as? String, tokens: parts.tokens,
            tokenTypes: types, merges: parts.merges, bosTokenID: meta["bos_token_id"] as? Int,
            eosTokenID: meta["eos_token_id"] as? Int, unknownTokenID: meta["unknown_token_id"] as? Int,
            paddingTokenID: meta["padding_token_id"] as? Int, addBOSToken: meta["add_bos_token"] as? Bool,
            addSpacePrefix: meta["add_space_prefix"] as? Bool)
    }

    /// The GGUF "llama" vocabulary of the SentencePiece fixture (gguf_vocab.json).
    static func sentencePieceVocabulary() throws -> GGUFVocabulary {
        let meta = try json("spm-llama2", "gguf_vocab.json")
        return GGUFVocabulary(
            model: meta["model"] as? String ?? "", preTokenizer: meta["pre"] as? String,
            tokens: meta["tokens"] as? [String] ?? [],
            scores: (meta["scores"] as? [Double] ?? []).map(Float.init),
            tokenTypes: (meta["token_type"] as? [Int] ?? []).map(Int32.init), bosTokenID: meta["bos_token_id"] as? Int,
            eosTokenID: meta["eos_token_id"] as? Int, unknownTokenID: meta["unknown_token_id"] as? Int,
            addBOSToken: meta["add_bos_token"] as? Bool, addEOSToken: meta["add_eos_token"] as? Bool,
            addSpacePrefix: meta["add_space_prefix"] as? Bool)
    }

    /// A byte-level fixture as a GGUF "gpt2" vocabulary with the given `pre`; its four chat/BOS specials are
    /// control tokens, the other added tokens user-defined.
    static func byteLevelVocabulary(_ name: String, pre: String) throws -> GGUFVocabulary {
        let parts = try vocabularyParts(name)
        var types = [Int32](repeating: GGUFVocabulary.TokenType.normal, count: parts.tokens.count)
        for entry in parts.added {
            guard let id = entry["id"] as? Int else { continue }
            let special = entry["special"] as? Bool ?? false
            types[id] = special ? GGUFVocabulary.TokenType.control : GGUFVocabulary.TokenType.userDefined
        }
        return GGUFVocabulary(
            model: "gpt2", preTokenizer: pre, tokens: parts.tokens, tokenTypes: types, merges: parts.merges,
            bosTokenID: 0, eosTokenID: 1)
    }
}
