// The engine's scheduler: pure, synchronous bookkeeping of which requests run how many tokens in each
// step, what pool pages they hold, and which adapters must be resident. It owns the PagePool (host-side
// page accounting) and the adapters' residency; it never touches tensors (style.md §3, "From vLLM v1").

import MemoryPool

/// Iteration-level continuous batching over one unified page pool.
///
/// **The rule (vLLM v1):** there is no prefill phase and no decode phase. Each request has a computed
/// token count and a total token count (prompt + generated). Each step gives tokens to requests so the
/// first catches up with the second, under a per-step token budget: running requests that decode (one
/// token left) first, then running requests still prefilling, then waiting requests in arrival order
/// (FCFS). A prompt longer than what is left of the budget runs as a chunk and continues next step.
///
/// **Pages:** a request holds KV pages for the tokens computed so far plus those of this step; a waiting
/// request is admitted only when its first chunk's pages and its adapter's pages (if not resident) fit,
/// after evicting idle adapters least recently used first. When a running request cannot grow, idle
/// adapters are evicted, then the newest running request is preempted: its pages are freed, its computed
/// count drops to 0 and it goes back to the front of the queue, to be recomputed (prompt + generated
/// tokens) when it resumes. No step admits new requests after a preemption.
///
/// **Adapters (S-LoRA):** adapters of running requests are pinned; idle ones stay resident until KV needs
/// the pages; with prefetch on, adapters of waiting requests are made resident ahead when pages are free.
///
/// **Early abort (S-LoRA):** with a first-token SLO, a waiting request that has produced nothing and whose
/// prefill, at the observed step time, cannot end before `arrival + SLO` is dropped and counted.
///
/// Single owner (the engine thread), deterministic: time only enters through `schedule(now:)` and
/// ``observeStep(seconds:)``.
public final class Scheduler {
    /// What the scheduler keeps per request.
    struct Record {
        let adapter: AdapterID?
        /// [promptCount + generated] every token so far.
        var tokens: [Int32]
        let promptCount: Int
        /// Tokens whose K/V are in the pool.
        var computed = 0
        var table: SequencePageTable
        let arrival: ContinuousClock.Instant

        var generatedCount: Int { tokens.count - promptCount }
        var remaining: Int { tokens.count - computed }
    }

    public let configuration: SchedulerConfiguration
    public let geometry: PageGeometry
    /// The unified pool's page accounting (KV pages and adapter pages).
    public let pool: PagePool
    public let adapters: AdapterResidency

    private var records: [RequestID: Record] = [:]
    /// Waiting requests; the first is admitted next.
    public private(set) var waiting: [RequestID] = []
    /// Running requests, oldest admission first (the last is preempted first).
    public private(set) var running: [RequestID] = []
    private var releasedAdapters: [AdapterID] = []

    /// Preemptions so far (vLLM `num_preemptions`).
    public private(set) var preemptionCount = 0
    /// Requests dropped by early abort so far.
    public private(set) var earlyAbortCount = 0
    /// Smoothed seconds per step (0 until the first ``observeStep(seconds:)``).
    public private(set) var stepSecondsEstimate = 0.0

    public init(configuration: SchedulerConfiguration, geometry: PageGeometry, pageCount: Int) {
        self.configuration = configuration
        self.geometry = geometry
        self.pool = PagePool(pageCount: pageCount)
        self.adapters = AdapterResidency(geometry: geometry, pool: pool)
    }

    // MARK: - Queries

    public var hasWork: Bool { !waiting.isEmpty || !running.isEmpty }
    public func contains(_ id: RequestID) -> Bool { records[id] != nil }
    public func isRunning(_ id: RequestID) -> Bool { running.contains(id) }
    /// Prompt plus generated tokens of `id`.
    public func tokens(of id: RequestID) -> [Int32]? { records[id]?.tokens }
    /// The adapter `id` uses.
    public func adapter(of id: RequestID) -> AdapterID? { records[id]?.adapter }
    /// KV pages `id` holds now.
    public func kvPageCount(of id: RequestID) -> Int { records[id]?.table.pages.count ?? 0 }
    /// Pages a request of `tokenCount` tokens with `adapter` needs when it runs alone.
    public func pagesToRunAlone(tokenCount: Int, adapter: AdapterID?) -> Int {
        geometry.kvPageCount(tokenCount: tokenCount) + (adapter.map { adapters.pageCount(of: $0) } ?? 0)
    }

    // MARK: - Adapters

    /// Makes a loaded adapter known; it becomes resident when a step needs it.
    public func registerAdapter(_ id: AdapterID, elementCount: Int) {
        adapters.register(id, elementCount: elementCount)
    }

    /// Unloads `id`: new requests may not name it; requests that do already finish normally, and its
    /// pages are freed after the last one (reported in ``SchedulerOutput/releasedAdapters``).
    public func retireAdapter(_ id: AdapterID) {
        if adapters.retire(id) { releasedAdapters.append(id) }
    }

    // MARK: - Requests

    /// Queues a request at the back.
    public func add(_ request: SchedulerRequest) throws(SchedulerRejection) {
        guard records[request.id] == nil else { throw .duplicateID(request.id) }
        if let limit = configuration.maxWaitingRequests, waiting.count >= limit { throw .queueFull(limit: limit) }
        if let adapter = request.adapter, !adapters.isAvailable(adapter) { throw .unknownAdapter(adapter) }
        let need = pagesToRunAlone(tokenCount: request.prompt.count + request.maxTokens, adapter: request.adapter)
        guard need <= pool.pageCount else { throw .doesNotFit(needPages: need, poolPages: pool.pageCount) }
        if let share = configuration.adapterPageShare {
            let adapterPages = request.adapter.map { adapters.pageCount(of: $0) } ?? 0
            guard adapterPages <= share, need - adapterPages <= pool.pageCount - share else {
                throw .doesNotFit(needPages: need, poolPages: pool.pageCount)
            }
        }
        records[request.id] = Record(
            adapter: request.adapter, tokens: request.prompt, promptCount: request.prompt.count,
            table: SequencePageTable(geometry: geometry), arrival: request.arrival)
        if let adapter = request.adapter { adapters.addUser(adapter) }
        waiting.append(request.id)
    }

    /// Removes a finished or cancelled request wherever it is and frees its pages now.
    /// - Returns: false when `id` is unknown (already finished).
    @discardableResult
    public func finish(_ id: RequestID) -> Bool {
        guard var record = records.removeValue(forKey: id) else { return false }
        record.table.release(to: pool)
        if let index = running.firstIndex(of: id) {
            running.remove(at: index)
            if let adapter = record.adapter { adapters.unpin(adapter) }
        } else {
            waiting.removeAll { $0 == id }
        }
        if let adapter = record.adapter, adapters.removeUser(adapter) { releasedAdapters.append(adapter) }
        return true
    }

    /// Feeds the duration of a finished step into the step-time estimate (exponential average).
    public func observeStep(seconds: Double) {
        stepSecondsEstimate = stepSecondsEstimate == 0 ? seconds : 0.8 * stepSecondsEstimate + 0.2 * seconds
    }

    // MARK: - Scheduling

    /// Plans the next step. Frees and allocates pages as it decides; the caller runs the step, then
    /// calls ``update(_:sampled:)``.
    public func schedule(now: ContinuousClock.Instant) -> SchedulerOutput {
        var output = SchedulerOutput()
        abortLateRequests(now: now, output: &output)

        var budget = configuration.stepTokenBudget
        var scheduled: [RequestID: Int] = [:]
        var order: [RequestID] = []

        // Running requests: decodes first, then unfinished prefills, each in admission order.
        let decodes = running.filter { records[$0]!.remaining == 1 }
        let prefills = running.filter { records[$0]!.remaining > 1 }
        var preempted = false
        candidates: for id in decodes + prefills where budget > 0 {
            guard running.contains(id) else { continue }  // preempted earlier in this step
            let count = min(records[id]!.remaining, budget)
            while !reserveKV(id, tokenCount: records[id]!.computed + count) {
                let missing = geometry.kvPageCount(tokenCount: records[id]!.computed + count) - records[id]!.table.pages.count
                if configuration.adapterPageShare == nil, adapters.evictIdle(untilFree: missing, keep: []) { continue }
                let victim = running.last!
                preempt(victim, scheduled: &scheduled, order: &order, budget: &budget, output: &output)
                preempted = true
                if victim == id { continue candidates }
            }
            budget -= count
            scheduled[id] = count
            order.append(id)
        }

        // Waiting requests, FCFS, only when nothing had to be preempted.
        var stepAdapters = Set(order.compactMap { records[$0]!.adapter })
        while !preempted, budget > 0, running.count < configuration.maxRunningRequests, let id = waiting.first {
            let record = records[id]!
            let count = min(record.remaining, budget)
            if let adapter = record.adapter, let cap = configuration.maxAdaptersPerStep,
                !stepAdapters.contains(adapter), stepAdapters.count >= cap
            {
                break
            }
            let adapterPages = record.adapter.map { adapters.pagesNeeded($0) } ?? 0
            let kvPages = geometry.kvPageCount(tokenCount: record.computed + count) - record.table.pages.count
            let keep: Set<AdapterID> = record.adapter.map { [$0] } ?? []
            if configuration.adapterPageShare != nil {
                // Separate pools: KV must fit its own region; adapters make room only in theirs (the pool's
                // free pages are the two regions' free pages together).
                guard kvPages <= kvRoom else { break }
                if adapterPages > adapterRoom {
                    guard adapters.evictIdle(untilFree: adapterPages + kvRoom, keep: keep) else { break }
                }
            } else if pool.freePageCount < adapterPages + kvPages {
                guard adapters.evictIdle(untilFree: adapterPages + kvPages, keep: keep) else { break }
            }
            if let adapter = record.adapter, adapterPages > 0 {
                guard let pages = adapters.makeResident(adapter) else { preconditionFailure("pages were counted free") }
                output.adaptersToLoad.append((adapter, pages))
            }
            guard reserveKV(id, tokenCount: record.computed + count) else { preconditionFailure("pages were counted free") }
            waiting.removeFirst()
            running.append(id)
            if let adapter = record.adapter {
                adapters.pin(adapter)
                stepAdapters.insert(adapter)
            }
            budget -= count
            scheduled[id] = count
            order.append(id)
        }

        for adapter in stepAdapters.sorted() {
            adapters.touch(adapter)
            output.adapterPages[adapter] = adapters.pages(of: adapter)
        }
        if configuration.prefetchAdapters { prefetch(output: &output) }
        for id in order {
            let record = records[id]!
            let count = scheduled[id]!
            output.chunks.append(
                SchedulerOutput.Chunk(
                    request: id, tokens: Array(record.tokens[record.computed..<(record.computed + count)]),
                    startPosition: record.computed, pageTable: record.table.pages, adapter: record.adapter,
                    samples: record.computed + count == record.tokens.count, generatedCount: record.generatedCount))
        }
        output.releasedAdapters = releasedAdapters
        releasedAdapters = []
        return output
    }

    /// Records a step's results: every chunk's tokens are computed, and sampled tokens are appended.
    /// - Parameter sampled: the token sampled for each chunk with `samples`.
    public func update(_ output: SchedulerOutput, sampled: [RequestID: Int32]) {
        for chunk in output.chunks {
            guard var record = records[chunk.request], record.computed == chunk.startPosition else { continue }
            record.computed += chunk.tokens.count
            if chunk.samples, let token = sampled[chunk.request] { record.tokens.append(token) }
            records[chunk.request] = record
        }
    }

    // MARK: - Private

    /// Grows `id`'s page table to cover `tokenCount` tokens (all or nothing).
    private func reserveKV(_ id: RequestID, tokenCount: Int) -> Bool {
        let missing = geometry.kvPageCount(tokenCount: tokenCount) - records[id]!.table.pages.count
        guard missing <= kvRoom else { return false }
        return records[id]!.table.reserve(tokenCount: tokenCount, in: pool, owner: id.sequenceSlot)
    }

    /// Free pages KV may take: all free pages of the unified pool, or what is left of the KV region.
    private var kvRoom: Int {
        guard let share = configuration.adapterPageShare else { return pool.freePageCount }
        let kvUsed = pool.usedPageCount - adapters.residentPageCount
        return min(pool.freePageCount, pool.pageCount - share - kvUsed)
    }

    /// Free pages adapters may take: all free pages, or what is left of the adapter region.
    private var adapterRoom: Int {
        guard let share = configuration.adapterPageShare else { return pool.freePageCount }
        return min(pool.freePageCount, share - adapters.residentPageCount)
    }

    /// Frees `id`'s pages and puts it at the front of the queue (recompute later).
    private func preempt(
        _ id: RequestID, scheduled: inout [RequestID: Int], order: inout [RequestID], budget: inout Int,
        output: inout SchedulerOutput
    ) {
        running.removeAll { $0 == id }
        records[id]!.table.release(to: pool)
        records[id]!.computed = 0
        if let adapter = records[id]!.adapter { adapters.unpin(adapter) }
        if let count = scheduled.removeValue(forKey: id) {
            budget += count
            order.removeAll { $0 == id }
        }
        waiting.insert(id, at: 0)
        preemptionCount += 1
        output.preempted.append(id)
    }

    /// S-LoRA early abort: drops waiting requests that cannot get a first token by their deadline.
    private func abortLateRequests(now: ContinuousClock.Instant, output: inout SchedulerOutput) {
        guard let slo = configuration.timeToFirstTokenSLO else { return }
        let budget = Double(configuration.stepTokenBudget)
        for id in waiting {
            let record = records[id]!
            guard record.generatedCount == 0 else { continue }
            let steps = (Double(record.remaining) / budget).rounded(.up)
            let firstToken = now + .seconds(steps * stepSecondsEstimate)
            guard firstToken >= record.arrival + slo else { continue }
            finish(id)
            earlyAbortCount += 1
            output.aborted.append(id)
        }
    }

    /// Makes adapters of waiting requests resident while pages are free, keeping one KV block of
    /// growth per running request in reserve; never evicts anything.
    private func prefetch(output: inout SchedulerOutput) {
        let reserve = geometry.layerCount * running.count
        for id in waiting {
            guard let adapter = records[id]!.adapter else { continue }
            let need = adapters.pagesNeeded(adapter)
            if need == 0 { continue }
            let room = configuration.adapterPageShare == nil ? pool.freePageCount - reserve : adapterRoom
            guard room >= need, let pages = adapters.makeResident(adapter) else { return }
            output.adaptersToLoad.append((adapter, pages))
        }
    }
}
