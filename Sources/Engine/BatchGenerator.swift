// Offline batched generation: runs many requests together through one model and one pool with the
// serving engine's own Scheduler and ModelRunner (prefill chunks and decodes share steps under a token
// budget; preemption by recompute when pages run out). Used by `slora generate`, benchmarks and tests.

import Adapters
import Backend
import Llama
import MemoryPool

/// Runs generation requests to completion on one model.
public final class BatchGenerator<B: ComputeBackend> {
    public let model: LlamaModel<B>
    public let scheduler: Scheduler
    public let runner: ModelRunner<B>
    /// The model and its pool.
    public let executor: SingleModelExecutor<B>
    /// Most tokens one step may run (prefill chunks are cut to fit).
    public var stepTokenBudget: Int { scheduler.configuration.stepTokenBudget }
    public var pool: PagePool { scheduler.pool }
    public var poolTensor: B.Tensor { executor.pool }
    public var adapters: AdapterResidency { scheduler.adapters }

    private var adapterIDs: [String: AdapterID] = [:]
    private var nextAdapterID = 0
    private var nextRequestID = 0

    public init(model: LlamaModel<B>, pageCount: Int, stepTokenBudget: Int = 256) {
        self.model = model
        self.scheduler = Scheduler(
            configuration: SchedulerConfiguration(stepTokenBudget: max(1, stepTokenBudget), maxRunningRequests: .max),
            geometry: model.geometry, pageCount: pageCount)
        self.executor = SingleModelExecutor(model: model, pageCount: pageCount)
        self.runner = ModelRunner(executor: executor)
    }

    /// Registers `adapter` under its name (replacing an adapter of the same name).
    public func register(_ adapter: LoRAAdapter) {
        if let old = adapterIDs[adapter.name] { scheduler.retireAdapter(old) }
        let id = AdapterID(nextAdapterID)
        nextAdapterID += 1
        adapterIDs[adapter.name] = id
        let layout = runner.register(adapter, as: id)
        scheduler.registerAdapter(id, elementCount: layout.elementCount)
    }

    /// Generates for every request; returns the generated ids of each, in request order.
    public func generate(_ requests: [GenerationRequest]) throws(EngineError) -> [[Int32]] {
        let vocab = model.config.vocabularySize
        var ids: [RequestID] = []
        for r in requests {
            if r.prompt.isEmpty { throw .emptyPrompt }
            if let bad = r.prompt.first(where: { $0 < 0 || Int($0) >= vocab }) {
                throw .tokenOutOfRange(token: bad, vocabularySize: vocab)
            }
            if let name = r.adapter, adapterIDs[name] == nil { throw .unknownAdapter(name) }
            let need = scheduler.pagesToRunAlone(
                tokenCount: r.prompt.count + r.maxTokens, adapter: r.adapter.flatMap { adapterIDs[$0] })
            if need > pool.pageCount { throw .doesNotFit(needPages: need, poolPages: pool.pageCount) }
        }
        let now = ContinuousClock.now
        var index: [RequestID: Int] = [:]
        for (i, r) in requests.enumerated() {
            let id = RequestID(nextRequestID)
            nextRequestID += 1
            do {
                try scheduler.add(
                    SchedulerRequest(
                        id: id, prompt: r.prompt, adapter: r.adapter.flatMap { adapterIDs[$0] }, maxTokens: r.maxTokens,
                        arrival: now))
            } catch {
                preconditionFailure("checked above: \(error)")
            }
            ids.append(id)
            index[id] = i
        }
        var results = [[Int32]](repeating: [], count: requests.count)
        while scheduler.hasWork {
            let output = scheduler.schedule(now: now)
            precondition(!output.isEmpty, "every request fits alone, so a step always runs something")
            let sampled = runner.execute(output) { chunk in
                ModelRunner.RowOptions(sampling: requests[index[chunk.request]!].sampling)
            }
            scheduler.update(output, sampled: sampled.mapValues(\.token))
            for (id, token) in sampled {
                let i = index[id]!
                results[i].append(token.token)
                if results[i].count >= requests[i].maxTokens || requests[i].stopTokens.contains(token.token) {
                    scheduler.finish(id)
                }
            }
        }
        return results
    }
}
