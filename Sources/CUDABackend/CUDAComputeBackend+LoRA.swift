// LoRA shrink and expand on the GPU (lora.cu): adapter rows gathered from pool pages, each token at its
// adapter's rank. Decode-like steps use the row kernels (MBGMV); steps whose adapter tokens come in runs
// (prefill chunks) use the segment kernels (MBGMM), which read each adapter row once per tile of tokens.
// `loraPathOverride = .paddedBMM` hands both ops to the padded-bmm baseline (CUDAComputeBackend+PaddedLoRA.swift).

import Backend
import CUDADriver
import MemoryPool

extension CUDAComputeBackend {
    /// The kernels a LoRA op of `step` runs: the override, else segments when tiles are long enough
    /// and the 8-wide kernels apply to these widths.
    func loraPath(step: CUDAPreparedStep, vectorized: Bool) -> LaunchGeometry.LoRAPath {
        if let forced = loraPathOverride { return forced == .segments && !vectorized ? .rows : forced }
        return LaunchGeometry.loraPath(
            adapterTokens: step.shape.adapterTokenCount, tileCount: step.shape.tileCount, vectorized: vectorized)
    }

    public func loraShrink(
        _ x: CUDATensor, inWidth: Int, pool: CUDATensor, geometry: PageGeometry, step: CUDAPreparedStep,
        layer: Int, module: LoRAModule, u: CUDATensor
    ) {
        let shape = step.shape
        guard shape.tokenCount > 0 && shape.slotCount > 0 && shape.maxRank > 0 else { return }
        expect(x, storage, count: shape.tokenCount * inWidth, "loraShrink", "x")
        expect(u, .f32, count: shape.tokenCount * shape.maxRank, "loraShrink", "u")
        expect(pool, storage, count: geometry.elementsPerPage, "loraShrink", "pool")
        poolRead()
        if loraPathOverride == .paddedBMM {
            paddedLoRAShrink(x, inWidth: inWidth, pool: pool, geometry: geometry, step: step, layer: layer, module: module, u: u)
            return
        }
        let vectorized =
            shape.streamOffsetsAligned && LaunchGeometry.loraVectorized(widths: [inWidth], elementsPerPage: geometry.elementsPerPage)
        let path = loraPath(step: step, vectorized: vectorized)
        let segments = path == .segments
        let units = segments ? shape.tileCount : shape.tokenCount
        guard units > 0 else { return }
        let name = segments ? "lora_shrink_segments_\(suffix)" : (vectorized ? "lora_shrink_rows_\(suffix)" : "lora_shrink_rows_s_\(suffix)")
        let (grid, block) = LaunchGeometry.shrinkLaunch(path: path, vectorized: vectorized, units: units, maxRank: shape.maxRank)
        launch(name, grid: grid, block: block, op: "loraShrink(\(module.rawValue), layer \(layer))") { a in
            a.pointer(x.address)
            a.int32(inWidth)
            a.pointer(pool.address)
            if segments {
                a.pointer(step.tiles)
                a.int32(shape.tokenCount)
            } else {
                a.pointer(step.tokenSlots)
            }
            a.adapterPages(
                step: step, geometry: geometry, layer: layer, module: module, poolPages: pool.count / geometry.elementsPerPage,
                scalings: false)
            a.pointer(u.address)
            a.int32(shape.maxRank)
        }
    }

    public func loraExpand(
        _ u: CUDATensor, outWidth: Int, pool: CUDATensor, geometry: PageGeometry, step: CUDAPreparedStep,
        layer: Int, module: LoRAModule, y: CUDATensor
    ) {
        let shape = step.shape
        guard shape.tokenCount > 0 && shape.slotCount > 0 && shape.maxRank > 0 else { return }
        expect(u, .f32, count: shape.tokenCount * shape.maxRank, "loraExpand", "u")
        expect(y, .f32, count: shape.tokenCount * outWidth, "loraExpand", "y")
        expect(pool, storage, count: geometry.elementsPerPage, "loraExpand", "pool")
        poolRead()
        if loraPathOverride == .paddedBMM {
            paddedLoRAExpand(u, outWidth: outWidth, pool: pool, geometry: geometry, step: step, layer: layer, module: module, y: y)
            return
        }
        let vectorized =
            shape.streamOffsetsAligned && LaunchGeometry.loraVectorized(widths: [outWidth], elementsPerPage: geometry.elementsPerPage)
        let path = loraPath(step: step, vectorized: vectorized)
        let segments = path == .segments
        let units = segments ? shape.tileCount : shape.tokenCount
        guard units > 0 else { return }
        let name = segments ? "lora_expand_segments_\(suffix)" : (vectorized ? "lora_expand_rows_\(suffix)" : "lora_expand_rows_s_\(suffix)")
        let (grid, block) = LaunchGeometry.expandLaunch(path: path, vectorized: vectorized, units: units, outWidth: outWidth)
        launch(name, grid: grid, block: block, op: "loraExpand(\(module.rawValue), layer \(layer))") { a in
            a.pointer(u.address)
            a.int32(shape.maxRank)
            a.int32(outWidth)
            a.pointer(pool.address)
            if segments {
                a.pointer(step.tiles)
                a.int32(shape.tokenCount)
            } else {
                a.pointer(step.tokenSlots)
            }
            a.adapterPages(
                step: step, geometry: geometry, layer: layer, module: module, poolPages: pool.count / geometry.elementsPerPage,
                scalings: true)
            a.pointer(y.address)
        }
    }
}
