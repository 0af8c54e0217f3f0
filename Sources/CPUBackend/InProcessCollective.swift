// One rank's in-memory collective over CPU tensors (`Collective` for `CPUBackend`): the ranks of an
// `InProcessCollectiveGroup` share host memory, so an all-reduce is a barrier and a sum.

import Backend

/// Rank `rank`'s endpoint of an `InProcessCollectiveGroup`; call it only from that rank's thread.
public final class InProcessCollective: Collective, @unchecked Sendable {
    public typealias Tensor = CPUTensor

    public let rank: Int
    public let group: InProcessCollectiveGroup

    init(group: InProcessCollectiveGroup, rank: Int) {
        precondition(rank >= 0 && rank < group.worldSize, "rank \(rank) of \(group.worldSize)")
        self.group = group
        self.rank = rank
    }

    public var worldSize: Int { group.worldSize }

    /// Blocks until every rank has posted its tensor, then leaves each holding the rank-ordered sum.
    public func allReduceSum(_ tensor: CPUTensor, count: Int) {
        precondition(count <= tensor.count, "all-reduce of \(count) elements on a tensor of \(tensor.count)")
        group.allReduceSum(rank: rank, pointer: tensor.pointer, count: count)
    }
}
