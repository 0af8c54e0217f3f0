// The log-probability of one generated token and its top alternatives, as the engine reports it. The two
// wire formats (completions' parallel lists, chat's `content` entries) are built from this.

// MARK: - TokenLogprob

/// One generated token's log-probability.
public struct TokenLogprob: Sendable, Equatable {
    /// The token's own text (may be a partial UTF-8 sequence rendered lossily; see `bytes`).
    public var token: String
    /// The token's raw bytes.
    public var bytes: [UInt8]
    /// Natural-log probability of the sampled token.
    public var logprob: Double
    /// The most likely alternatives at this position, most likely first (at most the requested count).
    public var top: [Alternative]

    public init(token: String, bytes: [UInt8], logprob: Double, top: [Alternative] = []) {
        self.token = token
        self.bytes = bytes
        self.logprob = logprob
        self.top = top
    }

    /// One alternative token at a position.
    public struct Alternative: Sendable, Equatable {
        public var token: String
        public var bytes: [UInt8]
        public var logprob: Double

        public init(token: String, bytes: [UInt8], logprob: Double) {
            self.token = token
            self.bytes = bytes
            self.logprob = logprob
        }
    }

    /// JSON has no -inf or NaN; vLLM clamps log-probabilities at -9999.
    static func finite(_ value: Double) -> Double {
        value.isNaN ? -9999 : max(value, -9999)
    }
}
