// Scenario tests of the pure scheduler on a tiny page geometry with a fixed clock: the token budget,
// chunked prefill, preemption by recompute, S-LoRA early abort, the queue bound and page accounting.

import Engine
import MemoryPool
import Testing

@Suite("Scheduler scenarios")
struct SchedulerTests {
    /// Oracle: the vLLM v1 rule — running decodes first, then prefill chunks, never above the budget.
    @Test func budgetGoesToDecodesFirstThenPrefillChunks() throws {
        let h = SchedulerHarness(pages: 64, configuration: SchedulerConfiguration(stepTokenBudget: 8))
        try h.add(0, prompt: 3, maxTokens: 10)
        try h.add(1, prompt: 3, maxTokens: 10)
        #expect(SchedulerHarness.plan(h.step()).map(\.1) == [3, 3])
        try h.add(2, prompt: 20, maxTokens: 2)
        let second = h.step()
        #expect(SchedulerHarness.plan(second).map(\.0) == [0, 1, 2])
        #expect(SchedulerHarness.plan(second).map(\.1) == [1, 1, 6])
        #expect(second.chunks[2].startPosition == 0 && !second.chunks[2].samples)
        #expect(second.tokenCount == 8)
        let third = h.step()
        #expect(SchedulerHarness.plan(third).map(\.1) == [1, 1, 6])
        #expect(third.chunks[2].startPosition == 6)
    }

    /// Oracle: a prompt longer than the budget is cut into consecutive chunks that cover it exactly;
    /// only the last samples.
    @Test func longPromptIsPrefilledInChunks() throws {
        let h = SchedulerHarness(pages: 64, configuration: SchedulerConfiguration(stepTokenBudget: 4))
        try h.add(0, prompt: 10, maxTokens: 1)
        let steps = (0..<3).map { _ in h.step() }
        #expect(steps.map { $0.chunks[0].startPosition } == [0, 4, 8])
        #expect(steps.map { $0.chunks[0].tokens } == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]])
        #expect(steps.map { $0.chunks[0].samples } == [false, false, true])
        // Pages grow with the chunks: 4, 8, 10 tokens → 1, 2, 3 pages.
        #expect(steps.map { $0.chunks[0].pageTable.count } == [1, 2, 3])
        #expect(h.finished == [RequestID(0)])
    }

    /// Oracle: vLLM's recompute preemption — when a running request cannot grow, the newest running
    /// request loses its pages and goes to the front of the queue; it resumes with its prompt plus
    /// generated tokens recomputed from position 0.
    @Test func outOfPagesPreemptsNewestAndResumesByRecompute() throws {
        let h = SchedulerHarness(pages: 4, configuration: SchedulerConfiguration(stepTokenBudget: 16))
        try h.add(0, prompt: 7, maxTokens: 8)
        try h.add(1, prompt: 7, maxTokens: 8)
        h.step()  // both prefill: 2 pages each, the pool is full
        h.step()  // both decode position 7: still 2 pages each
        #expect(h.scheduler.pool.freePageCount == 0)
        let third = h.step()  // 0 needs a third page: 1 (newest) is preempted
        #expect(third.preempted == [RequestID(1)])
        #expect(SchedulerHarness.plan(third).map(\.0) == [0])
        #expect(h.scheduler.waiting == [RequestID(1)])
        #expect(h.scheduler.kvPageCount(of: RequestID(1)) == 0)
        #expect(h.scheduler.preemptionCount == 1)
        while !h.finished.contains(RequestID(0)) { h.step() }
        let resumed = h.step()
        #expect(resumed.chunks.map(\.request) == [RequestID(1)])
        #expect(resumed.chunks[0].startPosition == 0)
        #expect(resumed.chunks[0].tokens == [1, 2, 3, 4, 5, 6, 7, 7, 7])  // prompt + 2 generated
        #expect(resumed.chunks[0].generatedCount == 2)
        h.runToCompletion()
        #expect(h.generated[RequestID(1)] == 8)
        #expect(h.scheduler.pool.usedPageCount == 0)
    }

    /// Oracle: S-LoRA early abort — a waiting request whose prefill cannot end before arrival + SLO
    /// (at the observed step time) is dropped and counted; one that can still make it stays.
    @Test func earlyAbortDropsRequestsThatMissTheirFirstTokenDeadline() throws {
        let h = SchedulerHarness(
            pages: 64,
            configuration: SchedulerConfiguration(
                stepTokenBudget: 4, maxRunningRequests: 1, timeToFirstTokenSLO: .seconds(2)))
        h.scheduler.observeStep(seconds: 1)
        try h.add(0, prompt: 4, maxTokens: 50)  // 1 step of prefill: meets the deadline
        try h.add(1, prompt: 12, maxTokens: 1)  // 3 steps of prefill at 1 s: 3 s > 2 s
        try h.add(2, prompt: 4, maxTokens: 1, arrival: 0)
        let first = h.step(at: 0)
        #expect(first.aborted == [RequestID(1)])
        #expect(first.chunks.map(\.request) == [RequestID(0)])
        #expect(h.scheduler.contains(RequestID(2)))
        // Request 2 keeps waiting behind 0 (one running at most) until its deadline passes.
        let later = h.step(at: 1.5)
        #expect(later.aborted == [RequestID(2)])
        #expect(h.scheduler.earlyAbortCount == 2)
        #expect(!h.scheduler.contains(RequestID(2)))
    }

    /// Oracle: the queue bound — adding beyond `maxWaitingRequests` is refused; a request that can never
    /// fit the pool is refused at once.
    @Test func queueBoundAndPoolFitAreCheckedAtAdd() throws {
        let h = SchedulerHarness(pages: 8, configuration: SchedulerConfiguration(maxWaitingRequests: 2))
        try h.add(0, prompt: 4)
        try h.add(1, prompt: 4)
        #expect(throws: SchedulerRejection.queueFull(limit: 2)) { try h.add(2, prompt: 4) }
        h.step()  // both start running: the queue is empty again
        try h.add(2, prompt: 4)
        #expect(throws: SchedulerRejection.doesNotFit(needPages: 9, poolPages: 8)) {
            try h.add(3, prompt: 30, maxTokens: 6)
        }
        #expect(throws: SchedulerRejection.unknownAdapter(AdapterID(5))) { try h.add(4, prompt: 4, adapter: 5) }
    }

    /// Oracle: page accounting invariant — after every request finishes or is cancelled, only resident
    /// adapters hold pages, and none once they are retired.
    @Test func pagesReturnToZeroAfterFinishCancelAndRetire() throws {
        let h = SchedulerHarness(pages: 40, configuration: SchedulerConfiguration(stepTokenBudget: 6))
        h.scheduler.registerAdapter(AdapterID(0), elementCount: 40)  // 3 pages
        for i in 0..<6 { try h.add(i, prompt: 3 + i, adapter: i % 2 == 0 ? 0 : nil, maxTokens: 5) }
        h.step()
        h.step()
        #expect(h.scheduler.cancelAndCheck(RequestID(1)))
        #expect(h.scheduler.cancelAndCheck(RequestID(5)))  // still waiting
        h.runToCompletion()
        #expect(!h.scheduler.hasWork)
        #expect(h.scheduler.pool.usedPageCount == h.scheduler.adapters.residentPageCount)
        #expect(h.scheduler.adapters.residentPageCount == 3)
        h.scheduler.retireAdapter(AdapterID(0))
        #expect(h.scheduler.pool.usedPageCount == 0)
        #expect(h.step().releasedAdapters == [AdapterID(0)])
    }
}

extension Scheduler {
    /// Cancels `id` and checks its KV pages are free at once.
    func cancelAndCheck(_ id: RequestID) -> Bool {
        let before = pool.usedPageCount
        let held = kvPageCount(of: id)
        return finish(id) && pool.usedPageCount == before - held
    }
}
