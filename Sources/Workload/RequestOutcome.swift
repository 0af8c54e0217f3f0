// What happened to one benchmark request, in seconds since the benchmark's start: when it was sent,
// when its first token and its last token came back, how many tokens it generated, and whether it
// completed, was aborted by the server (S-LoRA early abort, load shedding) or failed.

/// The measured life of one request.
public struct RequestOutcome: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Equatable, Codable {
        /// Generated all its tokens.
        case completed
        /// Refused or dropped by the server's admission control (counts as missing the SLO).
        case aborted
        /// Any other error (counts as missing the SLO; reported separately).
        case failed
    }

    /// Index in the workload.
    public var index: Int
    public var adapter: Int?
    public var promptLength: Int
    public var outputLength: Int
    /// When the workload asked for it to be sent.
    public var scheduled: Double
    /// When it was actually sent (latencies count from here, as S-LoRA's client does).
    public var sent: Double
    /// When the first generated token arrived; nil when none did.
    public var firstToken: Double?
    /// When the request ended (last token, refusal or error).
    public var finished: Double
    /// Tokens that came back.
    public var generatedTokens: Int
    public var status: Status
    /// The error for aborted and failed requests.
    public var error: String?

    public init(
        index: Int, adapter: Int?, promptLength: Int, outputLength: Int, scheduled: Double, sent: Double,
        firstToken: Double?, finished: Double, generatedTokens: Int, status: Status, error: String? = nil
    ) {
        self.index = index
        self.adapter = adapter
        self.promptLength = promptLength
        self.outputLength = outputLength
        self.scheduled = scheduled
        self.sent = sent
        self.firstToken = firstToken
        self.finished = finished
        self.generatedTokens = generatedTokens
        self.status = status
        self.error = error
    }

    /// Seconds from sending to the last token.
    public var latency: Double { finished - sent }

    /// Seconds from sending to the first token, nil without one.
    public var firstTokenLatency: Double? { firstToken.map { $0 - sent } }
}
