// The separate-pools ablation of unified paging (SchedulerConfiguration.adapterPageShare): adapters live
// only in their region and KV only in the rest, whatever the other region has free.

import Engine
import MemoryPool
import Testing

@Suite("Scheduler separate pools (ablation)")
struct SeparatePoolsTests {
    /// Oracle: invariant — after every step of a mixed workload, resident adapter pages ≤ the adapter
    /// share and KV pages ≤ the rest; every request still finishes (by eviction and preemption).
    @Test(arguments: [2, 4, 6])
    func regionsNeverLendToEachOther(share: Int) throws {
        let pages = 16
        let h = SchedulerHarness(pages: pages, configuration: SchedulerConfiguration(adapterPageShare: share))
        for a in 0..<4 { h.scheduler.registerAdapter(AdapterID(a), elementCount: 32) }  // 2 pages each
        for r in 0..<12 { try h.add(r, prompt: 3 + r % 5, adapter: r % 3 == 2 ? nil : r % 4, maxTokens: 2 + r % 4) }
        var steps = 0
        while h.scheduler.hasWork && steps < 500 {
            h.step()
            steps += 1
            let adapterPages = h.scheduler.adapters.residentPageCount
            #expect(adapterPages <= share)
            #expect(h.scheduler.pool.usedPageCount - adapterPages <= pages - share)
        }
        #expect(h.finished.count == 12)
    }

    /// Oracle: the unified pool lends idle adapter space to KV; with a 4-page adapter region the same
    /// request must wait for KV room instead (here: it does not fit at all and is refused at add).
    @Test func kvCannotUseTheAdapterRegion() throws {
        let unified = SchedulerHarness(pages: 8, configuration: SchedulerConfiguration())
        try unified.add(0, prompt: 28, maxTokens: 1)  // 7 KV pages of 8
        let separate = SchedulerHarness(pages: 8, configuration: SchedulerConfiguration(adapterPageShare: 4))
        #expect(throws: SchedulerRejection.self) { try separate.add(0, prompt: 28, maxTokens: 1) }
    }
}
