// Tests of PageGeometry's KV addressing and page counts.

import MemoryPool
import PropertyBased
import Testing

@Suite struct PageGeometryTests {
    /// Oracle: injectivity of `kvOffset`. For random small geometries, two sequences interleaved in
    /// one pool: the `[kvWidth]` rows of all (sequence, layer, position, K/V) never overlap, each
    /// lies inside one page owned by its sequence, and they fill exactly `2 · L · tokens · kvWidth` elements.
    @Test func kvRowsNeverOverlap() async {
        await propertyCheck(
            count: 80, input: Gen.int(in: 1...4), Gen.int(in: 1...5), Gen.int(in: 1...4), Gen.int(in: 1...10),
            Gen.int(in: 1...10)
        ) { layerCount, kvWidth, tokensPerPage, tokensA, tokensB in
            let geometry = PageGeometry(layerCount: layerCount, kvWidth: kvWidth, tokensPerPage: tokensPerPage)
            let pool = PagePool(pageCount: 2 * geometry.kvPageCount(tokenCount: 10))
            var tables = [SequencePageTable(geometry: geometry), SequencePageTable(geometry: geometry)]
            let tokenCounts = [tokensA, tokensB]
            // Interleave growth one token at a time so the two tables' pages are mixed in the pool.
            for t in 1...max(tokensA, tokensB) {
                for s in 0..<2 where t <= tokenCounts[s] {
                    let reserved = tables[s].reserve(tokenCount: t, in: pool, owner: SequenceSlotID(s))
                    #expect(reserved)
                }
            }
            var used = Set<Int>()
            let perPage = geometry.elementsPerPage
            for s in 0..<2 {
                for layer in 0..<layerCount {
                    for position in 0..<tokenCounts[s] {
                        for isValue in [false, true] {
                            let start = tables[s].kvOffset(layer: layer, position: position, isValue: isValue)
                            let page = PageIndex(start / perPage)
                            #expect((start + kvWidth - 1) / perPage == start / perPage, "row straddles a page")
                            #expect(pool.owner(of: page) == .sequence(SequenceSlotID(s)))
                            for e in start..<(start + kvWidth) {
                                #expect(used.insert(e).inserted, "element \(e) addressed twice")
                            }
                        }
                    }
                }
            }
            #expect(used.count == 2 * layerCount * (tokensA + tokensB) * kvWidth)
        }
    }

    /// Oracle: hand arithmetic of the documented layout `[2][tokensPerPage][kvWidth]` for 2 layers,
    /// kvWidth 3, 2 tokens per page, table [5, 9, 4, 7]: position 3 of layer 1 is in block 1 → page 7.
    @Test func kvOffsetByHand() {
        let geometry = PageGeometry(layerCount: 2, kvWidth: 3, tokensPerPage: 2)
        #expect(geometry.elementsPerPage == 12)
        let table = [PageIndex(5), PageIndex(9), PageIndex(4), PageIndex(7)]
        #expect(geometry.kvOffset(pageTable: table, layer: 1, position: 3, isValue: false) == 7 * 12 + 3)
        #expect(geometry.kvOffset(pageTable: table, layer: 1, position: 3, isValue: true) == 7 * 12 + 6 + 3)
        #expect(geometry.kvOffset(pageTable: table, layer: 0, position: 0, isValue: true) == 5 * 12 + 6)
        #expect(geometry.kvPageCount(tokenCount: 0) == 0)
        #expect(geometry.kvPageCount(tokenCount: 3) == 4)
        #expect(geometry.adapterPageCount(elementCount: 12) == 1)
        #expect(geometry.adapterPageCount(elementCount: 13) == 2)
    }
}
