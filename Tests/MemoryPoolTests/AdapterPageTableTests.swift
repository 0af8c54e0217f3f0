// Tests of AdapterPageTable: allocation from the shared pool and stream → pool addressing.

import MemoryPool
import PropertyBased
import Testing

@Suite struct AdapterPageTableTests {
    /// Oracle: the documented addressing (element e at offset e % E of page pages[e / E]). For random
    /// stream sizes and page sizes, with a sequence holding pages in between: `poolRanges` of the whole
    /// stream are per-page, lie in the adapter's pages, agree with `poolOffset` element by element,
    /// and cover `elementCount` distinct elements; the tail waste is `pages · E − elementCount` (< E).
    @Test func poolRangesCoverTheStreamExactly() async throws {
        await propertyCheck(count: 80, input: Gen.int(in: 0...60), Gen.int(in: 1...4), Gen.int(in: 1...3)) {
            elementCount, kvWidth, tokensPerPage in
            let geometry = PageGeometry(layerCount: 2, kvWidth: kvWidth, tokensPerPage: tokensPerPage)
            let pool = PagePool(pageCount: 80)
            _ = pool.allocate(3, for: .sequence(SequenceSlotID(0)))
            guard var table = AdapterPageTable.allocate(
                elementCount: elementCount, geometry: geometry, pool: pool, owner: AdapterSlotID(3))
            else {
                Issue.record("80 pages should hold \(elementCount) elements")
                return
            }
            let perPage = geometry.elementsPerPage
            #expect(table.pages.count == geometry.adapterPageCount(elementCount: elementCount))
            #expect(table.tailWasteElementCount == table.pages.count * perPage - elementCount)
            #expect(table.tailWasteElementCount < perPage || elementCount == 0)
            let ranges = table.poolRanges(ofElements: 0..<elementCount)
            var stream = 0
            var seen = Set<Int>()
            for range in ranges {
                #expect((range.upperBound - 1) / perPage == range.lowerBound / perPage, "range crosses a page")
                #expect(pool.owner(of: PageIndex(range.lowerBound / perPage)) == .adapter(AdapterSlotID(3)))
                for poolElement in range {
                    #expect(table.poolOffset(ofElement: stream) == poolElement)
                    #expect(seen.insert(poolElement).inserted)
                    stream += 1
                }
            }
            #expect(stream == elementCount)
            #expect(ranges.count == table.pages.count)
            let released = table.release(to: pool)
            #expect(released == geometry.adapterPageCount(elementCount: elementCount))
            #expect(pool.freePageCount == 77)
        }
    }

    /// Oracle: out of pages is a nil result with nothing allocated; the freed KV pages of a sequence
    /// then hold the adapter (unified pool).
    @Test func allocationIsAllOrNothing() throws {
        let geometry = PageGeometry(layerCount: 1, kvWidth: 2, tokensPerPage: 2)  // 8 elements per page
        let pool = PagePool(pageCount: 4)
        var kv = SequencePageTable(geometry: geometry)
        let reserved = kv.reserve(tokenCount: 6, in: pool, owner: SequenceSlotID(0))
        #expect(reserved)
        #expect(AdapterPageTable.allocate(elementCount: 9, geometry: geometry, pool: pool, owner: AdapterSlotID(0)) == nil)
        #expect(pool.freePageCount == 1 && pool.pages(of: .adapter(AdapterSlotID(0))).isEmpty)
        let oldKV = Set(kv.pages)
        kv.release(to: pool)
        let table = try #require(
            AdapterPageTable.allocate(elementCount: 25, geometry: geometry, pool: pool, owner: AdapterSlotID(0)))
        #expect(table.pages.count == 4 && Set(table.pages).isSuperset(of: oldKV))
        #expect(table.tailWasteElementCount == 7)
        #expect(table.poolRanges(ofElements: 6..<10).map(\.count) == [2, 2])
    }
}
