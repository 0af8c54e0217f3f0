// N tensor-parallel ranks in one process, each on its own thread: the shared state of their in-memory
// collectives (a reusable barrier and the buffers each rank posts), and `run`, which starts one thread
// per rank. The CI oracle of tensor parallelism; a GPU build replaces it with NCCL communicators.

import Foundation

/// The shared side of `worldSize` in-process ranks; each rank talks through `endpoint(rank:)`.
///
/// ```swift
/// let group = InProcessCollectiveGroup(worldSize: 2)
/// let logits = group.run { rank in models[rank].forward(step: step, adapters: batch, pool: pools[rank]) }
/// ```
/// Every rank must reach every collective (a rank that skips one leaves the others waiting).
public final class InProcessCollectiveGroup: @unchecked Sendable {
    public let worldSize: Int
    /// Guards `buffers` and `counts`.
    private let condition = NSCondition()
    private let rankBarrier: RankBarrier
    /// [worldSize] the tensor each rank posted for the collective in progress.
    private var buffers: [UnsafeMutablePointer<Float>?]
    /// [worldSize] the element count each rank posted (must agree).
    private var counts: [Int]

    public init(worldSize: Int) {
        precondition(worldSize >= 1)
        self.worldSize = worldSize
        rankBarrier = RankBarrier(count: worldSize)
        buffers = Array(repeating: nil, count: worldSize)
        counts = Array(repeating: 0, count: worldSize)
    }

    /// Rank `rank`'s collective.
    public func endpoint(rank: Int) -> InProcessCollective {
        InProcessCollective(group: self, rank: rank)
    }

    // MARK: - Running ranks

    /// Runs `body(rank)` for every rank at once, rank 0 on the calling thread and the others on threads
    /// of their own (so a barrier never waits on a rank that is not running), and returns the results
    /// in rank order once all have finished.
    public func run<T>(_ body: @Sendable (Int) -> T) -> [T] {
        let results = RankResults<T>(count: worldSize)
        withoutActuallyEscaping(body) { body in
            let done = DispatchSemaphore(value: 0)
            // The threads reach `body` through a box emptied before this block ends: a finished `Thread`
            // may keep its block alive a little longer, and `body` must not outlive this call.
            let box = RankBody(body)
            for rank in 1..<max(worldSize, 1) {
                let thread = Thread {
                    results.set(rank, box.call(rank))
                    done.signal()
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            results.set(0, body(0))
            for _ in 1..<max(worldSize, 1) { done.wait() }
            box.clear()
        }
        return results.values()
    }

    // MARK: - All-reduce

    /// Sum over ranks of `count` elements at `pointer`, in place on every rank.
    ///
    /// Reduce-scatter then write-back: rank r alone reads and writes element chunk r of every posted
    /// buffer (adding in rank order 0, 1, …, so all ranks end bit-identical), between two barriers.
    func allReduceSum(rank: Int, pointer: UnsafeMutablePointer<Float>, count: Int) {
        if worldSize == 1 { return }
        condition.lock()
        buffers[rank] = pointer
        counts[rank] = count
        condition.unlock()
        barrier()
        let posted = condition.withLock { (buffers.map { $0! }, counts) }
        precondition(posted.1.allSatisfy { $0 == count }, "ranks disagree on the all-reduce size: \(posted.1)")
        let lo = rank * count / worldSize
        let hi = (rank + 1) * count / worldSize
        let sources = posted.0
        for i in lo..<hi {
            var sum = sources[0][i]
            for q in 1..<worldSize { sum += sources[q][i] }
            for q in 0..<worldSize { sources[q][i] = sum }
        }
        barrier()
    }

    private func barrier() { rankBarrier.wait() }
}

/// Per-rank results written by the rank threads (each writes its own index once).
private final class RankResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ rank: Int, _ value: T) { lock.withLock { slots[rank] = value } }

    func values() -> [T] { lock.withLock { slots.map { $0! } } }
}

/// The rank body handed to the rank threads; `run` waits for them, then clears it.
private final class RankBody<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var body: ((Int) -> T)?

    init(_ body: @escaping @Sendable (Int) -> T) { self.body = body }

    func call(_ rank: Int) -> T { lock.withLock { body! }(rank) }

    func clear() { lock.withLock { body = nil } }
}
