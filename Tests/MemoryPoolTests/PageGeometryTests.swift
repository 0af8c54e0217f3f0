// Tests of PageGeometry's KV addressing and page counts.

import MemoryPool
import PropertyBased
import Testing

@Suite struct PageGeometryTests {
    /// Oracle: injectivity of `kvOffset`. For random small geometries (whole-row and head-major pages),
    /// two sequences interleaved in one pool: the elements of all (sequence, layer, position, K/V, column)
    /// never overlap, each lies in a page owned by its sequence, each head's columns are contiguous, and
    /// they fill exactly `2 · L · tokens · kvWidth` elements.
    @Test func kvRowsNeverOverlap() async {
        await propertyCheck(
            count: 80, input: Gen.int(in: 1...4), Gen.int(in: 1...5), Gen.int(in: 1...4), Gen.int(in: 1...10),
            Gen.int(in: 1...10), Gen.int(in: 1...3)
        ) { layerCount, headDim, tokensPerPage, tokensA, tokensB, heads in
            let kvWidth = headDim * heads
            let geometry = PageGeometry(
                layerCount: layerCount, kvWidth: kvWidth, tokensPerPage: tokensPerPage, headDim: heads == 1 ? nil : headDim)
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
                            for c in 0..<kvWidth {
                                let e = tables[s].kvOffset(layer: layer, position: position, isValue: isValue, column: c)
                                let headStart = tables[s].kvOffset(
                                    layer: layer, position: position, isValue: isValue, column: c - c % headDim)
                                #expect(e == headStart + c % headDim, "a head's columns are not contiguous")
                                #expect(pool.owner(of: PageIndex(e / perPage)) == .sequence(SequenceSlotID(s)))
                                #expect(used.insert(e).inserted, "element \(e) addressed twice")
                            }
                        }
                    }
                }
            }
            #expect(used.count == 2 * layerCount * (tokensA + tokensB) * kvWidth)
        }
    }

    /// Oracle: hand arithmetic of the head-major layout `[2][heads][tokensPerPage][headDim]`: kvWidth 4 as 2
    /// heads of 2, 3 tokens per page (24 elements), table [5, 9]: K of position 1, column 3 (head 1, dim 1)
    /// is at 5·24 + 1·(3·2) + 1·2 + 1; its V is 3·4 further.
    @Test func headMajorOffsetByHand() {
        let geometry = PageGeometry(layerCount: 1, kvWidth: 4, tokensPerPage: 3, headDim: 2)
        #expect(geometry.elementsPerPage == 24)
        let table = [PageIndex(5), PageIndex(9)]
        #expect(geometry.kvOffset(pageTable: table, layer: 0, position: 1, isValue: false, column: 3) == 120 + 6 + 2 + 1)
        #expect(geometry.kvOffset(pageTable: table, layer: 0, position: 1, isValue: true, column: 3) == 120 + 12 + 6 + 2 + 1)
        // Position 4 is slot 1 of block 1 → page 9.
        #expect(geometry.kvOffset(pageTable: table, layer: 0, position: 4, isValue: false, column: 0) == 9 * 24 + 2)
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
