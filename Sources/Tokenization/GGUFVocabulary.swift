// GGUFVocabulary.swift
// The `tokenizer.ggml.*` metadata of a GGUF file as a plain value. The GGUF reader fills it in; the tokenizer
// is built from it with `BPETokenizer(vocabulary:)`.

/// The tokenizer metadata of a GGUF file (`tokenizer.ggml.*`).
public struct GGUFVocabulary: Sendable, Equatable {
    /// `tokenizer.ggml.token_type` values.
    public enum TokenType {
        public static let normal: Int32 = 1
        public static let unknown: Int32 = 2
        public static let control: Int32 = 3
        public static let userDefined: Int32 = 4
        public static let unused: Int32 = 5
        public static let byte: Int32 = 6
    }

    /// `tokenizer.ggml.model`: `"gpt2"` (byte-level BPE with merges) or `"llama"` (SentencePiece, scores).
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer, e.g. `"smollm"`, `"llama-bpe"`, `"qwen2"`, `"default"`.
    public var preTokenizer: String?
    /// `tokenizer.ggml.tokens`, indexed by id.
    public var tokens: [String]
    /// `tokenizer.ggml.scores` (required for `"llama"`).
    public var scores: [Float]?
    /// `tokenizer.ggml.token_type` (see `TokenType`).
    public var tokenTypes: [Int32]?
    /// `tokenizer.ggml.merges` as `"left right"` strings (required for `"gpt2"`).
    public var merges: [String]?
    public var bosTokenID: Int?
    public var eosTokenID: Int?
    /// `tokenizer.ggml.eot_token_id`: end of turn, also ends generation.
    public var endOfTurnTokenID: Int?
    public var unknownTokenID: Int?
    public var paddingTokenID: Int?
    /// `tokenizer.ggml.add_bos_token`; nil means the model's default (true for "llama").
    public var addBOSToken: Bool?
    public var addEOSToken: Bool?
    /// `tokenizer.ggml.add_space_prefix`; nil means the model's default (true for "llama").
    public var addSpacePrefix: Bool?

    public init(
        model: String, preTokenizer: String? = nil, tokens: [String], scores: [Float]? = nil,
        tokenTypes: [Int32]? = nil, merges: [String]? = nil, bosTokenID: Int? = nil, eosTokenID: Int? = nil,
        endOfTurnTokenID: Int? = nil, unknownTokenID: Int? = nil, paddingTokenID: Int? = nil,
        addBOSToken: Bool? = nil, addEOSToken: Bool? = nil, addSpacePrefix: Bool? = nil
    ) {
        self.model = model
        self.preTokenizer = preTokenizer
        self.tokens = tokens
        self.scores = scores
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.endOfTurnTokenID = endOfTurnTokenID
        self.unknownTokenID = unknownTokenID
        self.paddingTokenID = paddingTokenID
        self.addBOSToken = addBOSToken
        self.addEOSToken = addEOSToken
        self.addSpacePrefix = addSpacePrefix
    }
}
