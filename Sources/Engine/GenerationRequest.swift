// One offline generation request: a prompt, an optional adapter and how to sample.

import Backend

/// What to generate for one sequence.
public struct GenerationRequest: Sendable {
    /// [promptLength] token ids; at least one.
    public var prompt: [Int32]
    /// The registered adapter's name, or nil for the base model.
    public var adapter: String?
    public var maxTokens: Int
    public var sampling: SamplingRow
    /// Generation stops after any of these ids (the id itself is kept in the output).
    public var stopTokens: Set<Int32>

    public init(
        prompt: [Int32], adapter: String? = nil, maxTokens: Int, sampling: SamplingRow = .greedy,
        stopTokens: Set<Int32> = []
    ) {
        self.prompt = prompt
        self.adapter = adapter
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopTokens = stopTokens
    }
}
