// Runs one SchedulerOutput on the model: copies adapters that became resident into their pool pages,
// builds the step's StepBatch and AdapterBatch from the chunks, runs LlamaModel.forward, and samples one
// token for each chunk that reaches its request's end. Holds the host copy of every loaded adapter and
// the backend's load-ready copy (pinned on a GPU). Adapters the step uses are loaded before it; adapters
// prefetched for queued requests are loaded after the step is queued, so the copy overlaps the step.
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
    /// The backend's load-ready copy of each stream, made at first load and shared by adapters whose
    /// streams share storage (copies of one adapter); keyed by the stream's storage address.
    private var loadCopies: [StreamKey: (copy: B.HostAdapter, users: Set<AdapterID>)] = [:]
    private var loadCopyOf: [AdapterID: StreamKey] = [:]

    /// Identity of an adapter stream's storage (valid while `hostAdapters` holds the array).
    struct StreamKey: Hashable {
        let address: UInt
        let count: Int
    }

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
    public func drop(_ id: AdapterID) {
        hostAdapters[id] = nil
        guard let key = loadCopyOf.removeValue(forKey: id) else { return }
        loadCopies[key]?.users.remove(id)
        if loadCopies[key]?.users.isEmpty ?? false { loadCopies[key] = nil }
    }

    /// The backend's load-ready copy of `id`'s stream (made on first use).
    func loadCopy(_ id: AdapterID) -> B.HostAdapter {
        guard let adapter = hostAdapters[id] else { preconditionFailure("\(id) has no host copy") }
        if let key = loadCopyOf[id], let entry = loadCopies[key] { return entry.copy }
        let key = adapter.stream.withUnsafeBufferPointer {
            StreamKey(address: UInt(bitPattern: $0.baseAddress), count: $0.count)
        }
        if var entry = loadCopies[key] {
            entry.users.insert(id)
            loadCopies[key] = entry
            loadCopyOf[id] = key
            return entry.copy
        }
        let copy = model.backend.makeHostAdapter(adapter.stream)
        loadCopies[key] = (copy, [id])
        loadCopyOf[id] = key
        return copy
    }

    /// Load-ready copies held (distinct streams).
    public var loadCopyCount: Int { loadCopies.count }

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
        // Adapters this step uses load before it; prefetched ones (queued requests) after it is queued.
        let used = output.adaptersToLoad.filter { output.adapterPages[$0.0] != nil }
        let prefetched = output.adaptersToLoad.filter { output.adapterPages[$0.0] == nil }
        for (id, pages) in used {
            backend.loadAdapter(loadCopy(id), pages: pages, pool: poolTensor, geometry: model.geometry, overlappingCurrentStep: false)
        }
        guard !output.chunks.isEmpty else {
            loadPrefetched(prefetched, overlapping: false)
            return [:]
        }

        let (step, adapters) = makeBatches(output)
        let logits = model.forward(step: step, adapters: adapters, pool: poolTensor)  // [rows, V]
        // The step touches only its own KV pages and its adapters' pages; prefetched pages were free.
        loadPrefetched(prefetched, overlapping: true)
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

    private func loadPrefetched(_ loads: [(adapter: AdapterID, pages: [PageIndex])], overlapping: Bool) {
        for (id, pages) in loads {
            model.backend.loadAdapter(
                loadCopy(id), pages: pages, pool: poolTensor, geometry: model.geometry, overlappingCurrentStep: overlapping)
        }
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
