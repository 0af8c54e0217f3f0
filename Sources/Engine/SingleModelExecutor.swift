// The one-rank StepExecutor: one LlamaModel and its unified pool, run on the calling thread (the
// engine's) with no communication, no thread hop and no copy beyond what the model itself does.

import Adapters
import Backend
import Checkpoint
import Llama
import MemoryPool

/// One whole model and its pool. Single owner (the engine thread).
public final class SingleModelExecutor<B: ComputeBackend>: StepExecutor {
    public typealias Backend = B

    public let model: LlamaModel<B>
    /// The unified pool: `pageCount · geometry.elementsPerPage` elements of KV and adapter pages.
    public let pool: B.Tensor
    public let pageCount: Int
    private var copies = LoadCopyCache<B.HostAdapter>()

    /// Makes the pool of `pageCount` pages on the model's backend.
    /// - Precondition: `model` is a whole model (`model.shard.isSingle`); ranks go to `TensorParallelExecutor`.
    public init(model: LlamaModel<B>, pageCount: Int) {
        precondition(model.shard.isSingle, "\(model.shard) of a tensor-parallel group needs a TensorParallelExecutor")
        self.model = model
        self.pageCount = pageCount
        self.pool = model.backend.makePool(pageCount: pageCount, geometry: model.geometry)
    }

    public var config: LlamaConfiguration { model.config }
    public var geometry: PageGeometry { model.geometry }
    public var worldSize: Int { 1 }
    public var loadCopyCount: Int { copies.count }

    // MARK: - Adapters

    public func load(_ loads: [AdapterLoad], overlappingCurrentStep: Bool) {
        let backend = model.backend
        for load in loads {
            let copy = copies.copy(of: load.adapter, for: load.id) { backend.makeHostAdapter($0.stream) }
            backend.loadAdapter(
                copy, pages: load.pages, pool: pool, geometry: model.geometry, overlappingCurrentStep: overlappingCurrentStep)
        }
    }

    public func forget(_ adapter: AdapterID) { copies.forget(adapter) }

    // MARK: - Steps

    public func run(step: StepBatch, adapters: AdapterBatch, prefetch: [AdapterLoad], rows: [SamplingRow], logits: Bool)
        -> (tokens: [Int32], logits: [Float])
    {
        let output = model.forward(step: step, adapters: adapters, pool: pool)  // [rows, V]
        // The step touches only its own KV pages and its adapters' pages; prefetched pages were free.
        load(prefetch, overlappingCurrentStep: true)
        return model.sampleStep(output, rows: rows, logits: logits)
    }

    public func shutdown() { copies.removeAll() }
}
