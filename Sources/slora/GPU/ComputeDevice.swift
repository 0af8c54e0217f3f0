// `--device cuda|cpu` for the commands that run a model, and the default: cuda when this machine has an
// NVIDIA driver with at least one GPU, cpu otherwise.

import ArgumentParser
import CUDABackend
import CUDADriver

/// Where a command computes.
enum ComputeDevice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case cuda
    case cpu

    /// cuda when libcuda loads and reports a device, else cpu.
    static var detected: ComputeDevice {
        guard let driver = try? DriverAPI.load(), driver.cuInit(0) == 0 else { return .cpu }
        var count: Int32 = 0
        return driver.cuDeviceGetCount(&count) == 0 && count > 0 ? .cuda : .cpu
    }
}

extension CUDAComputeBackend {
    /// GPU 0 with bf16 storage; throws a CUDAError that says why not (no driver, no GPU, no NVRTC/cuBLAS).
    static func openDefault() throws -> CUDAComputeBackend {
        try CUDAComputeBackend(context: try CUDAContext.open())
    }
}
