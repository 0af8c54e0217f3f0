// A deterministic driver for Scheduler tests: a tiny page geometry, a fixed clock, and a fake model
// step that "samples" token 7 for every chunk that samples and finishes requests at their max tokens.

import Engine
import MemoryPool

/// Drives a Scheduler without a model.
final class SchedulerHarness {
    /// 1 layer, 4 tokens per page: a request of n tokens holds ⌈n / 4⌉ pages; a page is 16 elements.
    static let geometry = PageGeometry(layerCount: 1, kvWidth: 2, tokensPerPage: 4)
    let scheduler: Scheduler
    let start = ContinuousClock.now
    var maxTokens: [RequestID: Int] = [:]
    var generated: [RequestID: Int] = [:]
    var finished: [RequestID] = []

    init(pages: Int, configuration: SchedulerConfiguration) {
        scheduler = Scheduler(configuration: configuration, geometry: Self.geometry, pageCount: pages)
    }

    func instant(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }

    /// Adds request `id` with a prompt of `promptLength` tokens (ids 1, 2, 3, …).
    func add(
        _ id: Int, prompt promptLength: Int, adapter: Int? = nil, maxTokens: Int = 4, arrival: Double = 0
    ) throws(SchedulerRejection) {
        let rid = RequestID(id)
        try scheduler.add(
            SchedulerRequest(
                id: rid, prompt: (1...promptLength).map { Int32($0) }, adapter: adapter.map { AdapterID($0) },
                maxTokens: maxTokens, arrival: instant(arrival)))
        self.maxTokens[rid] = maxTokens
    }

    /// One step: schedule, "run" it, append token 7 to every sampling chunk, finish requests at max.
    @discardableResult
    func step(at seconds: Double = 0) -> SchedulerOutput {
        let output = scheduler.schedule(now: instant(seconds))
        var sampled: [RequestID: Int32] = [:]
        for chunk in output.chunks where chunk.samples { sampled[chunk.request] = 7 }
        scheduler.update(output, sampled: sampled)
        for id in sampled.keys.sorted() {
            generated[id, default: 0] += 1
            if generated[id]! >= maxTokens[id]! {
                scheduler.finish(id)
                finished.append(id)
            }
        }
        return output
    }

    /// Steps until nothing is left (at most `limit` steps).
    func runToCompletion(limit: Int = 1000) {
        var steps = 0
        while scheduler.hasWork && steps < limit {
            step()
            steps += 1
        }
    }

    /// `[(request, tokenCount)]` of a step, in order.
    static func plan(_ output: SchedulerOutput) -> [(Int, Int)] {
        output.chunks.map { ($0.request.rawValue, $0.tokens.count) }
    }
}
