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
    /// Pool pages in total, in use (KV and adapters), and held by resident adapters
    /// (`slora:pool_pages_total`, `slora:pool_pages_used`, `slora:pool_adapter_pages`): with no request
    /// live, used minus adapter pages is the KV pages not back in the free list.
    public var pageCount: Int
    public var usedPageCount: Int
    public var adapterPageCount: Int
    /// Requests admitted and not yet ended (`slora:live_requests`).
    public var liveRequestCount: Int
    /// Preemptions so far (`vllm:num_preemptions_total`).
    public var preemptionCount: Int

    public init(
        runningRequestCount: Int = 0, waitingRequestCount: Int = 0, kvCacheUsage: Double = 0,
        runningAdapters: [String] = [], waitingAdapters: [String] = [], maxAdaptersPerBatch: Int = 0,
        pageCount: Int = 0, usedPageCount: Int = 0, adapterPageCount: Int = 0, liveRequestCount: Int = 0,
        preemptionCount: Int = 0
    ) {
        self.runningRequestCount = runningRequestCount
        self.waitingRequestCount = waitingRequestCount
        self.kvCacheUsage = kvCacheUsage
        self.runningAdapters = runningAdapters
        self.waitingAdapters = waitingAdapters
        self.maxAdaptersPerBatch = maxAdaptersPerBatch
        self.pageCount = pageCount
        self.usedPageCount = usedPageCount
        self.adapterPageCount = adapterPageCount
        self.liveRequestCount = liveRequestCount
        self.preemptionCount = preemptionCount
    }
}
