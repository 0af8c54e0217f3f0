// How to generate for one request: sampling settings, limits and stop conditions. Fields the client
// left out are nil and take the engine's defaults (EngineConfiguration).

/// Sampling and stopping settings of one request (already range-checked by the caller).
public struct GenerationParameters: Sendable, Equatable {
    /// 0 is greedy; nil: the engine default.
    public var temperature: Double?
    /// In (0, 1]; nil: 1.
    public var topP: Double?
    /// Keep the k most likely tokens; nil: all.
    public var topK: Int?
    /// Seed of the sampler; nil: a random seed.
    public var seed: Int64?
    /// Most tokens to generate; nil: fill the context.
    public var maxTokens: Int?
    /// Generation stops when one of these appears; it is left out of the text.
    public var stop: [String]
    /// Generation stops after any of these token ids.
    public var stopTokenIDs: [Int32]
    /// Report each token's log-probability and this many top alternatives (0: the token's only);
    /// nil: none.
    public var logprobs: Int?
    /// Keep generating past end-of-sequence tokens.
    public var ignoreEOS: Bool

    public init(
        temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, seed: Int64? = nil, maxTokens: Int? = nil,
        stop: [String] = [], stopTokenIDs: [Int32] = [], logprobs: Int? = nil, ignoreEOS: Bool = false
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
