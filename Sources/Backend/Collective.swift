// The communication seam of tensor parallelism: the collectives one rank's model calls on its own
// backend tensors. The CPU backend implements it in memory for N ranks on N threads of one process
// (the oracle and CI path); a CUDA backend implements it with NCCL, one communicator per GPU.

/// One rank's endpoint of a group of `worldSize` ranks that run the same step on their own shard.
///
/// Every rank calls the same collectives in the same order with the same `count`; a call returns on a
/// rank once that rank's result is ready (on a device backend: once the collective is queued on the
/// stream that runs the rank's ops, so later ops see the result). Implementations must be usable
/// inside `ComputeBackend.runStep`'s body (NCCL calls on the backend's stream can be captured in a
/// CUDA graph).
public protocol Collective<Tensor>: AnyObject {
    /// The backend tensor type the collective reads and writes in place.
    associatedtype Tensor

    /// This rank, `0..<worldSize`.
    var rank: Int { get }
    /// The number of ranks in the group.
    var worldSize: Int { get }

    /// Sums a `.full` (f32) tensor over all ranks, in place.
    /// Semantics: `for i in 0..<count { x_r[i] = Σ_{q = 0..<worldSize} x_q[i] }` on every rank r, with
    /// every rank ending with the same values (the in-memory oracle adds in rank order 0, 1, …).
    func allReduceSum(_ tensor: Tensor, count: Int)
}
