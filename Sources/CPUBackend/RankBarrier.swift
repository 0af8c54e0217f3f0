// A reusable barrier for the ranks of a tensor-parallel group running on threads of one process: the
// in-process collective (CPU ranks) and the host-relay collective of the one-GPU check both meet at it.

import Foundation

/// Blocks each caller of `wait()` until `count` callers have arrived, then lets them all go; reusable.
public final class RankBarrier: @unchecked Sendable {
    public let count: Int
    private let condition = NSCondition()
    /// Callers waiting in the current round; guarded by `condition`.
    private var arrived = 0
    /// Rounds completed; guarded by `condition`.
    private var generation = 0

    public init(count: Int) {
        precondition(count >= 1)
        self.count = count
    }

    /// Waits until every one of `count` threads has called `wait()` the same number of times.
    public func wait() {
        condition.lock()
        defer { condition.unlock() }
        let current = generation
        arrived += 1
        if arrived == count {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == current { condition.wait() }
        }
    }
}
