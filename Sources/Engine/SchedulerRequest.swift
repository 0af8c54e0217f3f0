// What the scheduler knows about a request: its tokens, its adapter and its limits. No sampling
// settings and no text; those stay with the engine's per-request state.

/// A request handed to ``Scheduler/add(_:)``.
public struct SchedulerRequest: Sendable, Equatable {
    public var id: RequestID
    /// [promptLength] token ids, at least one.
    public var prompt: [Int32]
    /// The adapter (one load of it), nil for the base model.
    public var adapter: AdapterID?
    /// Most tokens it may generate; prompt plus this bounds its KV pages.
    public var maxTokens: Int
    /// When the request arrived (the first-token deadline counts from here).
    public var arrival: ContinuousClock.Instant

    public init(id: RequestID, prompt: [Int32], adapter: AdapterID?, maxTokens: Int, arrival: ContinuousClock.Instant) {
        precondition(!prompt.isEmpty && maxTokens >= 1)
        self.id = id
        self.prompt = prompt
        self.adapter = adapter
        self.maxTokens = maxTokens
        self.arrival = arrival
    }
}
