// The knobs of the scheduler: the per-step token budget, how many requests may run and wait, the
// S-LoRA first-token SLO for early abort, adapter prefetch, and the separate-pools ablation.

/// Settings of one ``Scheduler``.
public struct SchedulerConfiguration: Sendable, Equatable {
    /// Most tokens one step may run (vLLM `max_num_batched_tokens`); long prompts are cut into chunks.
    public var stepTokenBudget: Int
    /// Most requests in the running batch (vLLM `max_num_seqs`).
    public var maxRunningRequests: Int
    /// Most requests waiting to start; ``Scheduler/add(_:)`` refuses more (nil: no bound).
    public var maxWaitingRequests: Int?
    /// Most distinct adapters one step may use (vLLM `max_loras`); nil: as many as pages allow.
    public var maxAdaptersPerStep: Int?
    /// S-LoRA early abort: a request that has produced no token yet and can no longer get its first
    /// token within this time of its arrival is dropped from the queue (nil: never).
    public var timeToFirstTokenSLO: Duration?
    /// Load the adapters of waiting requests into free pages ahead of their admission.
    public var prefetchAdapters: Bool
    /// Ablation of S-LoRA's unified paging ("separate pools"): this many pages hold adapters only and the
    /// rest KV only, neither lending to the other, as with a fixed adapter memory region beside the KV
    /// cache. nil (the default): one unified pool.
    public var adapterPageShare: Int?

    public init(
        stepTokenBudget: Int = 512, maxRunningRequests: Int = 256, maxWaitingRequests: Int? = nil,
        maxAdaptersPerStep: Int? = nil, timeToFirstTokenSLO: Duration? = nil, prefetchAdapters: Bool = true,
        adapterPageShare: Int? = nil
    ) {
        precondition(stepTokenBudget >= 1 && maxRunningRequests >= 1)
        precondition(maxWaitingRequests.map { $0 >= 0 } ?? true && maxAdaptersPerStep.map { $0 >= 1 } ?? true)
        self.stepTokenBudget = stepTokenBudget
        self.maxRunningRequests = maxRunningRequests
        self.maxWaitingRequests = maxWaitingRequests
        self.maxAdaptersPerStep = maxAdaptersPerStep
        self.timeToFirstTokenSLO = timeToFirstTokenSLO
        self.prefetchAdapters = prefetchAdapters
        precondition(adapterPageShare.map { $0 >= 0 } ?? true)
        self.adapterPageShare = adapterPageShare
    }
}
