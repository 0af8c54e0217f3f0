// BPETokenizer+GGUF.swift
// Builds a BPETokenizer from GGUF vocabulary metadata with llama.cpp's rules: "gpt2" vocabularies are
// byte-level BPE with merges and a pre-tokenizer chosen by `tokenizer.ggml.pre`; "llama" vocabularies are
// SentencePiece BPE ranked by scores, with a space prefix and byte fallback. Control, unknown and
// user-defined tokens are split out of the text like HF added tokens (the first two as special tokens).

extension BPETokenizer {
    /// Builds the tokenizer that a GGUF file's `tokenizer.ggml.*` metadata describes.
    public convenience init(vocabulary: GGUFVocabulary) throws(TokenizerError) {
        let count = vocabulary.tokens.count
        guard count > 0 else { throw .invalidVocabulary(field: "tokenizer.ggml.tokens", reason: "is empty") }
        guard count <= TokenizerJSONReader.maximumTokenID else {
            throw .invalidVocabulary(field: "tokenizer.ggml.tokens", reason: "has \(count) tokens, too many")
        }
        if let types = vocabulary.tokenTypes, types.count != count {
            throw .invalidVocabulary(field: "tokenizer.ggml.token_type", reason: "has \(types.count) entries for \(count) tokens")
        }
        func checkedID(_ id: Int?, _ field: String) throws(TokenizerError) -> Int32? {
            guard let id else { return nil }
            guard id >= 0, id < count else {
                throw .invalidVocabulary(field: field, reason: "is \(id), outside 0..<\(count)")
            }
            return Int32(id)
        }
        let bos = try checkedID(vocabulary.bosTokenID, "tokenizer.ggml.bos_token_id")
        let eos = try checkedID(vocabulary.eosTokenID, "tokenizer.ggml.eos_token_id")
        let eot = try checkedID(vocabulary.endOfTurnTokenID, "tokenizer.ggml.eot_token_id")
        let unknown = try checkedID(vocabulary.unknownTokenID, "tokenizer.ggml.unknown_token_id")

        let types = vocabulary.tokenTypes ?? [Int32](repeating: GGUFVocabulary.TokenType.normal, count: count)
        var added: [AddedToken] = []
        for (id, type) in types.enumerated() where !vocabulary.tokens[id].isEmpty {
            switch type {
            case GGUFVocabulary.TokenType.control, GGUFVocabulary.TokenType.unknown:
                added.append(AddedToken(id: id, content: vocabulary.tokens[id], special: true))
            case GGUFVocabulary.TokenType.userDefined:
                added.append(AddedToken(id: id, content: vocabulary.tokens[id], special: false))
            default:
                break
            }
        }

        let model: Model
        let normalizer: Normalizer?
        let preTokenizer: PreTokenizer?
        let decoder: TokenDecoder
        let addBOSDefault: Bool
        switch vocabulary.model {
        case "gpt2":
            guard let mergeLines = vocabulary.merges else {
                throw .invalidVocabulary(field: "tokenizer.ggml.merges", reason: "is missing for a \"gpt2\" vocabulary")
            }
            var merges: [(String, String)] = []
            merges.reserveCapacity(mergeLines.count)
            for (index, line) in mergeLines.enumerated() {
                guard let pair = TokenizerJSONReader.splitMerge(line) else {
                    throw .invalidVocabulary(field: "tokenizer.ggml.merges[\(index)]", reason: "is not \"left right\"")
                }
                merges.append(pair)
            }
            var table: [String: Int32] = [:]
            table.reserveCapacity(count)
            for (id, token) in vocabulary.tokens.enumerated() { table[token] = Int32(id) }  // last wins, as llama.cpp
            let pre = try Self.ggufPreTokenizer(vocabulary.preTokenizer)
            model = .merges(BPEModel(
                vocabulary: table, merges: merges, unknownToken: nil, fuseUnknown: false, byteFallback: false,
                ignoreMerges: pre.ignoreMerges, continuingSubwordPrefix: nil, endOfWordSuffix: nil))
            normalizer = nil
            preTokenizer = pre.preTokenizer
            decoder = .byteLevel
            addBOSDefault = pre.addBOS
        case "llama":
            guard let scores = vocabulary.scores, scores.count == count else {
                throw .invalidVocabulary(field: "tokenizer.ggml.scores", reason: "must have one score per token")
            }
            model = .scores(SentencePieceModel(tokens: vocabulary.tokens, scores: scores, unknownID: unknown))
            let spacePrefix = vocabulary.addSpacePrefix ?? true
            let escape = Normalizer.replace(pattern: .literal([" "]), content: "\u{2581}")
            normalizer = spacePrefix ? .sequence([.prepend(" "), escape]) : escape
            preTokenizer = nil
            var steps: [TokenDecoder] = [.replace(pattern: .literal(["\u{2581}"]), content: " "), .byteFallback, .fuse]
            if spacePrefix { steps.append(.strip(content: " ", start: 1, stop: 0)) }
            decoder = .sequence(steps)
            addBOSDefault = true
        default:
            throw .invalidVocabulary(field: "tokenizer.ggml.model", reason: "is \"\(vocabulary.model)\"; only \"gpt2\" and \"llama\" are supported")
        }

        var endIDs: [Int] = []
        for id in [eos, eot].compactMap({ $0 }) where !endIDs.contains(Int(id)) { endIDs.append(Int(id)) }
        let addBOS = vocabulary.addBOSToken ?? addBOSDefault
        let addEOS = vocabulary.addEOSToken ?? false
        self.init(components: Components(
            model: model, idToToken: vocabulary.tokens, normalizer: normalizer, preTokenizer: preTokenizer,
            decoder: decoder, addedTokens: added, prefixIDs: addBOS ? bos.map { [$0] } ?? [] : [],
            suffixIDs: addEOS ? eos.map { [$0] } ?? [] : [], bosTokenID: bos.map(Int.init), eosTokenIDs: endIDs))
    }

    /// llama.cpp's pre-tokenizer for a `tokenizer.ggml.pre` value of a "gpt2" vocabulary.
    private static func ggufPreTokenizer(
        _ name: String?
    ) throws(TokenizerError) -> (preTokenizer: PreTokenizer, ignoreMerges: Bool, addBOS: Bool) {
        let byteLevel = PreTokenizer.byteLevel(addPrefixSpace: false, useRegex: false)
        switch name ?? "default" {
        case "default", "gpt2", "gpt-2":
            return (.byteLevel(addPrefixSpace: false, useRegex: true), false, false)
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "smaug-bpe", "dbrx":
            return (.sequence([.split(pattern: .known(.llama3), behavior: .isolated, invert: false), byteLevel]), true, true)
        case "qwen2", "deepseek-r1-qwen", "stablelm2", "megrez":
            return (.sequence([.split(pattern: .known(.qwen2), behavior: .isolated, invert: false), byteLevel]), false, false)
        case "smollm", "starcoder", "refact", "codeshell", "command-r", "exaone", "minerva-7b":
            return (.sequence([.digits(individual: true), .byteLevel(addPrefixSpace: false, useRegex: true)]), false, false)
        case let other:
            throw .invalidVocabulary(field: "tokenizer.ggml.pre", reason: "is \"\(other)\", which slora does not know")
        }
    }
}
