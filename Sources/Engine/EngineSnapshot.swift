// A copy of the engine thread's state, published after every step for metrics, health and tests.

/// Counters and gauges of one engine at one moment.
public struct EngineSnapshot: Sendable, Equatable {
    /// Requests in the running batch.
    public var runningCount = 0
    /// Requests waiting to start (including submissions the engine thread has not picked up yet).
    public var waitingCount = 0
    /// Requests admitted and not yet ended.
    public var liveRequestCount = 0
    /// Pool pages in use (KV and adapters) and in total.
    public var usedPageCount = 0
    public var pageCount = 0
    /// Pool pages held by resident adapters.
    public var adapterPageCount = 0
    /// Names of adapters used by running / waiting requests, sorted.
    public var runningAdapters: [String] = []
    public var waitingAdapters: [String] = []
    /// Names of adapters resident in the pool, sorted.
    public var residentAdapters: [String] = []
    /// Adapters held in host memory (served plus unloaded ones still in use).
    public var hostAdapterCount = 0
    public var preemptionCount = 0
    public var earlyAbortCount = 0
    /// Steps run so far.
    public var stepCount = 0
    /// Smoothed seconds per step.
    public var stepSecondsEstimate = 0.0
    /// Prompt tokens of waiting requests not yet computed.
    public var waitingTokenCount = 0
    /// Where the steps' time went.
    public var timings = EngineStepTimings()

    public init() {}

    /// Fraction of pool pages in use, 0...1.
    public var poolUsage: Double { pageCount == 0 ? 0 : Double(usedPageCount) / Double(pageCount) }
}
