// Scenario tests of adapter residency as the scheduler drives it (S-LoRA §1.2): adapters become
// resident before the step that needs them, idle ones stay (LRU) until KV needs their pages, adapters
// of queued requests are prefetched into free pages, and unloading waits for the last user.

import Engine
import MemoryPool
import Testing

@Suite("Scheduler adapter residency")
struct AdapterSchedulingTests {
    /// 3 adapters of 2 pages each (32 elements at 16 per page).
    static func harness(pages: Int, _ configuration: SchedulerConfiguration) -> SchedulerHarness {
        let h = SchedulerHarness(pages: pages, configuration: configuration)
        for a in 0..<3 { h.scheduler.registerAdapter(AdapterID(a), elementCount: 32) }
        return h
    }

    /// Oracle: the step's adapters are in `adaptersToLoad` (once) and `adapterPages` before it runs.
    @Test func adaptersBecomeResidentBeforeTheirStep() throws {
        let h = Self.harness(pages: 20, SchedulerConfiguration(prefetchAdapters: false))
        try h.add(0, prompt: 4, adapter: 0)
        try h.add(1, prompt: 4, adapter: 0)
        try h.add(2, prompt: 4, adapter: 1)
        let first = h.step()
        #expect(first.adaptersToLoad.map(\.adapter) == [AdapterID(0), AdapterID(1)])
        #expect(first.adaptersToLoad.allSatisfy { $0.pages.count == 2 })
        #expect(Set(first.adapterPages.keys) == [AdapterID(0), AdapterID(1)])
        #expect(h.step().adaptersToLoad.isEmpty)
    }

    /// Oracle: LRU — idle adapters stay resident while pages allow; when pages run short the least
    /// recently used idle one is evicted, never one a running request uses.
    @Test func idleAdaptersStayUntilPagesRunShortThenLeastRecentlyUsedGoes() throws {
        // 6 pages: two adapters (4) + one request's KV (1) fit; a third adapter needs an eviction.
        let h = Self.harness(pages: 6, SchedulerConfiguration(maxRunningRequests: 1, prefetchAdapters: false))
        try h.add(0, prompt: 4, adapter: 0, maxTokens: 1)
        h.runToCompletion()
        try h.add(1, prompt: 4, adapter: 1, maxTokens: 1)
        h.runToCompletion()
        #expect(h.scheduler.adapters.residentIDs == [AdapterID(0), AdapterID(1)])
        try h.add(2, prompt: 4, adapter: 0, maxTokens: 1)  // reuse: no load, 0 becomes most recent
        #expect(h.step().adaptersToLoad.isEmpty)
        try h.add(3, prompt: 4, adapter: 2, maxTokens: 1)
        let third = h.step()
        #expect(third.adaptersToLoad.map(\.adapter) == [AdapterID(2)])
        #expect(h.scheduler.adapters.residentIDs == [AdapterID(0), AdapterID(2)])  // 1 was least recent
    }

    /// Oracle: S-LoRA prefetch — while a request waits (here behind the running cap) its adapter is
    /// loaded into free pages, so the step that admits it loads nothing.
    @Test func adaptersOfWaitingRequestsArePrefetched() throws {
        let h = Self.harness(pages: 20, SchedulerConfiguration(maxRunningRequests: 1))
        try h.add(0, prompt: 4, adapter: 0, maxTokens: 2)
        try h.add(1, prompt: 4, adapter: 1, maxTokens: 2)
        let first = h.step()
        #expect(first.chunks.map(\.request) == [RequestID(0)])
        #expect(first.adaptersToLoad.map(\.adapter) == [AdapterID(0), AdapterID(1)])
        h.step()  // 0 finishes
        let admitted = h.step()
        #expect(admitted.chunks.map(\.request) == [RequestID(1)])
        #expect(admitted.adaptersToLoad.isEmpty)
    }

    /// Oracle: prefetch never takes pages running requests need to grow, and KV needs evict prefetched
    /// adapters rather than preempting.
    @Test func prefetchedAdaptersYieldToKV() throws {
        let h = Self.harness(pages: 6, SchedulerConfiguration(maxRunningRequests: 1))
        try h.add(0, prompt: 3, maxTokens: 10)
        try h.add(1, prompt: 3, adapter: 0)
        h.step()  // 0 holds 1 page, keeps 1 in reserve; adapter 0 (2 pages) is prefetched
        #expect(h.scheduler.adapters.isResident(AdapterID(0)))
        h.runToCompletion()
        #expect(h.scheduler.preemptionCount == 0)
        #expect(h.finished == [RequestID(0), RequestID(1)])
    }

    /// Oracle: unload semantics (formats-and-api.md §F.3) — a retired adapter serves the requests that
    /// named it until the last finishes, refuses new ones, then frees its pages and is reported released.
    @Test func retiredAdapterServesItsRequestsThenFreesPages() throws {
        let h = Self.harness(pages: 20, SchedulerConfiguration(maxRunningRequests: 1))
        try h.add(0, prompt: 4, adapter: 0, maxTokens: 3)
        try h.add(1, prompt: 4, adapter: 0, maxTokens: 3)  // waiting when the adapter is retired
        h.step()
        h.scheduler.retireAdapter(AdapterID(0))
        #expect(throws: SchedulerRejection.unknownAdapter(AdapterID(0))) { try h.add(2, prompt: 4, adapter: 0) }
        var released: [AdapterID] = []
        while h.scheduler.hasWork { released += h.step().releasedAdapters }
        released += h.step().releasedAdapters
        #expect(h.finished == [RequestID(0), RequestID(1)])
        #expect(released == [AdapterID(0)])
        #expect(!h.scheduler.adapters.isKnown(AdapterID(0)))
        #expect(h.scheduler.pool.usedPageCount == 0)
    }

    /// Oracle: vLLM's `max_loras` — a step never uses more distinct adapters than the cap; the next
    /// request waits (FCFS) rather than being skipped over.
    @Test func distinctAdaptersPerStepAreCapped() throws {
        let h = Self.harness(pages: 40, SchedulerConfiguration(maxAdaptersPerStep: 2, prefetchAdapters: false))
        try h.add(0, prompt: 2, adapter: 0, maxTokens: 2)
        try h.add(1, prompt: 2, adapter: 1, maxTokens: 2)
        try h.add(2, prompt: 2, adapter: 2, maxTokens: 2)
        try h.add(3, prompt: 2, adapter: 0, maxTokens: 2)
        let first = h.step()
        #expect(first.chunks.map(\.request) == [RequestID(0), RequestID(1)])
        #expect(Set(first.chunks.compactMap(\.adapter)).count == 2)
        h.runToCompletion()
        #expect(Set(h.finished) == Set((0..<4).map { RequestID($0) }))
    }
}
