// Row-wise and elementwise ops on the GPU: embedding, RMSNorm (+ fused residual add), add, SiLU·mul,
// logit-row gather, and the cuBLAS matmul. Each checks its operands' element types (the precision
// contract of ComputeBackend) before launching.

import Backend
import CUDADriver
import MemoryPool

extension CUDAComputeBackend {
    /// Precondition: `tensor` has `type` (a bug in the caller otherwise).
    func expect(_ tensor: CUDATensor, _ type: CUDAElementType, count: Int, _ op: String, _ argument: String) {
        precondition(
            tensor.elementType == type,
            "\(op): \(argument) must be \(type == .f32 ? ".full (f32)" : ".compact (\(type.rawValue))"), got \(tensor.elementType.rawValue)")
        precondition(tensor.count >= count, "\(op): \(argument) has \(tensor.count) elements, needs \(count)")
        retainDuringCapture(tensor)
    }

    var suffix: String { storage.kernelSuffix }

    // MARK: - Ops

    public func embed(step: CUDAPreparedStep, table: CUDAWeight, out: CUDATensor) {
        let t = step.shape.tokenCount
        guard t > 0 else { return }
        expect(out, .f32, count: t * table.cols, "embed", "out")
        retainDuringCapture(table)
        launch("embed_\(suffix)", grid: (t, 1, 1), block: LaunchGeometry.rowThreads, op: "embed") { a in
            a.pointer(table.address)
            a.pointer(step.tokens)
            a.pointer(out.address)
            a.int32(table.cols)
            a.int32(table.rows)
        }
    }

    public func rmsNorm(_ x: CUDATensor, weight: CUDATensor, eps: Float, rows: Int, width: Int, out: CUDATensor) {
        guard rows > 0 else { return }
        expect(x, .f32, count: rows * width, "rmsNorm", "x")
        expect(weight, .f32, count: width, "rmsNorm", "weight")
        expect(out, storage, count: rows * width, "rmsNorm", "out")
        launch("rms_norm_\(suffix)", grid: (rows, 1, 1), block: LaunchGeometry.rowThreads, op: "rmsNorm") { a in
            a.pointer(x.address)
            a.pointer(weight.address)
            a.float(eps)
            a.int32(width)
            a.pointer(out.address)
        }
    }

    public func addRMSNorm(
        residual: CUDATensor, delta: CUDATensor, weight: CUDATensor, eps: Float, rows: Int, width: Int, out: CUDATensor
    ) {
        guard rows > 0 else { return }
        expect(residual, .f32, count: rows * width, "addRMSNorm", "residual")
        expect(delta, .f32, count: rows * width, "addRMSNorm", "delta")
        expect(weight, .f32, count: width, "addRMSNorm", "weight")
        expect(out, storage, count: rows * width, "addRMSNorm", "out")
        launch("add_rms_norm_\(suffix)", grid: (rows, 1, 1), block: LaunchGeometry.rowThreads, op: "addRMSNorm") { a in
            a.pointer(residual.address)
            a.pointer(delta.address)
            a.pointer(weight.address)
            a.float(eps)
            a.int32(width)
            a.pointer(out.address)
        }
    }

    public func add(_ x: CUDATensor, _ delta: CUDATensor, count: Int) {
        guard count > 0 else { return }
        expect(x, .f32, count: count, "add", "x")
        expect(delta, .f32, count: count, "add", "delta")
        let blocks = LaunchGeometry.elementwiseBlocks(count: count, multiprocessors: context.multiprocessorCount)
        launch("add_f32", grid: (blocks, 1, 1), block: LaunchGeometry.elementwiseThreads, op: "add") { a in
            a.pointer(x.address)
            a.pointer(delta.address)
            a.int64(count)
        }
    }

    public func siluMul(gate: CUDATensor, up: CUDATensor, count: Int, out: CUDATensor) {
        guard count > 0 else { return }
        expect(gate, .f32, count: count, "siluMul", "gate")
        expect(up, .f32, count: count, "siluMul", "up")
        expect(out, storage, count: count, "siluMul", "out")
        let blocks = LaunchGeometry.elementwiseBlocks(count: count, multiprocessors: context.multiprocessorCount)
        launch("silu_mul_\(suffix)", grid: (blocks, 1, 1), block: LaunchGeometry.elementwiseThreads, op: "siluMul") { a in
            a.pointer(gate.address)
            a.pointer(up.address)
            a.pointer(out.address)
            a.int64(count)
        }
    }

    public func gatherLogitRows(_ x: CUDATensor, width: Int, step: CUDAPreparedStep, out: CUDATensor) {
        let rows = step.shape.logitRowCount
        guard rows > 0 else { return }
        expect(x, storage, count: step.shape.tokenCount * width, "gatherLogitRows", "x")
        expect(out, storage, count: rows * width, "gatherLogitRows", "out")
        launch("gather_rows_\(suffix)", grid: (rows, 1, 1), block: LaunchGeometry.rowThreads, op: "gatherLogitRows") { a in
            a.pointer(x.address)
            a.pointer(step.logitRows)
            a.int32(rows)
            a.int32(step.shape.tokenCount)
            a.int32(width)
            a.pointer(out.address)
        }
    }

    /// out `[rows, W.rows]` (f32) = x `[rows, W.cols]` (storage type) · Wᵀ, with f32 accumulation: gemv.cu
    /// for bf16 with few rows (decode; `matmulPath`), else cuBLAS (pedantic f32 in the exact mode: no TF32).
    public func matmul(_ x: CUDATensor, rows: Int, weight: CUDAWeight, out: CUDATensor) {
        guard rows > 0 else { return }
        expect(x, storage, count: rows * weight.cols, "matmul", "x")
        expect(out, .f32, count: rows * weight.rows, "matmul", "out")
        retainDuringCapture(weight)
        if matmulPath(rows: rows, k: weight.cols, n: weight.rows) == .gemv,
            let capacity = LaunchGeometry.gemvCapacity(rows: rows)
        {
            launch(
                "gemv_t\(capacity)_bf16", grid: LaunchGeometry.gemvGrid(n: weight.rows), block: LaunchGeometry.gemvThreads,
                op: "matmul \(weight.cols)→\(weight.rows) gemv"
            ) { a in
                a.pointer(x.address)
                a.pointer(weight.address)
                a.pointer(out.address)
                a.int32(rows)
                a.int32(weight.rows)
                a.int32(weight.cols)
            }
            return
        }
        bindThread()
        do {
            try blas.matmul(
                x: x.address, w: weight.address, out: out.address, rows: rows, n: weight.rows, k: weight.cols,
                inputType: storage.cudaDataType, pedantic: storage == .f32)
            if options.debug { try stream.synchronize() }
            if activeProfiler != nil { profileMark("matmul \(weight.cols)→\(weight.rows) cublas") }
        } catch {
            fail(error, "matmul(\(rows)×\(weight.cols) · [\(weight.rows)×\(weight.cols)]ᵀ)")
        }
    }

    /// The kernel `matmul` uses for `rows × k → n`: `matmulPathOverride` when it applies, else gemv.cu up to
    /// `gemvMaxRows` rows in bf16.
    public func matmulPath(rows: Int, k: Int, n: Int) -> LaunchGeometry.MatmulPath {
        let gemvPossible = storage == .bf16 && LaunchGeometry.gemvApplies(rows: rows, k: k, n: n)
        if let forced = matmulPathOverride { return forced == .gemv && !gemvPossible ? .cublas : forced }
        return LaunchGeometry.matmulPath(rows: rows, k: k, n: n, bf16: storage == .bf16, maxRows: gemvMaxRows)
    }
}
