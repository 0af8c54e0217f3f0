// `Collective` for the CUDA backend: one rank's NCCL communicator, all-reducing activation tensors in
// place on the backend's own stream (so the sum is ordered after the ops that wrote the partial sums,
// before the ops that read it, and can be captured into the backend's decode-step graphs).

import Backend
import CUDADriver

/// Rank `rank` of a tensor-parallel group of GPUs, one `CUDAComputeBackend` per GPU.
///
/// ```swift
/// let comms = try NCCLCommunicator.group(api: try NCCLAPI.load(), devices: [0, 1])
/// // on rank r's thread:
/// let backend = try CUDAComputeBackend(context: try CUDAContext.open(ordinal: r))
/// let collective = NCCLCollective(communicator: comms[r], backend: backend)
/// ```
/// Use it only from the thread that drives `backend`.
public final class NCCLCollective: Collective, @unchecked Sendable {
    public typealias Tensor = CUDATensor

    public let communicator: NCCLCommunicator
    public let backend: CUDAComputeBackend

    /// - Precondition: the communicator's device is the backend's GPU.
    public init(communicator: NCCLCommunicator, backend: CUDAComputeBackend) {
        precondition(
            communicator.device == backend.context.ordinal,
            "NCCL rank \(communicator.rank) is on GPU \(communicator.device), the backend on GPU \(backend.context.ordinal)")
        self.communicator = communicator
        self.backend = backend
    }

    public var rank: Int { communicator.rank }
    public var worldSize: Int { communicator.worldSize }

    /// Sums `count` elements of `tensor` over the ranks, in place, in the tensor's own element type
    /// (the model's partial sums are `.full`, so f32), queued on the backend's stream.
    public func allReduceSum(_ tensor: CUDATensor, count: Int) {
        precondition(count <= tensor.count, "all-reduce of \(count) elements on a tensor of \(tensor.count)")
        guard worldSize > 1, count > 0 else { return }
        backend.bindThread()
        let type: NCCLDataType = tensor.elementType == .f32 ? .float32 : .bfloat16
        do {
            try communicator.allReduceSum(address: tensor.address, count: count, type: type, stream: backend.stream.handle)
            if backend.options.debug {
                // Debug mode: wait, so a hang or an asynchronous fault shows at this all-reduce.
                try backend.stream.synchronize()
            }
        } catch {
            backend.fail(error, "allReduceSum (rank \(rank) of \(worldSize), \(count) \(tensor.elementType.rawValue))")
        }
    }
}
