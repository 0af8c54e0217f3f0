// The errors of the CUDA driver layer: a library or symbol that is missing, a driver / NVRTC / cuBLAS
// call that failed (with the function and the library's own error name and text), a compile log.

/// A failure of the CUDA driver layer. Each case names what failed and why, readable as is.
public enum CUDAError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No candidate of `library` could be opened (no NVIDIA driver / CUDA toolkit on this machine).
    case libraryNotFound(library: String, tried: [String], reason: String)
    /// The library opened but lacks an entry point (a driver or toolkit too old).
    case symbolNotFound(symbol: String, library: String)
    /// A driver API call returned an error.
    case driver(function: String, code: Int32, name: String, message: String)
    /// The driver works but sees no GPU (or not the requested ordinal).
    case noDevice(requested: Int, available: Int)
    /// An NVRTC call other than compilation failed.
    case nvrtc(function: String, code: Int32, message: String)
    /// NVRTC rejected a kernel source; `log` is its compile log.
    case compilation(source: String, options: [String], log: String)
    /// A cuBLAS call returned an error.
    case cublas(function: String, status: Int32, message: String)
    /// A kernel named in the code is missing from its compiled module.
    case missingKernel(name: String, source: String)

    public var description: String {
        switch self {
        case .libraryNotFound(let library, let tried, let reason):
            return "CUDA unavailable: \(library) could not be loaded (\(reason)); tried: \(tried.joined(separator: ", ")). "
                + "HINT: install the NVIDIA driver / CUDA toolkit, or point SLORA_CUDA_LIB_DIR at the folder holding it."
        case .symbolNotFound(let symbol, let library):
            return "CUDA unavailable: \(library) has no symbol \(symbol) (driver or toolkit too old?)"
        case .driver(let function, let code, let name, let message):
            return "\(function) failed: \(name) (\(code)): \(message)"
        case .noDevice(let requested, let available):
            return "CUDA unavailable: no GPU \(requested) (the driver sees \(available) device(s))"
        case .nvrtc(let function, let code, let message):
            return "\(function) failed: NVRTC error \(code): \(message)"
        case .compilation(let source, let options, let log):
            return "NVRTC could not compile \(source) with \(options.joined(separator: " ")):\n\(log)"
        case .cublas(let function, let status, let message):
            return "\(function) failed: cuBLAS status \(status): \(message)"
        case .missingKernel(let name, let source):
            return "kernel \(name) is not in the module compiled from \(source)"
        }
    }

    /// True for `CUDA_ERROR_OUT_OF_MEMORY` from the driver.
    public var isOutOfMemory: Bool {
        if case .driver(_, let code, _, _) = self { return code == 2 }
        return false
    }
}
