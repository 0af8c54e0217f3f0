// Validated sampling settings of one request, shared by both generation endpoints. Values the client left
// out stay nil so the engine can apply its defaults (vLLM: temperature 1, top_p 1, top_k off, or the
// model's generation_config.json; formats-and-api.md §A.2).

// MARK: - SamplingOptions

/// How to sample one request. Every field has been range-checked (formats-and-api.md §A.3
/// "SamplingParams range validation").
public struct SamplingOptions: Sendable, Equatable {
    /// In [0, 2]; 0 means greedy. nil: engine default.
    public var temperature: Double?
    /// In (0, 1]. nil: engine default.
    public var topP: Double?
    /// ≥ 1, or nil when the client sent nothing, -1 or 0 (disabled).
    public var topK: Int?
    /// Seed for reproducible sampling; nil: not seeded.
    public var seed: Int64?
    /// Generated-token limit, ≥ 1. nil: fill the context (`maxModelLength - promptLength`, chat default).
    public var maxTokens: Int?
    /// Non-empty stop strings (at most ``SamplingOptions/maxStopSequences``); the engine stops when one
    /// appears and leaves it out of the text.
    public var stop: [String]
    /// vLLM `stop_token_ids`: generation stops after any of these ids.
    public var stopTokenIDs: [Int32]
    /// Number of alternatives to report per generated token (0...20), or nil for no log-probabilities.
    /// 0 means "the chosen token's logprob only".
    public var logprobs: Int?
    /// vLLM `ignore_eos`: keep generating past the end-of-sequence token (benchmarks).
    public var ignoreEOS: Bool

    /// Most stop strings a request may carry.
    public static let maxStopSequences = 4
    /// Largest `logprobs` / `top_logprobs` accepted (vLLM's default `max_logprobs`).
    public static let maxLogprobs = 20

    public init(
        temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, seed: Int64? = nil,
        maxTokens: Int? = nil, stop: [String] = [], stopTokenIDs: [Int32] = [], logprobs: Int? = nil,
        ignoreEOS: Bool = false
    ) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
        self.maxTokens = maxTokens
        self.stop = stop
        self.stopTokenIDs = stopTokenIDs
        self.logprobs = logprobs
        self.ignoreEOS = ignoreEOS
    }
}
