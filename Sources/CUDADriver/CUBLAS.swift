// cuBLAS loaded with dlopen (libcublasLt first, globally, so libcublas finds it): the few entry points
// slora uses and a handle bound to one stream with its own workspace (so CUDA graph capture never
// allocates). Matmuls are row-major y = x·Wᵀ expressed in cuBLAS's column-major terms.

import Foundation

/// `cudaDataType` values used here.
public enum CUDADataType: Int32, Sendable {
    case f32 = 0  // CUDA_R_32F
    case bf16 = 14  // CUDA_R_16BF
}

/// The libcublas function table.
public struct CUBLASAPI: @unchecked Sendable {
    let library: DynamicLibrary
    let support: DynamicLibrary?
    let cublasCreate: @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    let cublasDestroy: @convention(c) (OpaquePointer?) -> Int32
    let cublasSetStream: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    let cublasSetWorkspace: @convention(c) (OpaquePointer?, CUdeviceptr, Int) -> Int32
    let cublasGemmEx: @convention(c) (
        OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafeRawPointer, CUdeviceptr, Int32, Int32,
        CUdeviceptr, Int32, Int32, UnsafeRawPointer, CUdeviceptr, Int32, Int32, Int32, Int32
    ) -> Int32
    let cublasGetStatusString: (@convention(c) (Int32) -> UnsafePointer<CChar>?)?

    /// Opens libcublasLt (global) and libcublas from the CUDA folders or the loader's path.
    public static func load() throws(CUDAError) -> CUBLASAPI {
        let directories = DynamicLibrary.cudaLibraryDirectories
        let lt = try? DynamicLibrary.open(
            name: "libcublasLt",
            candidates: DynamicLibrary.candidates(
                stem: "libcublasLt.so", in: directories, fallbackSonames: ["libcublasLt.so.13", "libcublasLt.so.12"]),
            global: true)
        let library = try DynamicLibrary.open(
            name: "libcublas",
            candidates: DynamicLibrary.candidates(
                stem: "libcublas.so", in: directories, fallbackSonames: ["libcublas.so.13", "libcublas.so.12", "libcublas.so"]))
        return try CUBLASAPI(library: library, support: lt)
    }

    init(library: DynamicLibrary, support: DynamicLibrary?) throws(CUDAError) {
        self.library = library
        self.support = support
        cublasCreate = try library.function("cublasCreate_v2")
        cublasDestroy = try library.function("cublasDestroy_v2")
        cublasSetStream = try library.function("cublasSetStream_v2")
        cublasSetWorkspace = try library.function("cublasSetWorkspace_v2")
        cublasGemmEx = try library.function("cublasGemmEx")
        cublasGetStatusString = library.optionalFunction("cublasGetStatusString")
    }

    func check(_ status: Int32, _ function: StaticString) throws(CUDAError) {
        guard status != 0 else { return }
        let message = cublasGetStatusString?(status).map { String(cString: $0) } ?? "status \(status)"
        throw .cublas(function: "\(function)", status: status, message: message)
    }
}

/// A cuBLAS handle bound to `stream`, with a private workspace.
public final class CUBLASHandle: @unchecked Sendable {
    public let api: CUBLASAPI
    public let stream: CUDAStream
    let handle: OpaquePointer?
    let workspace: DeviceAllocation

    /// - Parameter workspaceBytes: device scratch handed to cuBLAS (32 MiB covers Hopper's kernels).
    public init(api: CUBLASAPI, stream: CUDAStream, workspaceBytes: Int = 32 << 20) throws(CUDAError) {
        self.api = api
        self.stream = stream
        var handle: OpaquePointer?
        try api.check(api.cublasCreate(&handle), "cublasCreate_v2")
        self.handle = handle
        workspace = try DeviceAllocation(context: stream.context, byteCount: workspaceBytes)
        try api.check(api.cublasSetStream(handle, stream.handle), "cublasSetStream_v2")
        try api.check(api.cublasSetWorkspace(handle, workspace.address, workspace.byteCount), "cublasSetWorkspace_v2")
    }

    deinit { _ = api.cublasDestroy(handle) }

    /// Row-major `out[rows, n] = x[rows, k] · w[n, k]ᵀ` (f32 accumulation).
    ///
    /// Column-major, that is `outᵀ[n, rows] = w · xᵀ`: A = w read transposed (`[k, n]` column-major,
    /// lda = k), B = x untransposed (`[k, rows]`, ldb = k), C = out (`[n, rows]`, ldc = n).
    /// - Parameters:
    ///   - inputType: x's and w's type (bf16 or f32); out is f32.
    ///   - pedantic: CUBLAS_COMPUTE_32F_PEDANTIC (no TF32 or reduced-precision shortcuts) instead of 32F.
    public func matmul(
        x: CUdeviceptr, w: CUdeviceptr, out: CUdeviceptr, rows: Int, n: Int, k: Int, inputType: CUDADataType,
        pedantic: Bool
    ) throws(CUDAError) {
        precondition(rows > 0 && n > 0 && k > 0 && rows <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max))
        var alpha: Float = 1
        var beta: Float = 0
        let computeType: Int32 = pedantic ? 69 : 68  // CUBLAS_COMPUTE_32F_PEDANTIC / CUBLAS_COMPUTE_32F
        let status = withUnsafePointer(to: &alpha) { alphaPointer in
            withUnsafePointer(to: &beta) { betaPointer in
                api.cublasGemmEx(
                    handle, 1 /* CUBLAS_OP_T */, 0 /* CUBLAS_OP_N */, Int32(n), Int32(rows), Int32(k),
                    UnsafeRawPointer(alphaPointer), w, inputType.rawValue, Int32(k), x, inputType.rawValue, Int32(k),
                    UnsafeRawPointer(betaPointer), out, CUDADataType.f32.rawValue, Int32(n), computeType,
                    -1 /* CUBLAS_GEMM_DEFAULT */)
            }
        }
        try api.check(status, "cublasGemmEx")
    }
}
