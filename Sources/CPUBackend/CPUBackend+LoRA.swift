// LoRA shrink and expand on the CPU: per token, its adapter's rows read from pool pages
// (MBGMM/MBGMV semantics), each adapter at its own rank. A row of A or Bᵀ is contiguous in the
// adapter stream, so it lies in at most a few contiguous runs of pool pages: the fast path walks those
// runs with SIMD, the reference path (kept as the oracle) gathers element by element.

import Backend
import MemoryPool

extension CPUBackend {
    public func loraShrink(
        _ x: CPUTensor, inWidth: Int, pool: CPUTensor, geometry: PageGeometry, step: CPUPreparedStep,
        layer: Int, module: LoRAModule, u: CPUTensor
    ) {
        let a = step.adapters
        let e = geometry.elementsPerPage
        let (x, pool, u) = (Pointer(x.pointer), Pointer(pool.pointer), Pointer(u.pointer))
        let rowCount = a.tokenSlots.reduce(0) { $1 >= 0 ? $0 + Self.descriptor(a, slot: Int($1), layer: layer, module: module).rank : $0 }
        forTokens(a.tokenSlots.count, work: rowCount * inWidth) { t in
            let slot = Int(a.tokenSlots[t])
            guard slot >= 0 else { return }
            let d = Self.descriptor(a, slot: slot, layer: layer, module: module)
            for j in 0..<d.rank {
                u.p[t * a.maxRank + j] = Self.streamDot(
                    x.p + t * inWidth, a, slot: slot, start: d.aOffset + j * inWidth, count: inWidth, pool: pool.p, e)
            }
        }
    }

    public func loraExpand(
        _ u: CPUTensor, outWidth: Int, pool: CPUTensor, geometry: PageGeometry, step: CPUPreparedStep,
        layer: Int, module: LoRAModule, y: CPUTensor
    ) {
        let a = step.adapters
        let e = geometry.elementsPerPage
        let tokens = a.tokenSlots.count
        let (u, pool, y) = (Pointer(u.pointer), Pointer(pool.pointer), Pointer(y.pointer))
        let sums = Pointer(loraSums.reserve(tokens * outWidth))  // [T, outWidth] Σ_j u[t, j] · Bᵀ[j, :]
        let rowCount = a.tokenSlots.reduce(0) { $1 >= 0 ? $0 + Self.descriptor(a, slot: Int($1), layer: layer, module: module).rank : $0 }
        forTokens(tokens, work: rowCount * outWidth) { t in
            let slot = Int(a.tokenSlots[t])
            guard slot >= 0 else { return }
            let d = Self.descriptor(a, slot: slot, layer: layer, module: module)
            if d.rank == 0 { return }
            let sum = sums.p + t * outWidth
            sum.initialize(repeating: 0, count: outWidth)
            // Same arithmetic as the reference, per output: sum = ((0 + u₀b₀) + u₁b₁) + …, then y += s·sum.
            for j in 0..<d.rank {
                Self.streamAXPY(
                    u.p[t * a.maxRank + j], a, slot: slot, start: d.bOffset + j * outWidth, count: outWidth,
                    pool: pool.p, e, into: sum)
            }
            let yRow = y.p + t * outWidth
            for o in 0..<outWidth { yRow[o] += d.scaling * sum[o] }
        }
    }

    // MARK: - Runs of a stream in pool pages

    /// A raw pointer handed to worker threads (each writes disjoint token rows).
    struct Pointer: @unchecked Sendable {
        let p: UnsafeMutablePointer<Float>
        init(_ p: UnsafeMutablePointer<Float>) { self.p = p }
    }

    /// Runs `body(t)` for every token, split across threads when `work` (multiply-adds) is large enough
    /// to pay for the dispatch.
    func forTokens(_ count: Int, work: Int, _ body: @Sendable (Int) -> Void) {
        let chunks = work >= 1 << 16 && count > 1 ? min(threadCount, count) : 1
        if chunks == 1 {
            for t in 0..<count { body(t) }
            return
        }
        parallel(chunks) { c in
            for t in stride(from: c, to: count, by: chunks) { body(t) }
        }
    }

    /// Σ_i x[i] · stream(slot)[start + i] for i < count, one SIMD dot per contiguous run of a page.
    @inline(__always)
    static func streamDot(
        _ x: UnsafePointer<Float>, _ a: AdapterBatch, slot: Int, start: Int, count: Int,
        pool: UnsafePointer<Float>, _ e: Int
    ) -> Float {
        var sum: Float = 0
        var i = 0
        while i < count {
            let element = start + i
            let page = Int(a.pages[slot * a.pageStride + element / e])
            let inPage = element % e
            let run = min(count - i, e - inPage)
            sum += dot(x + i, pool + page * e + inPage, run)
            i += run
        }
        return sum
    }

    /// out[o] += c · stream(slot)[start + o] for o < count (elementwise multiply then add, as a scalar loop).
    @inline(__always)
    static func streamAXPY(
        _ c: Float, _ a: AdapterBatch, slot: Int, start: Int, count: Int, pool: UnsafePointer<Float>, _ e: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        var o = 0
        let scale = SIMD8<Float>(repeating: c)
        while o < count {
            let element = start + o
            let page = Int(a.pages[slot * a.pageStride + element / e])
            let inPage = element % e
            let run = min(count - o, e - inPage)
            let source = UnsafeRawPointer(pool + page * e + inPage)
            let destination = UnsafeMutableRawPointer(out + o)
            var i = 0
            while i + 8 <= run {
                let v = destination.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    + scale * source.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                destination.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
                i += 8
            }
            while i < run {
                out[o + i] += c * pool[page * e + inPage + i]
                i += 1
            }
            o += run
        }
    }

    // MARK: - Reference loops (the oracle)

    /// `loraShrink` as its `Semantics:` loop, one element at a time through the page table.
    public func referenceLoraShrink(
        _ x: CPUTensor, inWidth: Int, pool: CPUTensor, geometry: PageGeometry, step: CPUPreparedStep,
        layer: Int, module: LoRAModule, u: CPUTensor
    ) {
        let a = step.adapters
        let e = geometry.elementsPerPage
        for (t, slot) in a.tokenSlots.enumerated() where slot >= 0 {
            let d = Self.descriptor(a, slot: Int(slot), layer: layer, module: module)
            let xRow = x.pointer + t * inWidth
            for j in 0..<d.rank {
                var sum: Float = 0
                for i in 0..<inWidth {
                    sum += xRow[i] * pool.pointer[poolOffset(a, slot: Int(slot), element: d.aOffset + j * inWidth + i, e)]
                }
                u.pointer[t * a.maxRank + j] = sum
            }
        }
    }

    /// `loraExpand` as its `Semantics:` loop, one element at a time through the page table.
    public func referenceLoraExpand(
        _ u: CPUTensor, outWidth: Int, pool: CPUTensor, geometry: PageGeometry, step: CPUPreparedStep,
        layer: Int, module: LoRAModule, y: CPUTensor
    ) {
        let a = step.adapters
        let e = geometry.elementsPerPage
        for (t, slot) in a.tokenSlots.enumerated() where slot >= 0 {
            let d = Self.descriptor(a, slot: Int(slot), layer: layer, module: module)
            if d.rank == 0 { continue }
            let yRow = y.pointer + t * outWidth
            for o in 0..<outWidth {
                var sum: Float = 0
                for j in 0..<d.rank {
                    sum += u.pointer[t * a.maxRank + j]
                        * pool.pointer[poolOffset(a, slot: Int(slot), element: d.bOffset + j * outWidth + o, e)]
                }
                yRow[o] += d.scaling * sum
            }
        }
    }

    /// Rank, stream offsets and scaling of (slot, layer, module).
    @inline(__always)
    static func descriptor(_ a: AdapterBatch, slot: Int, layer: Int, module: LoRAModule)
        -> (rank: Int, aOffset: Int, bOffset: Int, scaling: Float)
    {
        let d = (slot * a.layerCount + layer) * AdapterBatch.moduleCount + module.index
        return (Int(a.descriptors[d * 3]), Int(a.descriptors[d * 3 + 1]), Int(a.descriptors[d * 3 + 2]), a.scalings[d])
    }

    /// Pool offset of stream element `element` of `slot`.
    @inline(__always)
    func poolOffset(_ a: AdapterBatch, slot: Int, element: Int, _ e: Int) -> Int {
        Int(a.pages[slot * a.pageStride + element / e]) * e + element % e
    }
}
