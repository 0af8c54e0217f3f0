// Settings of one serving engine: the model's served name and context, the pool size, the scheduler's
// knobs, the queue bound, sampling defaults and where runtime adapter loads may read from.

/// Configuration of an ``EngineLoop``.
public struct EngineConfiguration: Sendable {
    /// The name clients use for the base model.
    public var servedModelName: String
    /// The base model's path (reported as its `root`).
    public var modelPath: String
    /// Pages in the unified pool.
    public var pageCount: Int
    /// Longest prompt + generation, in tokens (at most the model's position limit).
    public var maxModelLength: Int
    public var scheduler: SchedulerConfiguration
    /// Most requests waiting to start; further submissions get `queueFull` (nil: no bound).
    public var maxQueueLength: Int?
    /// `retry-after` seconds sent with load-shedding refusals and early aborts.
    public var retryAfterSeconds: Int
    /// Temperature when a request sends none (vLLM: 1).
    public var defaultTemperature: Double
    /// Where runtime loads may read from.
    public var adapterPaths: AdapterPathPolicy

    public init(
        servedModelName: String, modelPath: String, pageCount: Int, maxModelLength: Int,
        scheduler: SchedulerConfiguration = SchedulerConfiguration(), maxQueueLength: Int? = nil,
        retryAfterSeconds: Int = 1, defaultTemperature: Double = 1, adapterPaths: AdapterPathPolicy = AdapterPathPolicy(root: nil)
    ) {
        self.servedModelName = servedModelName
        self.modelPath = modelPath
        self.pageCount = pageCount
        self.maxModelLength = maxModelLength
        self.scheduler = scheduler
        self.maxQueueLength = maxQueueLength
        self.retryAfterSeconds = retryAfterSeconds
        self.defaultTemperature = defaultTemperature
        self.adapterPaths = adapterPaths
    }
}
