// BPETokenizer.swift
// The tokenizer pipeline of HF `tokenizers` for BPE models: added tokens split out, normalizer, pre-tokenizer,
// model (merges-ranked BPE, or score-ranked SentencePiece BPE for GGUF "llama" vocabularies), special tokens
// around the sequence, and the decoder chain. Loaders: BPETokenizer+JSON.swift, BPETokenizer+GGUF.swift.

import Synchronization

/// A BPE tokenizer loaded from `tokenizer.json` (+ `tokenizer_config.json`) or from a GGUF vocabulary.
public final class BPETokenizer: TextTokenizer {
    /// The model that turns one pre-tokenized piece into ids.
    enum Model: Sendable {
        case merges(BPEModel)
        case scores(SentencePieceModel)
    }

    /// Everything a loader decides; the tokenizer itself is format-agnostic.
    struct Components: Sendable {
        var model: Model
        /// The model vocabulary by id (nil for ids only added tokens use).
        var idToToken: [String?]
        var normalizer: Normalizer?
        var preTokenizer: PreTokenizer?
        /// nil: tokens are joined with spaces, as HF does without a decoder.
        var decoder: TokenDecoder?
        var addedTokens: [AddedToken]
        /// Ids put before / after the sequence when `addSpecialTokens` is true.
        var prefixIDs: [Int32]
        var suffixIDs: [Int32]
        var bosTokenID: Int?
        var eosTokenIDs: [Int]
    }

    private let model: Model
    private let idToToken: [String?]
    private let normalizer: Normalizer?
    private let preTokenizer: PreTokenizer?
    private let decoder: TokenDecoder?
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    private let addedByID: [Int: AddedToken]
    /// The text of each added token as HF's `id_to_token` gives it: normalized tokens come back normalized.
    private let addedTextByID: [Int: String]
    private let addedByContent: [String: Int]
    private let prefixIDs: [Int32]
    private let suffixIDs: [Int32]
    /// Ids of pre-tokenized words, for the merges model (words repeat a lot in real text).
    private let wordCache = Mutex<[String: [Int32]]>([:])
    private static let wordCacheLimit = 50_000

    /// The added tokens, in id order.
    public let addedTokens: [AddedToken]
    public let bosTokenID: Int?
    public let eosTokenIDs: [Int]
    public let vocabularySize: Int

    init(components: Components) {
        model = components.model
        idToToken = components.idToToken
        normalizer = components.normalizer
        preTokenizer = components.preTokenizer
        decoder = components.decoder
        let added = components.addedTokens.sorted { $0.id < $1.id }
        addedTokens = added
        rawMatcher = AddedTokenMatcher(added.filter { !$0.normalized }.map { ($0, $0.content) })
        let normalizer = components.normalizer
        normalizedMatcher = AddedTokenMatcher(
            added.filter(\.normalized).map { ($0, normalizer?.apply($0.content) ?? $0.content) })
        addedByID = Dictionary(added.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        addedTextByID = Dictionary(
            added.map { ($0.id, $0.normalized ? normalizer?.apply($0.content) ?? $0.content : $0.content) },
            uniquingKeysWith: { _, last in last })
        addedByContent = Dictionary(added.map { ($0.content, $0.id) }, uniquingKeysWith: { _, last in last })
        prefixIDs = components.prefixIDs
        suffixIDs = components.suffixIDs
        bosTokenID = components.bosTokenID
        eosTokenIDs = components.eosTokenIDs
        vocabularySize = max(components.idToToken.count, (added.map(\.id).max() ?? -1) + 1)
    }

    // MARK: - Encoding

    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        if addSpecialTokens { ids.append(contentsOf: prefixIDs) }
        for segment in rawMatcher.split(text, startsAtOrigin: true) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let raw, let startsAtOrigin):
                let normalized = normalizer?.apply(raw) ?? raw
                for inner in normalizedMatcher.split(normalized, startsAtOrigin: startsAtOrigin) {
                    switch inner {
                    case .token(let id): ids.append(id)
                    case .text(let piece, let origin): tokenize(piece, startsAtOrigin: origin, into: &ids)
                    }
                }
            }
        }
        if addSpecialTokens { ids.append(contentsOf: suffixIDs) }
        return ids.map(Int.init)
    }

    /// Pre-tokenizes one normalized segment and runs the model on each piece.
    private func tokenize(_ segment: String, startsAtOrigin: Bool, into ids: inout [Int32]) {
        let first = PreToken(text: segment, startsAtOrigin: startsAtOrigin)
        let pieces = preTokenizer?.apply([first]) ?? [first]
        switch model {
        case .scores(let sentencePiece):
            for piece in pieces { sentencePiece.tokenize(piece.text, into: &ids) }
        case .merges(let bpe):
            for piece in pieces {
                if let cached = wordCache.withLock({ $0[piece.text] }) {
                    ids.append(contentsOf: cached)
                    continue
                }
                var word: [Int32] = []
                bpe.tokenize(piece.text, into: &word)
                ids.append(contentsOf: word)
                wordCache.withLock { cache in
                    if cache.count >= Self.wordCacheLimit { cache.removeAll(keepingCapacity: true) }
                    cache[piece.text] = word
                }
            }
        }
    }

    // MARK: - Decoding

    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            if let added = addedByID[id] {
                if skipSpecialTokens && added.special { continue }
                tokens.append(addedTextByID[id] ?? added.content)
            } else if id >= 0, id < idToToken.count, let token = idToToken[id] {
                tokens.append(token)
            }
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decodeChain(tokens).joined()
    }

    /// Whether `id` is a special added token (dropped by `skipSpecialTokens`).
    public func isSpecialToken(_ id: Int) -> Bool {
        addedByID[id]?.special ?? false
    }

    // MARK: - Vocabulary

    public func tokenID(for token: String) -> Int? {
        if let id = addedByContent[token] { return id }
        switch model {
        case .merges(let bpe): return bpe.tokenToID[token].map(Int.init)
        case .scores(let sentencePiece): return sentencePiece.tokenToID[token].map(Int.init)
        }
    }

    public func token(for id: Int) -> String? {
        if let text = addedTextByID[id] { return text }
        guard id >= 0, id < idToToken.count else { return nil }
        return idToToken[id]
    }
}
