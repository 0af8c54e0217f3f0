// A request after the submitting task tokenized and checked it: everything the engine thread needs,
// resolved (adapter id, sampling row, stop sets, limits), plus the sink its events go to.

import Backend

/// A tokenized, validated request on its way to the engine thread.
public struct PreparedRequest: Sendable {
    public let id: RequestID
    /// [promptLength] token ids.
    public let prompt: [Int32]
    public let adapter: AdapterID?
    public let maxTokens: Int
    /// Seeded sampling settings (`step` is filled per token).
    public let sampling: SamplingRow
    /// Top alternatives per token, nil: no log-probabilities.
    public let logprobs: Int?
    public let stopStrings: [String]
    public let stopTokenIDs: Set<Int32>
    /// End-of-sequence ids that stop generation (empty with `ignore_eos`).
    public let eosTokenIDs: Set<Int32>
    public let arrival: ContinuousClock.Instant
    public let sink: GenerationSink

    public init(
        id: RequestID, prompt: [Int32], adapter: AdapterID?, maxTokens: Int, sampling: SamplingRow, logprobs: Int?,
        stopStrings: [String], stopTokenIDs: Set<Int32>, eosTokenIDs: Set<Int32>, arrival: ContinuousClock.Instant,
        sink: GenerationSink
    ) {
        self.id = id
        self.prompt = prompt
        self.adapter = adapter
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.logprobs = logprobs
        self.stopStrings = stopStrings
        self.stopTokenIDs = stopTokenIDs
        self.eosTokenIDs = eosTokenIDs
        self.arrival = arrival
        self.sink = sink
    }
}
