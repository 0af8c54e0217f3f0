// A snapshot of engine state for the Prometheus gauges vLLM exposes (formats-and-api.md §D.1):
// running/waiting counts, KV-cache usage, and the adapters in use.

// MARK: - EngineStats

/// Returned by ``InferenceEngine/stats()``; read on every `GET /metrics`.
public struct EngineStats: Sendable, Equatable {
    /// Requests in the running batch (`vllm:num_requests_running`).
    public var runningRequestCount: Int
    /// Requests admitted but not yet running (`vllm:num_requests_waiting`).
    public var waitingRequestCount: Int
    /// Fraction of pool pages in use, 0...1 (`vllm:kv_cache_usage_perc`).
    public var kvCacheUsage: Double
    /// Adapters used by running requests (`running_lora_adapters` label).
    public var runningAdapters: [String]
    /// Adapters wanted by waiting requests (`waiting_lora_adapters` label).
    public var waitingAdapters: [String]
    /// Most adapters one batch may use (`max_lora` label).
    public var maxAdaptersPerBatch: Int

    public init(
        runningRequestCount: Int = 0, waitingRequestCount: Int = 0, kvCacheUsage: Double = 0,
        runningAdapters: [String] = [], waitingAdapters: [String] = [], maxAdaptersPerBatch: Int = 0
    ) {
        self.runningRequestCount = runningRequestCount
        self.waitingRequestCount = waitingRequestCount
        self.kvCacheUsage = kvCacheUsage
        self.runningAdapters = runningAdapters
        self.waitingAdapters = waitingAdapters
        self.maxAdaptersPerBatch = maxAdaptersPerBatch
    }
}
