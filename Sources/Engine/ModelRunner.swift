// Runs one SchedulerOutput on the model: copies adapters that became resident into their pool pages,
// builds the step's StepBatch and AdapterBatch from the chunks, runs LlamaModel.forward, and samples one
// token for each chunk that reaches its request's end. Holds the host copy of every loaded adapter.
// Decides nothing: the scheduler already did.

import Adapters
import Backend
import Llama
import MemoryPool

/// Executes scheduler decisions on one model and its pool tensor. Single owner (the engine thread).
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

    public let model: LlamaModel<B>
    /// The unified pool: `pageCount · elementsPerPage` elements of KV and adapter pages.
    public let poolTensor: B.Tensor
    /// Host copies of every loaded adapter (S-LoRA keeps all of them in host memory).
    private var hostAdapters: [AdapterID: LoRAAdapter] = [:]

    public init(model: LlamaModel<B>, pageCount: Int) {
        self.model = model
        self.poolTensor = model.backend.makePool(pageCount: pageCount, geometry: model.geometry)
    }

    // MARK: - Adapters

    public func register(_ adapter: LoRAAdapter, as id: AdapterID) {
        precondition(adapter.layout.layerCount == model.config.layerCount, "adapter for another model")
        hostAdapters[id] = adapter
    }

    /// Forgets the host copy of a released adapter.
    public func drop(_ id: AdapterID) { hostAdapters[id] = nil }

    public func adapter(_ id: AdapterID) -> LoRAAdapter? { hostAdapters[id] }

    /// Adapters held in host memory.
    public var hostAdapterCount: Int { hostAdapters.count }

    // MARK: - Steps

    /// Runs `output` and returns the token sampled for each chunk that samples.
    /// - Parameter options: the sampling settings of a sampling chunk.
    public func execute(
        _ output: SchedulerOutput, options: (SchedulerOutput.Chunk) -> RowOptions
    ) -> [RequestID: SampledToken] {
        let backend = model.backend
        for released in output.releasedAdapters { drop(released) }
        for (id, pages) in output.adaptersToLoad {
            guard let adapter = hostAdapters[id] else { preconditionFailure("\(id) has no host copy") }
            backend.writeAdapter(adapter.stream, pages: pages, pool: poolTensor, geometry: model.geometry)
        }
        guard !output.chunks.isEmpty else { return [:] }

        let (step, adapters) = makeBatches(output)
        let logits = model.forward(step: step, adapters: adapters, pool: poolTensor)  // [rows, V]
        let samplers = output.chunks.filter(\.samples)
        guard !samplers.isEmpty else { return [:] }
        let rows = samplers.map(options)
        let vocabulary = model.config.vocabularySize
        let tokens = backend.sample(
            logits, vocabularySize: vocabulary,
            rows: rows.enumerated().map { i, row in
                var sampling = row.sampling
                sampling.step = samplers[i].generatedCount
                return sampling
            })
        var result: [RequestID: SampledToken] = [:]
        // Log-probabilities come from the raw logits on the host; only steps that need them download.
        let host = rows.contains { $0.logprobs != nil } ? backend.download(logits, count: rows.count * vocabulary) : []
        for (i, chunk) in samplers.enumerated() {
            guard let topCount = rows[i].logprobs else {
                result[chunk.request] = SampledToken(token: tokens[i])
                continue
            }
            result[chunk.request] = host.withUnsafeBufferPointer { all in
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
                    guard let adapter = hostAdapters[id], let pages = output.adapterPages[id] else {
                        preconditionFailure("\(id) is not resident")
                    }
                    slot = Int32(slots.count)
                    slotOf[id] = slot
                    slots.append(AdapterBatch.Slot(layout: adapter.layout, scalings: adapter.scalings, pages: pages))
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
        return (step, AdapterBatch(tokenSlots: tokenSlots, slots: slots, layerCount: model.config.layerCount))
    }
}
