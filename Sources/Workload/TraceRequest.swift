// One request of a serving workload: when it arrives (seconds after the start), which adapter it names
// (nil: the base model), and how many prompt tokens it sends and output tokens it must generate.

/// One request of a workload or a trace.
public struct TraceRequest: Sendable, Equatable, Codable {
    /// Seconds after the benchmark's start.
    public var arrival: Double
    /// Index of the adapter in `0..<adapterCount`; nil for the base model.
    public var adapter: Int?
    /// Prompt tokens, ≥ 1.
    public var promptLength: Int
    /// Tokens to generate (end-of-sequence ignored), ≥ 1.
    public var outputLength: Int

    public init(arrival: Double, adapter: Int?, promptLength: Int, outputLength: Int) {
        self.arrival = arrival
        self.adapter = adapter
        self.promptLength = promptLength
        self.outputLength = outputLength
    }

    enum CodingKeys: String, CodingKey {
        case arrival
        case adapter
        case promptLength = "prompt_len"
        case outputLength = "output_len"
    }
}
