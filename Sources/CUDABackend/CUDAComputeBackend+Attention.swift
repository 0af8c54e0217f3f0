// RoPE, K/V writes into pool pages and paged GQA attention on the GPU (rope.cu, write_kv.cu,
// paged_attention.cu). Attention splits long spans across blocks and merges them in a second kernel.

import Backend
import CUDADriver
import MemoryPool

extension CUDAComputeBackend {
    public func rope(_ x: CUDATensor, step: CUDAPreparedStep, headCount: Int, headDim: Int, inverseFrequencies: CUDATensor) {
        let t = step.shape.tokenCount
        guard t > 0 else { return }
        precondition(headDim % 2 == 0, "rope: headDim \(headDim) is odd")
        expect(x, .f32, count: t * headCount * headDim, "rope", "x")
        expect(inverseFrequencies, .f32, count: headDim / 2, "rope", "inverseFrequencies")
        launch("rope_f32", grid: (t, 1, 1), block: LaunchGeometry.rowThreads, op: "rope") { a in
            a.pointer(x.address)
            a.pointer(step.positions)
            a.pointer(inverseFrequencies.address)
            a.int32(headCount)
            a.int32(headDim)
        }
    }

    public func writeKV(k: CUDATensor, v: CUDATensor, pool: CUDATensor, geometry: PageGeometry, layer: Int, step: CUDAPreparedStep) {
        let t = step.shape.tokenCount
        guard t > 0 else { return }
        expect(k, .f32, count: t * geometry.kvWidth, "writeKV", "k")
        expect(v, .f32, count: t * geometry.kvWidth, "writeKV", "v")
        expect(pool, storage, count: geometry.elementsPerPage, "writeKV", "pool")
        poolRead()
        launch("write_kv_\(suffix)", grid: (t, 1, 1), block: LaunchGeometry.rowThreads, op: "writeKV") { a in
            a.pointer(k.address)
            a.pointer(v.address)
            a.pointer(pool.address)
            a.pointer(step.positions)
            a.pointer(step.tokenSequence)
            a.pointer(step.pageTables)
            a.kvPages(step: step, geometry: geometry, layer: layer, poolPages: pool.count / geometry.elementsPerPage)
        }
    }

    public func attention(
        q: CUDATensor, pool: CUDATensor, geometry: PageGeometry, layer: Int, step: CUDAPreparedStep,
        headCount: Int, kvHeadCount: Int, headDim: Int, scale: Float, out: CUDATensor
    ) {
        let t = step.shape.tokenCount
        guard t > 0 else { return }
        guard let variant = LaunchGeometry.attentionVariant(headDim: headDim) else {
            preconditionFailure("attention: head_dim \(headDim) exceeds the CUDA kernels' \(LaunchGeometry.maxHeadDim)")
        }
        precondition(kvHeadCount > 0 && headCount % kvHeadCount == 0, "attention: \(headCount) heads, \(kvHeadCount) KV heads")
        precondition(kvHeadCount * headDim == geometry.kvWidth, "attention: KV width disagrees with the page geometry")
        precondition(geometry.headDim % headDim == 0, "attention: head_dim \(headDim) straddles the page layout's \(geometry.headDim)")
        expect(q, .f32, count: t * headCount * headDim, "attention", "q")
        expect(out, storage, count: t * headCount * headDim, "attention", "out")
        expect(pool, storage, count: geometry.elementsPerPage, "attention", "pool")
        poolRead()
        let splits = LaunchGeometry.attentionSplits(
            tokens: t, heads: headCount, lengthBucketCount: step.shape.lengthBucketCount,
            multiprocessors: context.multiprocessorCount)
        // Query tiles of prefill runs go to attention_tiles; the other tokens to the per-token kernel.
        let tiled = fastAttention && step.shape.attentionTileCount > 0
            && LaunchGeometry.attentionTilesApply(headDim: headDim, kvWidth: geometry.kvWidth)
        let single: CUdeviceptr = tiled ? step.attentionSingle : 0
        let poolPages = pool.count / geometry.elementsPerPage
        // [T·H, splits, headDim + 2] partial (m, l, acc) per split; unused with one split.
        let partial: CUDATensor? =
            splits > 1
            ? allocateTensor(count: t * headCount * splits * (headDim + 2), elementType: .f32, zero: false, op: "attention")
            : nil
        let rows = LaunchGeometry.attentionKernelName(dpl: variant.dpl, vectorized: variant.vectorized, suffix: suffix)
        launch(rows, grid: (t * headCount, splits, 1), block: LaunchGeometry.attentionThreads, op: "attention") { a in
            a.pointer(q.address)
            a.pointer(pool.address)
            a.pointer(step.positions)
            a.pointer(step.tokenSequence)
            a.pointer(step.pageTables)
            a.pointer(single)
            a.kvPages(step: step, geometry: geometry, layer: layer, poolPages: poolPages)
            a.int32(headCount)
            a.int32(kvHeadCount)
            a.int32(headDim)
            a.float(scale)
            a.int32(splits)
            a.pointer(out.address)
            a.pointer(partial?.address ?? 0)
        }
        if let partial {
            launch("attention_combine_\(suffix)", grid: (t * headCount, 1, 1), block: 128, op: "attention combine") { a in
                a.pointer(partial.address)
                a.pointer(single)
                a.int32(headCount)
                a.int32(splits)
                a.int32(headDim)
                a.pointer(out.address)
            }
            retainDuringCapture(partial)
        }
        guard tiled else { return }
        launch(
            "attention_tiles_d\(headDim)_\(suffix)", grid: (step.shape.attentionTileCount * headCount, 1, 1),
            block: LaunchGeometry.attentionTileThreads, op: "attention tiles"
        ) { a in
            a.pointer(q.address)
            a.pointer(pool.address)
            a.pointer(step.attentionTiles)
            a.pointer(step.pageTables)
            a.kvPages(step: step, geometry: geometry, layer: layer, poolPages: poolPages)
            a.int32(headCount)
            a.int32(kvHeadCount)
            a.float(scale)
            a.pointer(out.address)
        }
    }
}
