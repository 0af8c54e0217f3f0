// cuBLAS loaded with dlopen (libcublasLt first, globally, so libcublas finds it): the few entry points
// slora uses and a handle bound to one stream with its own workspace (so CUDA graph capture never
// allocates). Matmuls are row-major y = x·Wᵀ expressed in cuBLAS's column-major terms; the strided-batched
// GEMM (the padded-bmm LoRA ablation) is exposed in cuBLAS's own column-major terms.

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
    let cublasGemmStridedBatchedEx: @convention(c) (
        OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafeRawPointer, CUdeviceptr, Int32, Int32, Int64,
        CUdeviceptr, Int32, Int32, Int64, UnsafeRawPointer, CUdeviceptr, Int32, Int32, Int64, Int32, Int32, Int32
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
        cublasGemmStridedBatchedEx = try library.function("cublasGemmStridedBatchedEx")
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

    /// Column-major `C[b] = alpha · op(A[b]) · B[b] + beta · C[b]` for `b < batchCount`, where
    /// `A[b] = a + b · strideA` (elements), op(A) is `[m, k]`, `B[b]` is `[k, n]` and `C[b]` `[m, n]` (f32);
    /// f32 accumulation (`cublasGemmStridedBatchedEx`).
    /// - Parameters:
    ///   - transposeA: op(A) = Aᵀ (A stored `[k, m]`, lda ≥ k) instead of A (stored `[m, k]`, lda ≥ m).
    ///   - inputType: A's and B's type (bf16 or f32).
    ///   - beta: 0 overwrites C, 1 accumulates into it.
    ///   - pedantic: CUBLAS_COMPUTE_32F_PEDANTIC instead of 32F.
    public func stridedBatchedMatmul(
        transposeA: Bool, m: Int, n: Int, k: Int, a: CUdeviceptr, lda: Int, strideA: Int, b: CUdeviceptr, ldb: Int,
        strideB: Int, c: CUdeviceptr, ldc: Int, strideC: Int, batchCount: Int, inputType: CUDADataType, beta: Float,
        pedantic: Bool
    ) throws(CUDAError) {
        let int32 = [m, n, k, lda, ldb, ldc, batchCount]
        precondition(int32.allSatisfy { $0 > 0 && $0 <= Int(Int32.max) } && strideA >= 0 && strideB >= 0 && strideC >= 0)
        var alpha: Float = 1
        var betaValue = beta
        let computeType: Int32 = pedantic ? 69 : 68  // CUBLAS_COMPUTE_32F_PEDANTIC / CUBLAS_COMPUTE_32F
        let status = withUnsafePointer(to: &alpha) { alphaPointer in
            withUnsafePointer(to: &betaValue) { betaPointer in
                api.cublasGemmStridedBatchedEx(
                    handle, transposeA ? 1 : 0 /* CUBLAS_OP_T / CUBLAS_OP_N */, 0 /* CUBLAS_OP_N */, Int32(m), Int32(n),
                    Int32(k), UnsafeRawPointer(alphaPointer), a, inputType.rawValue, Int32(lda), Int64(strideA), b,
                    inputType.rawValue, Int32(ldb), Int64(strideB), UnsafeRawPointer(betaPointer), c,
                    CUDADataType.f32.rawValue, Int32(ldc), Int64(strideC), Int32(batchCount), computeType,
                    -1 /* CUBLAS_GEMM_DEFAULT */)
            }
        }
        try api.check(status, "cublasGemmStridedBatchedEx")
    }
}
