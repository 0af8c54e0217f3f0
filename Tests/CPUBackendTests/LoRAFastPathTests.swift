// The CPU backend's run-walking LoRA shrink/expand against its element-by-element reference loops, on
// adapters scattered over small pages (rows cross page boundaries) with mixed ranks and base tokens.

import Backend
import CPUBackend
import MemoryPool
import Testing

@Suite("CPU LoRA fast path")
struct LoRAFastPathTests {
    /// Oracle: `referenceLoraShrink` / `referenceLoraExpand` (the `Semantics:` loops). Expand keeps the
    /// reference's arithmetic per output, so it must match bit for bit; shrink sums in 8 lanes, so it
    /// may differ by f32 reassociation only (≤ 1e-5 of Σ|x·a|).
    @Test(arguments: [1, 2], [(tokens: 5, width: 40, ranks: [3, 7, 0]), (tokens: 24, width: 300, ranks: [16, 5, 9])])
    func fastPathEqualsReferenceLoops(threads: Int, shape: (tokens: Int, width: Int, ranks: [Int])) {
        let backend = CPUBackend(threadCount: threads)
        let width = shape.width
        let widths = ProjectionWidths(hiddenSize: width, queryWidth: width, kvWidth: 4, intermediateSize: width + 13)
        let geometry = PageGeometry(layerCount: 1, kvWidth: 3, tokensPerPage: 5)  // 30 elements per page
        let pool = backend.makePool(pageCount: 4096, geometry: geometry)
        var slots: [AdapterBatch.Slot] = []
        var nextPage = 4095
        for (i, rank) in shape.ranks.enumerated() {
            var layerRanks = [Int](repeating: 0, count: 7)
            layerRanks[LoRAModule.up.index] = rank
            layerRanks[LoRAModule.q.index] = max(rank, 1)
            let layout = AdapterStreamLayout(ranks: [layerRanks], widths: widths)
            let pageCount = geometry.adapterPageCount(elementCount: layout.elementCount)
            let pages = (0..<pageCount).map { _ in defer { nextPage -= 2 }; return PageIndex(nextPage) }
            backend.writeAdapter(
                CPUBackendOpTests.values(layout.elementCount, seed: UInt64(30 + i)), pages: pages, pool: pool,
                geometry: geometry)
            let scalings = [[Float]](repeating: [Float](repeating: Float(i) + 0.5, count: 7), count: 1)
            slots.append(AdapterBatch.Slot(layout: layout, scalings: scalings, pages: pages))
        }
        let tokenSlots: [Int32] = (0..<shape.tokens).map { Int32($0 % (shape.ranks.count + 1)) - 1 }
        let adapters = AdapterBatch(tokenSlots: tokenSlots, slots: slots, layerCount: 1)
        let step = StepBatch(
            tokens: [Int32](repeating: 0, count: shape.tokens), positions: [Int32](repeating: 0, count: shape.tokens),
            tokenSequence: [Int32](repeating: 0, count: shape.tokens), pageTables: [0], pageTableStride: 1,
            logitRows: [0])
        let prepared = backend.prepare(step: step, adapters: adapters)
        let r = adapters.maxRank
        let inWidth = widths.inputWidth(.up)
        let outWidth = widths.outputWidth(.up)
        let xValues = CPUBackendOpTests.values(shape.tokens * inWidth, seed: 5)
        let x = backend.upload(xValues)
        let uFast = backend.makeTensor(count: shape.tokens * r)
        let uReference = backend.makeTensor(count: shape.tokens * r)
        backend.loraShrink(x, inWidth: inWidth, pool: pool, geometry: geometry, step: prepared, layer: 0, module: .up, u: uFast)
        backend.referenceLoraShrink(
            x, inWidth: inWidth, pool: pool, geometry: geometry, step: prepared, layer: 0, module: .up, u: uReference)
        let fast = backend.download(uFast, count: shape.tokens * r)
        let reference = backend.download(uReference, count: shape.tokens * r)
        for t in 0..<shape.tokens where tokenSlots[t] >= 0 {
            let scale = xValues[(t * inWidth)..<((t + 1) * inWidth)].reduce(0) { $0 + abs($1) }
            for j in 0..<shape.ranks[Int(tokenSlots[t])] {
                #expect(abs(fast[t * r + j] - reference[t * r + j]) <= 1e-5 * scale)
            }
        }

        let y0 = CPUBackendOpTests.values(shape.tokens * outWidth, seed: 6)
        let (yFast, yReference) = (backend.upload(y0), backend.upload(y0))
        backend.loraExpand(uReference, outWidth: outWidth, pool: pool, geometry: geometry, step: prepared, layer: 0, module: .up, y: yFast)
        backend.referenceLoraExpand(
            uReference, outWidth: outWidth, pool: pool, geometry: geometry, step: prepared, layer: 0, module: .up, y: yReference)
        #expect(backend.download(yFast, count: y0.count) == backend.download(yReference, count: y0.count))
    }
}
