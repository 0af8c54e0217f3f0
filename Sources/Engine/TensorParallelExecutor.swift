// The tensor-parallel StepExecutor: the ranks of a TensorParallelRunner (one persistent thread per
// rank, one GPU per rank on CUDA), each with its own LlamaModel shard, pool and load-ready adapter
// shards. Every step hands the same StepBatch and AdapterBatch to all ranks at once; rank 0 samples.

import Adapters
import Backend
import Checkpoint
import Llama
import MemoryPool

/// `worldSize` ranks driven by one scheduler. Single owner (the engine thread).
///
/// ```swift
/// let group = InProcessCollectiveGroup(worldSize: 2)
/// let executor = try TensorParallelExecutor<CPUBackend>(config: config, worldSize: 2, pageCount: { _ in 1024 }) { rank in
///     try LlamaModel(config: config, source: checkpoint, backend: CPUBackend(), collective: group.endpoint(rank: rank))
/// }
/// let core = EngineCore(executor: executor, scheduler: SchedulerConfiguration(), tokenizer: nil)
/// ```
public final class TensorParallelExecutor<B: ComputeBackend>: StepExecutor {
    public typealias Backend = B

    public let runner: TensorParallelRunner<B>
    public let config: LlamaConfiguration
    public let geometry: PageGeometry
    public let pageCount: Int
    /// [worldSize] each rank's load-ready shards, touched on that rank's thread (and read by the owner
    /// between steps, when no rank job runs).
    private let copies: [RankCopies<B.HostAdapter>]
    private var stopped = false

    /// Drives ranks already built, every one with a pool of `pageCount` pages.
    /// - Precondition: every rank runs the same configuration with the same pool geometry.
    public init(runner: TensorParallelRunner<B>, pageCount: Int) {
        let shapes = runner.perform { ($0.model.config, $0.model.geometry) }
        precondition(
            shapes.allSatisfy { $0 == shapes[0] }, "the ranks of one group run different configurations or geometries")
        self.runner = runner
        self.config = shapes[0].0
        self.geometry = shapes[0].1
        self.pageCount = pageCount
        self.copies = (0..<runner.worldSize).map { _ in RankCopies() }
    }

    /// Builds `worldSize` ranks of `config`, rank r on its own thread: its model from `makeModel(r)`
    /// (the shard of rank r, with its collective), then its pool. Ranks are built in order, and the pool
    /// size is decided once, by `pageCount(model)` on rank 0's model (e.g. from the memory its weights
    /// left free); every rank's pool gets that many pages.
    /// - Throws: `TensorParallelError` when `config` does not split over `worldSize` ranks (before any
    ///   thread starts), or what `makeModel` / `pageCount` throw (the ranks built so far are released).
    public convenience init(
        config: LlamaConfiguration, worldSize: Int, threadName: String = "slora-rank",
        pageCount: (LlamaModel<B>) throws -> Int, makeModel: (_ rank: Int) throws -> LlamaModel<B>
    ) throws {
        try config.validateTensorParallel(worldSize: worldSize)
        var pages = 0  // written by rank 0's builder, read by the later ones (built one after another)
        let runner = try TensorParallelRunner<B>(worldSize: worldSize, threadName: threadName) { rank in
            let model = try makeModel(rank)
            precondition(model.config == config, "rank \(rank) was built with another configuration")
            if rank == 0 { pages = try pageCount(model) }
            return TensorParallelRank(model: model, pool: model.backend.makePool(pageCount: pages, geometry: model.geometry))
        }
        self.init(runner: runner, pageCount: pages)
    }

    deinit { shutdown() }

    public var worldSize: Int { runner.worldSize }
    public var loadCopyCount: Int { copies[0].cache.count }

    // MARK: - Adapters

    public func load(_ loads: [AdapterLoad], overlappingCurrentStep: Bool) {
        guard !loads.isEmpty else { return }
        let copies = self.copies
        _ = runner.perform { rank in
            Self.load(loads, on: rank, copies: copies[rank.rank], overlappingCurrentStep: overlappingCurrentStep)
        }
    }

    /// Rank `rank`'s part of a load: its shard of each adapter into the same pages of its own pool.
    private static func load(
        _ loads: [AdapterLoad], on rank: TensorParallelRank<B>, copies: RankCopies<B.HostAdapter>,
        overlappingCurrentStep: Bool
    ) {
        let backend = rank.backend
        let shard = rank.model.shard
        for load in loads {
            let copy = copies.cache.copy(of: load.adapter, for: load.id) { backend.makeHostAdapter($0.shard(shard).stream) }
            backend.loadAdapter(
                copy, pages: load.pages, pool: rank.pool, geometry: rank.model.geometry,
                overlappingCurrentStep: overlappingCurrentStep)
        }
    }

    /// Releases `adapter`'s shards on each rank's own thread (a GPU's pinned copies go with its context).
    public func forget(_ adapter: AdapterID) {
        guard !stopped, copies[0].cache.contains(adapter) else { return }
        let copies = self.copies
        _ = runner.perform { copies[$0.rank].cache.forget(adapter) }
    }

    // MARK: - Steps

    public func run(step: StepBatch, adapters: AdapterBatch, prefetch: [AdapterLoad], rows: [SamplingRow], logits: Bool)
        -> (tokens: [Int32], logits: [Float])
    {
        let copies = self.copies
        return runner.perform { rank -> (tokens: [Int32], logits: [Float]) in
            let output = rank.model.forward(step: step, adapters: adapters, pool: rank.pool)  // [rows, V], the same on every rank
            // Each rank's step touches only the step's KV pages and adapter pages; prefetched pages were free.
            Self.load(prefetch, on: rank, copies: copies[rank.rank], overlappingCurrentStep: true)
            guard rank.rank == 0 else { return ([], []) }
            return rank.model.sampleStep(output, rows: rows, logits: logits)
        }[0]
    }

    // MARK: - Shutdown

    /// Drops every rank's adapter shards on its thread, then releases the ranks and ends their threads.
    public func shutdown() {
        guard !stopped else { return }
        stopped = true
        let copies = self.copies
        _ = runner.perform { copies[$0.rank].cache.removeAll() }
        runner.shutdown()
    }
}

/// One rank's load-ready adapter shards, used on that rank's thread only (see `copies`).
private final class RankCopies<Copy>: @unchecked Sendable {
    var cache = LoadCopyCache<Copy>()
}
