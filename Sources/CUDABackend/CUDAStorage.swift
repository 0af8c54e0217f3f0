// The element type the CUDA backend stores weights, the pool and compact activations in: bf16 for
// speed (the default), or f32 for an exact mode whose results match the CPU reference to ~1e-6.

import CUDADriver

/// Element type of a CUDA buffer.
public enum CUDAElementType: String, Sendable, Hashable {
    case f32
    case bf16

    /// Bytes per element.
    public var byteSize: Int { self == .f32 ? 4 : 2 }
    /// Kernel-name suffix: `rms_norm_bf16`, `rms_norm_f32`.
    var kernelSuffix: String { rawValue }
    var cudaDataType: CUDADataType { self == .f32 ? .f32 : .bf16 }
}
