// LoRA shrink and expand as S-LoRA's "padded bmm" baseline (issue 6 ablation, `loraPathOverride =
// .paddedBMM`): per chunk of tokens, lora_padded.cu copies every token's adapter rows out of the pool
// pages into contiguous buffers padded to the step's max rank (zero rows past a token's rank), then one
// cuBLAS strided-batched GEMM per chunk does the math. Same results as lora.cu's kernels (the scaling
// is folded into the expand's coefficients, rounded to the storage type), slower by design.

import Backend
import CUDADriver
import MemoryPool

extension CUDAComputeBackend {
    /// `loraShrink` on the padded path: u[t, j] = Σ_i aPad[t, j, i] · x[t, i] for every token and j < maxRank
    /// (zeros past each token's rank). Shapes checked by the caller.
    func paddedLoRAShrink(
        _ x: CUDATensor, inWidth: Int, pool: CUDATensor, geometry: PageGeometry, step: CUDAPreparedStep,
        layer: Int, module: LoRAModule, u: CUDATensor
    ) {
        let shape = step.shape
        guard paddedLoRARuns(shape, layer: layer, module: module) else { return }
        let maxRank = shape.maxRank
        let plan = LaunchGeometry.paddedLoRAPlan(
            tokenCount: shape.tokenCount, maxRank: maxRank, width: inWidth, elementBytes: storage.byteSize,
            budgetBytes: paddedLoRAScratchBudget)
        let scratch = paddedScratch(bytes: plan.byteCount, op: "loraShrink padded")
        let aPad = scratch.address  // [chunkTokens, maxRank, inWidth] storage
        let vectorized =
            shape.streamOffsetsAligned && LaunchGeometry.loraVectorized(widths: [inWidth], elementsPerPage: geometry.elementsPerPage)
        let op = "loraShrink padded-bmm(\(module.rawValue), layer \(layer))"
        for chunk in plan.chunks {
            launch(
                "lora_pad_a_\(suffix)", grid: LaunchGeometry.paddedGatherGrid(chunkTokens: chunk.count, maxRank: maxRank),
                block: LaunchGeometry.paddedThreads, op: op
            ) { a in
                a.pointer(pool.address)
                a.pointer(step.tokenSlots)
                a.int32(chunk.lowerBound)
                a.adapterPages(
                    step: step, geometry: geometry, layer: layer, module: module,
                    poolPages: pool.count / geometry.elementsPerPage, scalings: false)
                a.int32(inWidth)
                a.int32(maxRank)
                a.int32(vectorized ? 1 : 0)
                a.pointer(aPad)
            }
            // Column-major per token: u[t] [maxRank, 1] = aPad[t]ᵀ (aPad[t] stored [inWidth, maxRank]) · x[t] [inWidth, 1].
            paddedGEMM(op: op) { blas throws(CUDAError) in
                try blas.stridedBatchedMatmul(
                    transposeA: true, m: maxRank, n: 1, k: inWidth, a: aPad, lda: inWidth, strideA: maxRank * inWidth,
                    b: x.address(ofElement: chunk.lowerBound * inWidth), ldb: inWidth, strideB: inWidth,
                    c: u.address(ofElement: chunk.lowerBound * maxRank), ldc: maxRank, strideC: maxRank,
                    batchCount: chunk.count, inputType: storage.cudaDataType, beta: 0, pedantic: storage == .f32)
            }
        }
    }

    /// `loraExpand` on the padded path: y[t, o] += Σ_j (s · u[t, j]) · bPad[t, j, o] (zero rows and
    /// coefficients past each token's rank). Shapes checked by the caller.
    func paddedLoRAExpand(
        _ u: CUDATensor, outWidth: Int, pool: CUDATensor, geometry: PageGeometry, step: CUDAPreparedStep,
        layer: Int, module: LoRAModule, y: CUDATensor
    ) {
        let shape = step.shape
        guard paddedLoRARuns(shape, layer: layer, module: module) else { return }
        let maxRank = shape.maxRank
        let plan = LaunchGeometry.paddedLoRAPlan(
            tokenCount: shape.tokenCount, maxRank: maxRank, width: outWidth, elementBytes: storage.byteSize,
            budgetBytes: paddedLoRAScratchBudget)
        let scratch = paddedScratch(bytes: plan.byteCount, op: "loraExpand padded")
        let bPad = scratch.address  // [chunkTokens, maxRank, outWidth] storage
        let coefficients = scratch.address + UInt64(plan.coefficientOffset)  // [chunkTokens, maxRank] storage
        let vectorized =
            shape.streamOffsetsAligned && LaunchGeometry.loraVectorized(widths: [outWidth], elementsPerPage: geometry.elementsPerPage)
        let op = "loraExpand padded-bmm(\(module.rawValue), layer \(layer))"
        for chunk in plan.chunks {
            launch(
                "lora_pad_b_\(suffix)", grid: LaunchGeometry.paddedGatherGrid(chunkTokens: chunk.count, maxRank: maxRank),
                block: LaunchGeometry.paddedThreads, op: op
            ) { a in
                a.pointer(u.address)
                a.pointer(pool.address)
                a.pointer(step.tokenSlots)
                a.int32(chunk.lowerBound)
                a.adapterPages(
                    step: step, geometry: geometry, layer: layer, module: module,
                    poolPages: pool.count / geometry.elementsPerPage, scalings: true)
                a.int32(outWidth)
                a.int32(maxRank)
                a.int32(vectorized ? 1 : 0)
                a.pointer(bPad)
                a.pointer(coefficients)
            }
            // Column-major per token: y[t] [outWidth, 1] += bPad[t] (stored [outWidth, maxRank]) · c[t] [maxRank, 1].
            paddedGEMM(op: op) { blas throws(CUDAError) in
                try blas.stridedBatchedMatmul(
                    transposeA: false, m: outWidth, n: 1, k: maxRank, a: bPad, lda: outWidth, strideA: maxRank * outWidth,
                    b: coefficients, ldb: maxRank, strideB: maxRank,
                    c: y.address(ofElement: chunk.lowerBound * outWidth), ldc: outWidth, strideC: outWidth,
                    batchCount: chunk.count, inputType: storage.cudaDataType, beta: 1, pedantic: storage == .f32)
            }
        }
    }

    // MARK: - Helpers

    /// Whether the op has work: some token uses an adapter and some slot targets (layer, module) (else
    /// every token's rank is 0 and the ops are no-ops, as in lora.cu).
    private func paddedLoRARuns(_ shape: StepShape, layer: Int, module: LoRAModule) -> Bool {
        let target = layer * AdapterBatch.moduleCount + module.index
        guard shape.adapterTokenCount > 0, target >= 0, target < shape.targets.count else { return false }
        return shape.targets[target] != 0
    }

    /// One GEMM on the backend's cuBLAS handle (same failure, debug and profiling handling as `matmul`).
    private func paddedGEMM(op: String, _ body: (CUBLASHandle) throws(CUDAError) -> Void) {
        bindThread()
        do {
            try body(blas)
            if options.debug { try stream.synchronize() }
            if activeProfiler != nil { profileMark("\(op) cublas") }
        } catch {
            fail(error, "\(op) (cublasGemmStridedBatchedEx)")
        }
    }

    /// The padded path's scratch, at least `bytes` long: kept between ops (grown, never shrunk) so a decode
    /// loop never allocates, and kept alive by a graph being captured.
    private func paddedScratch(bytes: Int, op: String) -> CUDATensor {
        let current = paddedLoRAScratch?.byteCount ?? 0
        if let scratch = paddedLoRAScratch, current >= bytes {
            retainDuringCapture(scratch)
            return scratch
        }
        bindThread()
        if let old = paddedLoRAScratch {
            // Never free a buffer queued work may still use: a graph being captured keeps the old one,
            // an eager stream drains first.
            if graphs.capturing != nil {
                retainDuringCapture(old)
            } else {
                do { try stream.synchronize() } catch { fail(error, "\(op): scratch growth") }
            }
        }
        let size = LaunchGeometry.paddedScratchGrowth(current: current, needed: bytes, cap: paddedLoRAScratchBudget)
        let count = (size + storage.byteSize - 1) / storage.byteSize
        let allocation: DeviceAllocation
        do {
            do {
                allocation = try DeviceAllocation(context: context, byteCount: count * storage.byteSize)
            } catch let error where error.isOutOfMemory {
                memory.releaseAll()
                allocation = try DeviceAllocation(context: context, byteCount: count * storage.byteSize)
            }
        } catch {
            fail(error, "\(op): scratch of \(size) bytes")
        }
        let scratch = CUDATensor(count: count, elementType: storage, allocation: allocation, cache: nil)
        paddedLoRAScratch = scratch
        retainDuringCapture(scratch)
        return scratch
    }
}
