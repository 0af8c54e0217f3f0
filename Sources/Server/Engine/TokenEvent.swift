// The engine's per-request output: one event per generated token, then one finish event carrying the
// reason and the token counts.

import OpenAIAPI

// MARK: - TokenEvent

/// One element of the stream ``InferenceEngine/submit(_:)`` returns.
public enum TokenEvent: Sendable, Equatable {
    /// A generated token.
    case token(GeneratedToken)
    /// The last event: why generation ended, the matched stop string / token id (nil on EOS or length),
    /// and the prompt and completion token counts.
    case finished(FinishReason, stopReason: StopReason?, usage: Usage)
}

// MARK: - GeneratedToken

/// One sampled token.
public struct GeneratedToken: Sendable, Equatable {
    /// The token id.
    public var id: Int32
    /// New text this token completes: UTF-8-safe, possibly empty (held back), never part of a stop string.
    public var text: String
    /// Present when the request asked for log-probabilities.
    public var logprob: TokenLogprob?

    public init(id: Int32, text: String, logprob: TokenLogprob? = nil) {
        self.id = id
        self.text = text
        self.logprob = logprob
    }
}
