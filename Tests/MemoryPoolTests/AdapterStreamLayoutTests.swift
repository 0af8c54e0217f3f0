// Tests of AdapterStreamLayout: the stream is the documented concatenation, with no gaps or overlaps.

import MemoryPool
import PropertyBased
import Testing

@Suite struct AdapterStreamLayoutTests {
    /// Oracle: the documented order (layer, then module in `allCases` order, A `[r, in]` then
    /// Bᵀ `[r, out]`). For random ranks (zeros = untargeted) and widths, the targeted matrices tile
    /// `[0, elementCount)` back to back with no gap or overlap, and `elementCount = Σ r · (in + out)`.
    @Test func offsetsAreContiguousAndNonOverlapping() async {
        let ranks = Gen.int(in: 0...4).array(of: LoRAModule.allCases.count).array(of: 1...4)
        let width = Gen.int(in: 1...9)
        await propertyCheck(count: 100, input: ranks, width, width, width, width) { ranks, h, q, kv, i in
            let widths = ProjectionWidths(hiddenSize: h, queryWidth: q, kvWidth: kv, intermediateSize: i)
            let layout = AdapterStreamLayout(ranks: ranks, widths: widths)
            var expectedOffset = 0
            var sum = 0
            for layer in 0..<ranks.count {
                for module in LoRAModule.allCases {
                    let rank = ranks[layer][module.index]
                    guard let entry = layout.entry(layer: layer, module: module) else {
                        #expect(rank == 0)
                        continue
                    }
                    let aCount = rank * widths.inputWidth(module)
                    let bCount = rank * widths.outputWidth(module)
                    #expect(entry.rank == rank)
                    #expect(entry.aOffset == expectedOffset, "gap or overlap before A of \(module) in layer \(layer)")
                    #expect(entry.bOffset == entry.aOffset + aCount, "gap or overlap between A and Bᵀ")
                    expectedOffset = entry.bOffset + bCount
                    sum += rank * (widths.inputWidth(module) + widths.outputWidth(module))
                }
            }
            #expect(layout.elementCount == expectedOffset)
            #expect(layout.elementCount == sum)
            #expect(layout.layerCount == ranks.count)
        }
    }

    /// Oracle: hand arithmetic for one layer, H 4, q 4, kv 2, I 6, rank 2 on k and down only:
    /// k: A [2, 4] at 0, Bᵀ [2, 2] at 8; down: A [2, 6] at 12, Bᵀ [2, 4] at 24; total 32.
    @Test func offsetsByHand() throws {
        let widths = ProjectionWidths(hiddenSize: 4, queryWidth: 4, kvWidth: 2, intermediateSize: 6)
        var ranks = Array(repeating: 0, count: 7)
        ranks[LoRAModule.k.index] = 2
        ranks[LoRAModule.down.index] = 2
        let layout = AdapterStreamLayout(ranks: [ranks], widths: widths)
        let k = try #require(layout.entry(layer: 0, module: .k))
        let down = try #require(layout.entry(layer: 0, module: .down))
        #expect((k.aOffset, k.bOffset) == (0, 8))
        #expect((down.aOffset, down.bOffset) == (12, 24))
        #expect(layout.elementCount == 32)
        #expect(layout.entry(layer: 0, module: .q) == nil)
    }
}
