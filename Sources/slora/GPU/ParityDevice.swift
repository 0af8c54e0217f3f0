// What the parity harness needs from the backend under test beyond ComputeBackend: poisoning outputs,
// whether compact tensors are rounded (bf16), forcing a LoRA kernel path. The CUDA backend is the real
// subject; the CPU backend conforms too, so `gpu-check parity --device cpu` tests the harness itself.

import Backend
import CPUBackend
import CUDABackend

protocol ParityDevice: ComputeBackend {
    /// True when `.compact` tensors and the pool hold bf16.
    var roundsCompact: Bool { get }
    /// `bf16`, `f32`, or `cpu`.
    var storageName: String { get }
    /// Multiprocessors (for naming attention split counts).
    var multiprocessors: Int { get }
    /// LoRA kernels to use (nil: the backend chooses).
    var forcedLoRAPath: LaunchGeometry.LoRAPath? { get set }
    /// Matmul kernel to use (nil: the backend chooses).
    var forcedMatmulPath: LaunchGeometry.MatmulPath? { get set }
    /// The kernel `matmul` runs for this shape now (a case-name suffix).
    func matmulKernelName(rows: Int, k: Int, n: Int) -> String
    /// Overwrites every element with NaN.
    func poison(_ tensor: Tensor)
}

extension CUDAComputeBackend: ParityDevice {
    var roundsCompact: Bool { storage == .bf16 }
    var storageName: String { storage.rawValue }
    var multiprocessors: Int { context.multiprocessorCount }
    var forcedLoRAPath: LaunchGeometry.LoRAPath? {
        get { loraPathOverride }
        set { loraPathOverride = newValue }
    }
    var forcedMatmulPath: LaunchGeometry.MatmulPath? {
        get { matmulPathOverride }
        set { matmulPathOverride = newValue }
    }
    func matmulKernelName(rows: Int, k: Int, n: Int) -> String { matmulPath(rows: rows, k: k, n: n).rawValue }
}

extension CPUBackend: ParityDevice {
    var roundsCompact: Bool { false }
    var storageName: String { "cpu" }
    var multiprocessors: Int { 132 }
    var forcedLoRAPath: LaunchGeometry.LoRAPath? {
        get { nil }
        set {}
    }
    var forcedMatmulPath: LaunchGeometry.MatmulPath? {
        get { nil }
        set {}
    }
    func matmulKernelName(rows: Int, k: Int, n: Int) -> String { "cpu" }
    func poison(_ tensor: CPUTensor) { tensor.pointer.update(repeating: .nan, count: tensor.count) }
}
