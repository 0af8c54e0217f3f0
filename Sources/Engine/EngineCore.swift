// The serving engine's synchronous core, owned by the engine thread: the scheduler, the model runner
// and the output state of every live request. One `step(now:)` = schedule → run the model → sample →
// turn tokens into events. Deterministic given `now`, so tests drive it directly without threads.

import Adapters
import Backend
import Llama
import MemoryPool
import Tokenization

/// Scheduler + model runner + per-request output. Single owner; not `Sendable`.
public final class EngineCore<B: ComputeBackend> {
    public let scheduler: Scheduler
    public let runner: ModelRunner<B>
    let tokenizer: (any TextTokenizer)?
    /// `retry-after` seconds sent with early aborts.
    let retryAfterSeconds: Int
    private var states: [RequestID: GenerationState] = [:]
    private var adapterNames: [AdapterID: String] = [:]
    public private(set) var stepCount = 0
    /// Time per part of the steps so far (the engine thread adds the snapshot time).
    public var timings = EngineStepTimings()

    /// A core whose steps run on `executor` (one model, or the ranks of a tensor-parallel group); the
    /// scheduler's pool has the executor's page count and geometry, standing for every rank's pool.
    public init(
        executor: any StepExecutor<B>, scheduler configuration: SchedulerConfiguration,
        tokenizer: (any TextTokenizer)?, retryAfterSeconds: Int = 1
    ) {
        self.scheduler = Scheduler(configuration: configuration, geometry: executor.geometry, pageCount: executor.pageCount)
        self.runner = ModelRunner(executor: executor)
        self.tokenizer = tokenizer
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// A core on one model with a pool of `pageCount` pages.
    public convenience init(
        model: LlamaModel<B>, pageCount: Int, scheduler configuration: SchedulerConfiguration,
        tokenizer: (any TextTokenizer)?, retryAfterSeconds: Int = 1
    ) {
        self.init(
            executor: SingleModelExecutor(model: model, pageCount: pageCount), scheduler: configuration,
            tokenizer: tokenizer, retryAfterSeconds: retryAfterSeconds)
    }

    // MARK: - Inputs

    /// Makes a loaded adapter available under `id` (its host copy is kept until released).
    public func registerAdapter(_ adapter: LoRAAdapter, as id: AdapterID) {
        adapterNames[id] = adapter.name
        let layout = runner.register(adapter, as: id)  // its shard's layout under tensor parallelism
        scheduler.registerAdapter(id, elementCount: layout.elementCount)
    }

    /// Unloads `id`: requests already admitted with it finish; its pages and host copy go after them.
    public func retireAdapter(_ id: AdapterID) { scheduler.retireAdapter(id) }

    /// Queues a prepared request. A refusal here (the submitting side checks first) fails its stream.
    public func admit(_ request: PreparedRequest) {
        do {
            try scheduler.add(
                SchedulerRequest(
                    id: request.id, prompt: request.prompt, adapter: request.adapter, maxTokens: request.maxTokens,
                    arrival: request.arrival))
        } catch {
            request.sink.fail(.engineFailed(reason: error.description))
            return
        }
        states[request.id] = GenerationState(request: request, tokenizer: tokenizer)
    }

    /// Drops a request whose client went away; its pages are free when this returns.
    public func cancel(_ id: RequestID) {
        guard let state = states.removeValue(forKey: id) else { return }
        scheduler.finish(id)
        state.request.sink.finish()
    }

    /// Ends every live request with finish reason `abort` (shutdown after the grace period).
    public func abortAll() {
        for id in states.keys.sorted() {
            let state = states.removeValue(forKey: id)!
            scheduler.finish(id)
            state.request.sink.yield(.finished(state.abortFinish()))
            state.request.sink.finish()
        }
    }

    public var liveRequestCount: Int { states.count }

    // MARK: - Stepping

    /// Runs one step. Returns false when there was nothing to do.
    @discardableResult
    public func step(now: ContinuousClock.Instant) -> Bool {
        let scheduleStart = ContinuousClock.now
        let output = scheduler.schedule(now: now)
        timings.scheduleSeconds += scheduleStart.secondsElapsed
        let executeStart = ContinuousClock.now
        for id in output.aborted {
            states.removeValue(forKey: id)?.request.sink.fail(.deadlineExceeded(retryAfterSeconds: retryAfterSeconds))
        }
        for id in output.releasedAdapters { adapterNames[id] = nil }
        let sampled = runner.execute(output) { [states] chunk in
            guard let request = states[chunk.request]?.request else { return ModelRunner.RowOptions(sampling: .greedy) }
            return ModelRunner.RowOptions(sampling: request.sampling, logprobs: request.logprobs)
        }
        timings.executeSeconds += executeStart.secondsElapsed
        let outputStart = ContinuousClock.now
        defer { timings.outputSeconds += outputStart.secondsElapsed }
        if !output.chunks.isEmpty {
            timings.steps += 1
            for chunk in output.chunks {
                if chunk.tokens.count == 1 && chunk.samples && chunk.generatedCount > 0 {
                    timings.decodeTokens += 1
                } else {
                    timings.prefillTokens += chunk.tokens.count
                }
            }
        }
        scheduler.update(output, sampled: sampled.mapValues(\.token))
        for chunk in output.chunks {
            guard let token = sampled[chunk.request], var state = states[chunk.request] else { continue }
            let (event, finish) = state.accept(token)
            let sink = state.request.sink
            sink.yield(.token(event))
            if let finish {
                states[chunk.request] = nil
                scheduler.finish(chunk.request)
                sink.yield(.finished(finish))
                sink.finish()
            } else {
                states[chunk.request] = state
            }
        }
        if !output.isEmpty { stepCount += 1 }
        return !output.isEmpty || !output.aborted.isEmpty
    }

    // MARK: - Observation

    /// The state as metrics and tests see it.
    public func snapshot() -> EngineSnapshot {
        var s = EngineSnapshot()
        s.runningCount = scheduler.running.count
        s.waitingCount = scheduler.waiting.count
        s.liveRequestCount = states.count
        s.usedPageCount = scheduler.pool.usedPageCount
        s.pageCount = scheduler.pool.pageCount
        s.adapterPageCount = scheduler.adapters.residentPageCount
        s.runningAdapters = names(of: scheduler.running)
        s.waitingAdapters = names(of: scheduler.waiting)
        s.residentAdapters = scheduler.adapters.residentIDs.compactMap { adapterNames[$0] }.sorted()
        s.hostAdapterCount = runner.hostAdapterCount
        s.preemptionCount = scheduler.preemptionCount
        s.earlyAbortCount = scheduler.earlyAbortCount
        s.stepCount = stepCount
        s.stepSecondsEstimate = scheduler.stepSecondsEstimate
        s.waitingTokenCount = scheduler.waiting.reduce(0) { $0 + (scheduler.tokens(of: $1)?.count ?? 0) }
        s.timings = timings
        return s
    }

    private func names(of requests: [RequestID]) -> [String] {
        Set(requests.compactMap { scheduler.adapter(of: $0).flatMap { adapterNames[$0] } }).sorted()
    }
}
