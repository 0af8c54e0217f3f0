// LoRA shrink and expand on the CPU: per token, gather its adapter's rows from pool pages
// (MBGMM/MBGMV semantics), each adapter at its own rank.

import Backend
import MemoryPool

extension CPUBackend {
    public func loraShrink(
        _ x: CPUTensor, inWidth: Int, pool: CPUTensor, geometry: PageGeometry, step: CPUPreparedStep,
        layer: Int, module: LoRAModule, u: CPUTensor
    ) {
        let a = step.adapters
        let e = geometry.elementsPerPage
        for (t, slot) in a.tokenSlots.enumerated() where slot >= 0 {
            let d = descriptor(a, slot: Int(slot), layer: layer, module: module)
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

    public func loraExpand(
        _ u: CPUTensor, outWidth: Int, pool: CPUTensor, geometry: PageGeometry, step: CPUPreparedStep,
        layer: Int, module: LoRAModule, y: CPUTensor
    ) {
        let a = step.adapters
        let e = geometry.elementsPerPage
        for (t, slot) in a.tokenSlots.enumerated() where slot >= 0 {
            let d = descriptor(a, slot: Int(slot), layer: layer, module: module)
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
    func descriptor(_ a: AdapterBatch, slot: Int, layer: Int, module: LoRAModule)
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
