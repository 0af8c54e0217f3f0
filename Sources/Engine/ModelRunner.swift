// Runs one SchedulerOutput on a StepExecutor (one model, or the ranks of a tensor-parallel group):
// has the adapters that became resident copied into their pool pages, builds the step's StepBatch and
// AdapterBatch from the chunks (one of each for every rank), runs the forward pass, and samples one
// token for each chunk that reaches its request's end. Holds the host copy of every loaded adapter.
// Adapters the step uses are loaded before it; adapters prefetched for queued requests are loaded after
// the step is queued, so the copy overlaps the step. Decides nothing: the scheduler already did.

import Adapters
import Backend
import Llama
import MemoryPool

/// Executes scheduler decisions on a model's executor. Single owner (the engine thread).
public final class ModelRunner<B: ComputeBackend> {
    /// How to sample one chunk's next token.
    public struct RowOptions: Sendable {
        public var sampling: SamplingRow
        /// Top alternatives to report with the token's log-probability; nil: no log-probabilities.
        public var logprobs: Int?

        public init(sampling: SamplingRow, logprobs: Int? = nil) {
            self.sampling = sampling
            self.logprobs = logprobs
        }
    }

    /// What runs the steps: one model and its pool, or every rank of a tensor-parallel group.
    public let executor: any StepExecutor<B>
    /// Host copies of every loaded adapter (S-LoRA keeps all of them in host memory) and the layout of
    /// each in the pool pages (its tensor-parallel shard's; the adapter's own on one rank).
    private var hostAdapters: [AdapterID: (adapter: LoRAAdapter, layout: AdapterStreamLayout)] = [:]
    private let layerCount: Int
    private let vocabularySize: Int

    public init(executor: any StepExecutor<B>) {
        self.executor = executor
        layerCount = executor.config.layerCount
        vocabularySize = executor.config.vocabularySize
    }

    /// One model with a pool of `pageCount` pages (`SingleModelExecutor`).
    public convenience init(model: LlamaModel<B>, pageCount: Int) {
        self.init(executor: SingleModelExecutor(model: model, pageCount: pageCount))
    }

    // MARK: - Adapters

    /// Keeps `adapter`'s host copy under `id`.
    /// - Returns: its layout in the pool pages, whose `elementCount` sizes its pages on every rank.
    @discardableResult
    public func register(_ adapter: LoRAAdapter, as id: AdapterID) -> AdapterStreamLayout {
        precondition(adapter.layout.layerCount == layerCount, "adapter for another model")
        let layout = executor.poolLayout(of: adapter)
        hostAdapters[id] = (adapter, layout)
        return layout
    }

    /// Forgets the host copy of a released adapter.
    public func drop(_ id: AdapterID) {
        hostAdapters[id] = nil
        executor.forget(id)
    }

    /// Load-ready copies held (distinct streams).
    public var loadCopyCount: Int { executor.loadCopyCount }

    public func adapter(_ id: AdapterID) -> LoRAAdapter? { hostAdapters[id]?.adapter }

    /// Adapters held in host memory.
    public var hostAdapterCount: Int { hostAdapters.count }

    // MARK: - Steps

    /// Runs `output` and returns the token sampled for each chunk that samples.
    /// - Parameter options: the sampling settings of a sampling chunk.
    public func execute(
        _ output: SchedulerOutput, options: (SchedulerOutput.Chunk) -> RowOptions
    ) -> [RequestID: SampledToken] {
        for released in output.releasedAdapters { drop(released) }
        // Adapters this step uses load before it; prefetched ones (queued requests) after it is queued.
        var used: [AdapterLoad] = []
        var prefetched: [AdapterLoad] = []
        for (id, pages) in output.adaptersToLoad {
            guard let adapter = hostAdapters[id]?.adapter else { preconditionFailure("\(id) has no host copy") }
            let load = AdapterLoad(id: id, adapter: adapter, pages: pages)
            if output.adapterPages[id] != nil { used.append(load) } else { prefetched.append(load) }
        }
        if !used.isEmpty { executor.load(used, overlappingCurrentStep: false) }
        guard !output.chunks.isEmpty else {
            if !prefetched.isEmpty { executor.load(prefetched, overlappingCurrentStep: false) }
            return [:]
        }

        let (step, adapters) = makeBatches(output)
        let samplers = output.chunks.filter(\.samples)
        let rows = samplers.map(options)
        let sampled = executor.run(
            step: step, adapters: adapters, prefetch: prefetched,
            rows: rows.enumerated().map { i, row in
                var sampling = row.sampling
                sampling.step = samplers[i].generatedCount
                return sampling
            },
            logits: rows.contains { $0.logprobs != nil })
        guard !samplers.isEmpty else { return [:] }
        let tokens = sampled.tokens
        let vocabulary = vocabularySize
        var result: [RequestID: SampledToken] = [:]
        for (i, chunk) in samplers.enumerated() {
            guard let topCount = rows[i].logprobs else {
                result[chunk.request] = SampledToken(token: tokens[i])
                continue
            }
            result[chunk.request] = sampled.logits.withUnsafeBufferPointer { all in
                SampledToken.withLogprobs(
                    token: tokens[i], logits: UnsafeBufferPointer(rebasing: all[(i * vocabulary)..<((i + 1) * vocabulary)]),
                    topCount: topCount)
            }
        }
        return result
    }

    /// The step's token layout and adapter batch. Logit rows: the last token of each sampling chunk.
    func makeBatches(_ output: SchedulerOutput) -> (StepBatch, AdapterBatch) {
        var tokens: [Int32] = []  // [T]
        var positions: [Int32] = []  // [T]
        var tokenSequence: [Int32] = []  // [T]
        var logitRows: [Int32] = []  // [sampling chunks]
        var tokenSlots: [Int32] = []  // [T]
        var slotOf: [AdapterID: Int32] = [:]
        var slots: [AdapterBatch.Slot] = []
        let stride = max(1, output.chunks.map(\.pageTable.count).max() ?? 1)
        var tables = [Int32](repeating: -1, count: stride * output.chunks.count)  // [S, stride]
        for (s, chunk) in output.chunks.enumerated() {
            var slot: Int32 = -1
            if let id = chunk.adapter {
                if let known = slotOf[id] {
                    slot = known
                } else {
                    guard let hosted = hostAdapters[id], let pages = output.adapterPages[id] else {
                        preconditionFailure("\(id) is not resident")
                    }
                    slot = Int32(slots.count)
                    slotOf[id] = slot
                    slots.append(AdapterBatch.Slot(layout: hosted.layout, scalings: hosted.adapter.scalings, pages: pages))
                }
            }
            for (i, token) in chunk.tokens.enumerated() {
                tokens.append(token)
                positions.append(Int32(chunk.startPosition + i))
                tokenSequence.append(Int32(s))
                tokenSlots.append(slot)
            }
            if chunk.samples { logitRows.append(Int32(tokens.count - 1)) }
            for (i, page) in chunk.pageTable.enumerated() { tables[s * stride + i] = page.rawValue }
        }
        let step = StepBatch(
            tokens: tokens, positions: positions, tokenSequence: tokenSequence, pageTables: tables,
            pageTableStride: stride, logitRows: logitRows)
        return (step, AdapterBatch(tokenSlots: tokenSlots, slots: slots, layerCount: layerCount))
    }
}
