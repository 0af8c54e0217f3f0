// Tests of PagePool: ownership bookkeeping under random allocate/free/freeAll by many owners of both kinds.

import MemoryPool
import PropertyBased
import Testing

// MARK: - Model

/// One random pool operation: `kind` 0–1 allocate, 2 free some, 3 free all; `owner` 0–3 sequences, 4–7 adapters.
private struct PoolOperation: Sendable, CustomStringConvertible {
    let kind: Int
    let ownerIndex: Int
    let count: Int

    var owner: PageOwner {
        ownerIndex < 4 ? .sequence(SequenceSlotID(ownerIndex)) : .adapter(AdapterSlotID(ownerIndex - 4))
    }
    var description: String { "(\(["alloc", "alloc", "free", "freeAll"][kind]) \(owner) \(count))" }
}

private let operationGen = zip(Gen.int(in: 0...3), Gen.int(in: 0...7), Gen.int(in: 0...12))
    .map { PoolOperation(kind: $0, ownerIndex: $1, count: $2) }

private let allOwners: [PageOwner] = (0..<8).map { PoolOperation(kind: 0, ownerIndex: $0, count: 0).owner }

/// Every page's owner, as the pool reports it.
private func ownerMap(_ pool: PagePool) -> [PageOwner?] {
    (0..<pool.pageCount).map { pool.owner(of: PageIndex($0)) }
}

/// Checks the pool against the test's model (`held[owner]` = the pages that owner was given and has not freed).
private func expectConsistent(_ pool: PagePool, _ held: [PageOwner: Set<PageIndex>]) {
    #expect(pool.usedPageCount + pool.freePageCount == pool.pageCount)
    #expect(pool.usedPageCount == held.values.reduce(0) { $0 + $1.count })
    for owner in allOwners {
        let model = held[owner] ?? []
        let reported = pool.pages(of: owner)
        #expect(reported.count == Set(reported).count, "\(owner) lists a page twice")
        #expect(Set(reported) == model)
        #expect(pool.pageCount(of: owner) == model.count)
    }
    for page in 0..<pool.pageCount {
        let index = PageIndex(page)
        let modelOwners = allOwners.filter { held[$0]?.contains(index) == true }
        #expect(modelOwners.count <= 1, "\(index) owned by \(modelOwners)")
        #expect(pool.owner(of: index) == modelOwners.first)
    }
    #expect(Set(pool.owners) == Set(held.filter { !$0.value.isEmpty }.keys))
}

// MARK: - Tests

@Suite struct PagePoolTests {
    /// Oracle: invariants after every step of a random run of allocate / free / freeAll by 4 sequences
    /// and 4 adapters on a 40-page pool, checked against a set-based model: used + free == total; no
    /// page owned twice; every allocated page is owned by exactly the owner that got it; allocation
    /// fails exactly when fewer pages are free than asked, and a failed allocation changes nothing.
    @Test func randomOperationsKeepOwnershipConsistent() async {
        await propertyCheck(count: 60, input: operationGen.array(of: 1...60)) { operations in
            let pool = PagePool(pageCount: 40)
            var held: [PageOwner: Set<PageIndex>] = [:]
            for op in operations {
                switch op.kind {
                case 0, 1:
                    let freeBefore = pool.freePageCount
                    let before = ownerMap(pool)
                    if let pages = pool.allocate(op.count, for: op.owner) {
                        #expect(op.count <= freeBefore)
                        #expect(pages.count == op.count)
                        for page in pages {
                            #expect(before[Int(page.rawValue)] == nil, "\(page) handed out while owned")
                        }
                        held[op.owner, default: []].formUnion(pages)
                    } else {
                        #expect(op.count > freeBefore)
                        #expect(ownerMap(pool) == before && pool.freePageCount == freeBefore)
                    }
                case 2:
                    let some = Array((held[op.owner] ?? []).sorted().prefix(op.count))
                    pool.free(some, from: op.owner)
                    held[op.owner]?.subtract(some)
                default:
                    let freed = pool.freeAll(of: op.owner)
                    #expect(freed == (held[op.owner]?.count ?? 0))
                    held[op.owner] = nil
                }
                expectConsistent(pool, held)
            }
        }
    }

    /// Oracle: with the pool full, any allocation must reuse freed pages; so a page freed by a sequence
    /// is taken by an adapter, and the same pages go back to a sequence (the pool is unified).
    @Test func pagesFreedByOneKindAreReusedByTheOther() throws {
        let pool = PagePool(pageCount: 6)
        let sequence = PageOwner.sequence(SequenceSlotID(1))
        let adapter = PageOwner.adapter(AdapterSlotID(1))
        let seqPages = try #require(pool.allocate(6, for: sequence))
        #expect(pool.allocate(1, for: adapter) == nil)
        pool.free(Array(seqPages.prefix(4)), from: sequence)
        let adapterPages = try #require(pool.allocate(4, for: adapter))
        #expect(Set(adapterPages) == Set(seqPages.prefix(4)))
        #expect(adapterPages.allSatisfy { pool.owner(of: $0) == adapter })
        #expect(pool.freeAll(of: adapter) == 4)
        let again = try #require(pool.allocate(4, for: .sequence(SequenceSlotID(2))))
        #expect(Set(again) == Set(adapterPages))
        #expect(pool.freePageCount == 0)
    }

    /// Oracle: an allocation larger than the free count returns nil and leaves every page's owner,
    /// the free count and the owner lists unchanged; zero pages always succeed.
    @Test func outOfPagesReturnsNilAndChangesNothing() throws {
        let pool = PagePool(pageCount: 5)
        let a = PageOwner.adapter(AdapterSlotID(0))
        let s = PageOwner.sequence(SequenceSlotID(0))
        _ = try #require(pool.allocate(3, for: a))
        let before = ownerMap(pool)
        #expect(pool.allocate(3, for: s) == nil)
        #expect(pool.allocate(3, for: a) == nil)
        #expect(!pool.canAllocate(3) && pool.canAllocate(2))
        #expect(ownerMap(pool) == before)
        #expect(pool.freePageCount == 2 && pool.pages(of: s).isEmpty && pool.pageCount(of: a) == 3)
        #expect(pool.allocate(0, for: s) == [])
        #expect(pool.owners == [a])
    }

    /// Oracle: a fresh pool hands out pages 0, 1, 2, … in order, and reuses the most recently freed
    /// page first (the documented LIFO free stack).
    @Test func allocationOrderIsDeterministic() throws {
        let pool = PagePool(pageCount: 4)
        let s = PageOwner.sequence(SequenceSlotID(0))
        #expect(try #require(pool.allocate(3, for: s)) == [PageIndex(0), PageIndex(1), PageIndex(2)])
        pool.free([PageIndex(1)], from: s)
        #expect(try #require(pool.allocate(1, for: s)) == [PageIndex(1)])
    }

    /// Oracle: the documented precondition. A double free, or freeing another owner's page, is a
    /// bug and stops the process (exit test: runs in a child process).
    @Test func doubleFreeTraps() async {
        await #expect(processExitsWith: .failure) {
            let pool = PagePool(pageCount: 2)
            let s = PageOwner.sequence(SequenceSlotID(0))
            let pages = pool.allocate(1, for: s) ?? []
            pool.free(pages, from: s)
            pool.free(pages, from: s)
        }
        await #expect(processExitsWith: .failure) {
            let pool = PagePool(pageCount: 2)
            let pages = pool.allocate(1, for: .sequence(SequenceSlotID(0))) ?? []
            _ = pool.allocate(1, for: .adapter(AdapterSlotID(0)))
            pool.free(pages, from: .adapter(AdapterSlotID(0)))
        }
    }
}
