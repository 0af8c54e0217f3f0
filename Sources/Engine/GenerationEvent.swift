// The engine's per-request output stream: one event per generated token, then one finish event with
// the reason and the token counts.

/// One element of a request's event stream.
public enum GenerationEvent: Sendable, Equatable {
    /// A generated token.
    case token(GeneratedTokenOutput)
    /// The last event.
    case finished(GenerationFinish)
}

/// One generated token as the client sees it.
public struct GeneratedTokenOutput: Sendable, Equatable {
    public var id: Int32
    /// New text: UTF-8 complete, possibly empty while text is held back (a split character or a
    /// possible stop-string prefix); never contains a stop string.
    public var text: String
    /// Present when the request asked for log-probabilities.
    public var logprobs: TokenLogprobs?

    public init(id: Int32, text: String, logprobs: TokenLogprobs? = nil) {
        self.id = id
        self.text = text
        self.logprobs = logprobs
    }
}

/// A token's log-probability and its most likely alternatives.
public struct TokenLogprobs: Sendable, Equatable {
    /// One token with its text.
    public struct Entry: Sendable, Equatable {
        public var id: Int32
        /// The token's own text (lossy when it is part of a UTF-8 sequence; see `bytes`).
        public var text: String
        public var bytes: [UInt8]
        public var logprob: Double

        public init(id: Int32, text: String, bytes: [UInt8], logprob: Double) {
            self.id = id
            self.text = text
            self.bytes = bytes
            self.logprob = logprob
        }
    }

    /// The sampled token.
    public var chosen: Entry
    /// Most likely first.
    public var top: [Entry]

    public init(chosen: Entry, top: [Entry]) {
        self.chosen = chosen
        self.top = top
    }
}

/// Why and how a request ended.
public struct GenerationFinish: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        /// End-of-sequence token, stop string or stop token id.
        case stop
        /// `max_tokens` or the context length.
        case length
        /// Aborted by the server (shutdown).
        case abort
    }

    /// The stop string or stop token id that ended generation.
    public enum StopCause: Sendable, Equatable {
        case string(String)
        case tokenID(Int32)
    }

    public var reason: Reason
    /// nil on end-of-sequence, length or abort.
    public var stopCause: StopCause?
    public var promptTokenCount: Int
    public var completionTokenCount: Int

    public init(reason: Reason, stopCause: StopCause?, promptTokenCount: Int, completionTokenCount: Int) {
        self.reason = reason
        self.stopCause = stopCause
        self.promptTokenCount = promptTokenCount
        self.completionTokenCount = completionTokenCount
    }
}
