// The ranks of one tensor-parallel model, each on its own persistent thread (one per GPU): each owns
// its LlamaModel shard, backend and pool; every step is handed to all ranks at once (one StepBatch and
// one AdapterBatch for all) and rank 0's logits / sampled ids are the result. Names no device: the
// caller builds each rank (backend, collective, weights) in `makeRank`, on that rank's thread.

import Adapters
import Backend
import Foundation
import MemoryPool

/// One rank's model and pool. Used only on its rank's thread.
public final class TensorParallelRank<B: ComputeBackend> {
    public let model: LlamaModel<B>
    /// This rank's unified pool (K/V of its heads, its adapter shards), `pageCount · geometry.elementsPerPage`.
    public let pool: B.Tensor
    /// Anything else the rank must keep alive and release on its thread (e.g. its device context).
    public let resources: [AnyObject]

    public init(model: LlamaModel<B>, pool: B.Tensor, resources: [AnyObject] = []) {
        self.model = model
        self.pool = pool
        self.resources = resources
    }

    public var rank: Int { model.shard.rank }
    public var backend: B { model.backend }
}

/// `worldSize` ranks on `worldSize` persistent threads.
///
/// ```swift
/// let runner = try TensorParallelRunner<CUDAComputeBackend>(worldSize: 2) { rank in
///     // runs on rank `rank`'s thread: open GPU `rank`, its backend, collective, weights and pool
/// }
/// let ids = runner.forwardAndSample(step: step, adapters: batch, rows: rows)
/// runner.shutdown()
/// ```
/// Single owner: call it from one thread at a time (the engine's).
public final class TensorParallelRunner<B: ComputeBackend>: @unchecked Sendable {
    public let worldSize: Int
    private let threads: [RankThread]
    /// [worldSize] each rank's state, read and released only on that rank's thread.
    private let slots: [RankSlot<B>]
    private var stopped = false

    /// Starts the threads and builds rank r on thread r with `makeRank(r)`, rank 0 first, one rank at a
    /// time (so a builder may compile or cache kernels without racing another rank). If a builder
    /// throws, the ranks already built are released on their threads and the error is rethrown.
    public init(worldSize: Int, threadName: String = "slora-rank", makeRank: (Int) throws -> TensorParallelRank<B>) throws {
        precondition(worldSize >= 1, "a tensor-parallel group needs at least one rank")
        self.worldSize = worldSize
        threads = (0..<worldSize).map { RankThread(name: "\(threadName)-\($0)") }
        slots = (0..<worldSize).map { _ in RankSlot<B>() }
        for rank in 0..<worldSize {
            let built: Result<TensorParallelRank<B>, any Error> = withoutActuallyEscaping(makeRank) { makeRank in
                let box = UncheckedBox(makeRank)
                defer { box.clear() }
                return runOn(rank) { Result { try box.value(rank) } }
            }
            switch built {
            case .success(let state):
                precondition(
                    state.model.shard.worldSize == worldSize && state.model.shard.rank == rank,
                    "rank \(rank) of \(worldSize) built a model of \(state.model.shard)")
                slots[rank].state = state
            case .failure(let error):
                shutdown()
                throw error
            }
        }
    }

    deinit { shutdown() }

    // MARK: - Running on every rank

    /// Runs `body` on every rank's thread at once and returns the results in rank order once all have
    /// finished. Collectives inside `body` meet because every rank runs it concurrently.
    public func perform<T>(_ body: (TensorParallelRank<B>) -> T) -> [T] {
        precondition(!stopped, "perform on a stopped tensor-parallel runner")
        let results = RankResults<T>(count: worldSize)
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            let group = DispatchGroup()
            for rank in 0..<worldSize {
                group.enter()
                let slot = slots[rank]
                threads[rank].post {
                    guard let state = slot.state else { preconditionFailure("rank \(rank) was never built") }
                    results.set(rank, box.value(state))
                    group.leave()
                }
            }
            group.wait()
            box.clear()
        }
        return results.values()
    }

    /// Runs `body` on rank `rank`'s thread alone and returns its result.
    private func runOn<T>(_ rank: Int, _ body: () -> T) -> T {
        let results = RankResults<T>(count: 1)
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            let done = DispatchSemaphore(value: 0)
            threads[rank].post {
                results.set(0, box.value())
                done.signal()
            }
            done.wait()
            box.clear()
        }
        return results.values()[0]
    }

    // MARK: - Steps

    /// Runs one step on every rank and returns rank 0's logits of `step.logitRows` on the host,
    /// `[logitRows.count · V]`.
    public func forward(step: StepBatch, adapters: AdapterBatch) -> [Float] {
        perform { rank -> [Float] in
            let logits = rank.model.forward(step: step, adapters: adapters, pool: rank.pool)
            guard rank.rank == 0 else { return [] }
            return rank.backend.download(logits, count: step.logitRows.count * rank.model.config.vocabularySize)
        }[0]
    }

    /// Runs one step on every rank and samples one token per logit row on rank 0 (every rank holds the
    /// same logits; the others skip sampling).
    public func forwardAndSample(step: StepBatch, adapters: AdapterBatch, rows: [SamplingRow]) -> [Int32] {
        precondition(rows.count == step.logitRows.count, "\(rows.count) sampling rows for \(step.logitRows.count) logit rows")
        return perform { rank -> [Int32] in
            let logits = rank.model.forward(step: step, adapters: adapters, pool: rank.pool)
            guard rank.rank == 0 else { return [] }
            return rank.backend.sample(logits, vocabularySize: rank.model.config.vocabularySize, rows: rows)
        }[0]
    }

    /// Writes each rank's shard of `adapter` (`adapter.shard(model.shard)`) to the same `pages` of every
    /// rank's pool; the pages come from one host `PagePool` sized by the shard's element count
    /// (`shardElementCount(of:)`).
    public func writeAdapter(_ adapter: LoRAAdapter, pages: [PageIndex]) {
        _ = perform { rank in
            let shard = adapter.shard(rank.model.shard)
            rank.backend.writeAdapter(shard.stream, pages: pages, pool: rank.pool, geometry: rank.model.geometry)
        }
    }

    /// The pool elements one rank's shard of `adapter` takes (the same on every rank).
    public func shardElementCount(of adapter: LoRAAdapter) -> Int {
        adapter.shardLayout(worldSize: worldSize).elementCount
    }

    // MARK: - Shutdown

    /// Releases every rank's state on its own thread (all ranks at once, so a collective teardown
    /// can meet) and ends the threads. Idempotent.
    public func shutdown() {
        guard !stopped else { return }
        stopped = true
        let group = DispatchGroup()
        for rank in 0..<worldSize {
            group.enter()
            let slot = slots[rank]
            threads[rank].post {
                slot.state = nil
                group.leave()
            }
        }
        group.wait()
        for thread in threads { thread.stop() }
    }
}

/// A rank's state holder, touched only on that rank's thread (and by `init` before any step).
private final class RankSlot<B: ComputeBackend>: @unchecked Sendable {
    var state: TensorParallelRank<B>?
}

/// Per-rank results written by the rank threads (each writes its own index once).
private final class RankResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var values_: [T?]

    init(count: Int) { values_ = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) { lock.withLock { values_[index] = value } }

    func values() -> [T] { lock.withLock { values_.map { $0! } } }
}

/// A non-Sendable closure handed to rank threads while its owner waits for them; emptied before the
/// owner returns (a finished job may keep the box alive a little longer, never the closure).
private final class UncheckedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    init(_ value: T) { stored = value }

    var value: T { lock.withLock { stored! } }

    func clear() { lock.withLock { stored = nil } }
}
