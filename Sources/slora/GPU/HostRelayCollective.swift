// A stand-in for NCCL when several ranks share one GPU (gpu-check tp --one-gpu): each rank copies its
// partial sums to the host, the ranks meet at a barrier, add them in rank order and copy the sum
// back. Slow and not capturable into CUDA graphs, but it checks the sharded model's GPU math (weight
// and adapter slices, local head counts) on a machine with a single GPU.

import Backend
import CPUBackend
import CUDABackend
import CUDADriver
import Foundation

/// The shared side of `worldSize` ranks relaying all-reduces through host memory.
final class HostRelayGroup: @unchecked Sendable {
    let worldSize: Int
    /// Guards `posted`.
    private let condition = NSCondition()
    private let rankBarrier: RankBarrier
    private var posted: [[Float]]

    init(worldSize: Int) {
        self.worldSize = worldSize
        rankBarrier = RankBarrier(count: worldSize)
        posted = Array(repeating: [], count: worldSize)
    }

    /// Posts rank `rank`'s values and returns the rank-ordered sum once every rank has posted.
    func sum(rank: Int, values: [Float]) -> [Float] {
        condition.lock()
        posted[rank] = values
        condition.unlock()
        barrier()
        let all = condition.withLock { posted }
        precondition(all.allSatisfy { $0.count == values.count }, "ranks disagree on the all-reduce size")
        var total = all[0]
        for q in 1..<worldSize { for i in total.indices { total[i] += all[q][i] } }
        barrier()  // nobody overwrites `posted` before every rank has read it
        return total
    }

    private func barrier() { rankBarrier.wait() }
}

/// Rank `rank`'s endpoint: `allReduceSum` synchronizes its stream, relays through the host, writes back.
final class HostRelayCollective: Collective, @unchecked Sendable {
    typealias Tensor = CUDATensor
    let rank: Int
    let group: HostRelayGroup
    let backend: CUDAComputeBackend

    init(group: HostRelayGroup, rank: Int, backend: CUDAComputeBackend) {
        self.group = group
        self.rank = rank
        self.backend = backend
    }

    var worldSize: Int { group.worldSize }

    func allReduceSum(_ tensor: CUDATensor, count: Int) {
        precondition(tensor.elementType == .f32, "the host relay sums f32 tensors only")
        let total = group.sum(rank: rank, values: backend.download(tensor, count: count))
        let driver = backend.context.driver
        do {
            try backend.context.makeCurrent()
            try total.withUnsafeBytes { bytes in
                try driver.check(
                    driver.cuMemcpyHtoDAsync(tensor.address, bytes.baseAddress, bytes.count, backend.stream.handle),
                    "cuMemcpyHtoDAsync_v2")
                try backend.stream.synchronize()
            }
        } catch {
            fatalError("host-relay all-reduce (rank \(rank)): \(error)")
        }
    }
}
