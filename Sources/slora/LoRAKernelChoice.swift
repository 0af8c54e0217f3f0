// `--lora-kernels gather|padded-bmm` of `slora serve` and `slora bench serve`: which LoRA kernels the CUDA
// backend runs. `gather` is slora's own path (lora.cu: adapter rows read from pool pages at each token's
// rank); `padded-bmm` is S-LoRA's baseline for its ablation (issue 6). The CPU backend has one path.

import ArgumentParser
import CUDABackend

/// The LoRA kernels of the CUDA backend.
enum LoRAKernelChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// lora.cu's gather kernels (S-LoRA's MBGMV/MBGMM; rows or segments chosen per step). The default.
    case gather
    /// Adapter rows copied into buffers padded to the step's max rank, then cuBLAS strided-batched GEMMs.
    case paddedBMM = "padded-bmm"

    /// `CUDAComputeBackend.loraPathOverride` for this choice (nil: the backend chooses per step).
    var cudaPathOverride: LaunchGeometry.LoRAPath? { self == .paddedBMM ? .paddedBMM : nil }

    /// Refuses anything but the default on the CPU backend.
    func requireCPUCompatible() throws {
        guard self == .gather else {
            throw ValidationError("--lora-kernels \(rawValue) is a CUDA backend path; the cpu device has only gather")
        }
    }
}
