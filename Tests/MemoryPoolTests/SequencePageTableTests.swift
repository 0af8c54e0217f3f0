// Tests of SequencePageTable: all-or-nothing growth from a shared pool, and release.

import MemoryPool
import PropertyBased
import Testing

/// `table.reserve(…)` as a free function, so that its result can go straight into `#expect`.
private func reserve(_ table: inout SequencePageTable, tokenCount: Int, in pool: PagePool, owner: SequenceSlotID) -> Bool {
    table.reserve(tokenCount: tokenCount, in: pool, owner: owner)
}

@Suite struct SequencePageTableTests {
    /// Oracle: invariants of growth over random reservations by 3 sequences on a 30-page pool
    /// (3 layers, 4 tokens per page). After a successful reserve the table covers the largest
    /// request so far with the fewest blocks (`pages.count == kvPageCount(maxRequested)`); a failed
    /// reserve happens only when the missing pages exceed the free ones, and leaves table and pool unchanged.
    @Test func growthIsAllOrNothing() async {
        let geometry = PageGeometry(layerCount: 3, kvWidth: 2, tokensPerPage: 4)
        let steps = zip(Gen.int(in: 0...2), Gen.int(in: 0...40)).array(of: 1...30)
        await propertyCheck(count: 60, input: steps) { steps in
            let pool = PagePool(pageCount: 30)
            var tables = Array(repeating: SequencePageTable(geometry: geometry), count: 3)
            var covered = [0, 0, 0]
            for (i, tokenCount) in steps {
                let before = tables[i]
                let freeBefore = pool.freePageCount
                let missing = geometry.kvPageCount(tokenCount: tokenCount) - before.pages.count
                let ok = tables[i].reserve(tokenCount: tokenCount, in: pool, owner: SequenceSlotID(i))
                if ok {
                    covered[i] = max(covered[i], tokenCount)
                    #expect(tables[i].capacityTokens >= covered[i])
                    #expect(tables[i].pages.count == geometry.kvPageCount(tokenCount: covered[i]))
                    #expect(Array(tables[i].pages.prefix(before.pages.count)) == before.pages, "existing pages moved")
                    #expect(pool.freePageCount == freeBefore - max(0, missing))
                } else {
                    #expect(missing > freeBefore)
                    #expect(tables[i] == before)
                    #expect(pool.freePageCount == freeBefore)
                }
                #expect(tables[i].capacityTokens % geometry.tokensPerPage == 0)
                #expect(tables[i].pages.count % geometry.layerCount == 0)
                #expect(tables[i].pages.allSatisfy { pool.owner(of: $0) == .sequence(SequenceSlotID(i)) })
            }
            for i in 0..<3 { tables[i].release(to: pool) }
            #expect(pool.freePageCount == pool.pageCount)
        }
    }

    /// Oracle: page counts by hand for 2 layers, 4 tokens per page: 0 tokens → 0 pages, 1–4 → 2,
    /// 5 → 4; release returns them all and empties the table, which can then serve another sequence.
    @Test func reserveAndReleaseByHand() throws {
        let geometry = PageGeometry(layerCount: 2, kvWidth: 8, tokensPerPage: 4)
        let pool = PagePool(pageCount: 10)
        var table = SequencePageTable(geometry: geometry)
        #expect(reserve(&table, tokenCount: 0, in: pool, owner: SequenceSlotID(7)))
        #expect(table.pages.isEmpty && table.capacityTokens == 0 && table.owner == nil)
        #expect(reserve(&table, tokenCount: 4, in: pool, owner: SequenceSlotID(7)))
        #expect(table.pages.count == 2 && table.capacityTokens == 4 && table.blockCount == 1)
        #expect(reserve(&table, tokenCount: 5, in: pool, owner: SequenceSlotID(7)))
        #expect(table.pages.count == 4 && table.capacityTokens == 8)
        #expect(table.page(block: 1, layer: 0) == table.pages[2])
        #expect(!reserve(&table, tokenCount: 21, in: pool, owner: SequenceSlotID(7)))
        #expect(table.pages.count == 4 && pool.freePageCount == 6)
        let released = table.release(to: pool)
        #expect(released == 4)
        #expect(table.pages.isEmpty && table.owner == nil && pool.freePageCount == 10)
        #expect(reserve(&table, tokenCount: 1, in: pool, owner: SequenceSlotID(8)))
        #expect(table.owner == SequenceSlotID(8))
    }
}
