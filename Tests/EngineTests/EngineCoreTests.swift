// The engine core on the fixture model through the real CPU backend, stepped synchronously: golden
// greedy outputs under preemption and adapter eviction, cancellation freeing pages at once, stop token
// ids and log-probabilities.

import Backend
import CPUBackend
import Engine
import Testing

@Suite("Engine core on the fixture model")
struct EngineCoreTests {
    /// A core with every fixture adapter registered as AdapterID(index in adapterNames).
    static func core(_ fixture: EngineFixture, pages: Int, budget: Int = 64) -> EngineCore<CPUBackend> {
        let core = EngineCore(
            model: fixture.model, pageCount: pages, scheduler: SchedulerConfiguration(stepTokenBudget: budget),
            tokenizer: nil)
        for (i, name) in EngineFixture.adapterNames.enumerated() {
            core.registerAdapter(fixture.adapters[name]!, as: AdapterID(i))
        }
        return core
    }

    static func request(
        _ key: Int, _ prompt: [Int32], adapter: String?, maxTokens: Int, recorder: EventRecorder,
        stopIDs: Set<Int32> = [], logprobs: Int? = nil
    ) -> PreparedRequest {
        PreparedRequest(
            id: RequestID(key), prompt: prompt,
            adapter: adapter.map { AdapterID(EngineFixture.adapterNames.firstIndex(of: $0)!) }, maxTokens: maxTokens,
            sampling: .greedy, logprobs: logprobs, stopStrings: [], stopTokenIDs: stopIDs, eosTokenIDs: [],
            arrival: .now, sink: recorder.sink(key))
    }

    static func runToCompletion(_ core: EngineCore<CPUBackend>, limit: Int = 2000) {
        var steps = 0
        while core.liveRequestCount > 0 && steps < limit {
            core.step(now: .now)
            steps += 1
        }
    }

    /// Oracle: HF `generate` greedy continuations (golden.json), here with every request (four adapters
    /// plus the base model, three copies each) squeezed into a pool that holds only a few at a time, so
    /// requests are preempted and recomputed and adapters are evicted and reloaded; the tokens must not
    /// change, and only resident adapters hold pages at the end.
    @Test func goldenTokensSurvivePreemptionAndAdapterEviction() throws {
        let fixture = try EngineFixture()
        let cases = fixture.continuations.filter { $0.adapter != "r64-rslora" }
        let geometry = fixture.model.geometry
        let alone = cases.map {
            geometry.kvPageCount(tokenCount: $0.prompt.count + 12)
                + ($0.adapter.map { geometry.adapterPageCount(elementCount: fixture.adapters[$0]!.layout.elementCount) } ?? 0)
        }
        let core = Self.core(fixture, pages: alone.max()! + 12, budget: 7)
        let recorder = EventRecorder()
        for copy in 0..<3 {
            for (i, c) in cases.enumerated() {
                core.admit(Self.request(copy * 10 + i, c.prompt, adapter: c.adapter, maxTokens: 12, recorder: recorder))
            }
        }
        Self.runToCompletion(core)
        for copy in 0..<3 {
            for (i, c) in cases.enumerated() {
                #expect(recorder.ids(copy * 10 + i) == c.generated, "copy \(copy), adapter \(c.adapter ?? "base")")
                #expect(recorder[copy * 10 + i].finish?.reason == .length)
            }
        }
        #expect(core.scheduler.preemptionCount > 0)
        #expect(core.scheduler.pool.usedPageCount == core.scheduler.adapters.residentPageCount)
    }

    /// Oracle: page accounting — a cancelled request's KV pages are back in the free list when
    /// `cancel` returns (before the next step); its stream ends; the others still match HF.
    @Test func cancelFreesPagesBeforeTheNextStep() throws {
        let fixture = try EngineFixture()
        let core = Self.core(fixture, pages: 1024)
        let recorder = EventRecorder()
        let cases = fixture.continuations
        for (i, c) in cases.enumerated() {
            core.admit(Self.request(i, c.prompt, adapter: c.adapter, maxTokens: 12, recorder: recorder))
        }
        core.step(now: .now)
        core.step(now: .now)
        let held = core.scheduler.kvPageCount(of: RequestID(2))
        let before = core.scheduler.pool.usedPageCount
        #expect(held > 0)
        core.cancel(RequestID(2))
        #expect(core.scheduler.pool.usedPageCount == before - held)
        #expect(recorder[2].ended && recorder[2].finish == nil)
        Self.runToCompletion(core)
        for (i, c) in cases.enumerated() where i != 2 { #expect(recorder.ids(i) == c.generated) }
        #expect(core.scheduler.pool.usedPageCount == core.scheduler.adapters.residentPageCount)
    }

    /// Oracle: vLLM `stop_token_ids` — generation stops right after the first listed id, which is
    /// counted in usage and reported as the stop reason.
    @Test func stopTokenIDEndsGeneration() throws {
        let fixture = try EngineFixture()
        let core = Self.core(fixture, pages: 1024)
        let recorder = EventRecorder()
        let c = fixture.continuations[1]
        let index = (1..<c.generated.count).first { !c.generated[..<$0].contains(c.generated[$0]) }!
        core.admit(
            Self.request(0, c.prompt, adapter: c.adapter, maxTokens: 12, recorder: recorder, stopIDs: [c.generated[index]]))
        Self.runToCompletion(core)
        #expect(recorder.ids(0) == Array(c.generated[...index]))
        #expect(
            recorder[0].finish
                == GenerationFinish(
                    reason: .stop, stopCause: .tokenID(c.generated[index]), promptTokenCount: c.prompt.count,
                    completionTokenCount: index + 1))
    }

    /// Oracle: log-softmax invariants — for greedy decoding the chosen token is the most likely, so its
    /// log-probability equals the first alternative's; alternatives descend and are ≤ 0.
    @Test func logprobsOfGreedyTokens() throws {
        let fixture = try EngineFixture()
        let core = Self.core(fixture, pages: 1024)
        let recorder = EventRecorder()
        let c = fixture.continuations[0]
        core.admit(Self.request(0, c.prompt, adapter: c.adapter, maxTokens: 5, recorder: recorder, logprobs: 3))
        Self.runToCompletion(core)
        let tokens = recorder[0].tokens
        #expect(tokens.map(\.id) == Array(c.generated.prefix(5)))
        for token in tokens {
            let logprobs = try #require(token.logprobs)
            #expect(logprobs.chosen.id == token.id)
            #expect(logprobs.top.count == 3)
            #expect(logprobs.top[0].id == token.id && logprobs.top[0].logprob == logprobs.chosen.logprob)
            #expect(logprobs.top.map(\.logprob) == logprobs.top.map(\.logprob).sorted(by: >))
            #expect(logprobs.chosen.logprob <= 0 && logprobs.chosen.logprob > -20)
        }
    }

    /// Oracle: token accounting without preemption — every prompt token is computed once as prefill and
    /// every generated token after the first (which the prompt's last chunk samples) once as a decode
    /// token; each step that ran the model is counted.
    @Test func stepTimingsCountEveryToken() throws {
        let fixture = try EngineFixture()
        let core = Self.core(fixture, pages: 1024, budget: 7)
        let recorder = EventRecorder()
        let cases = fixture.continuations
        for (i, c) in cases.enumerated() {
            core.admit(Self.request(i, c.prompt, adapter: c.adapter, maxTokens: 6, recorder: recorder))
        }
        Self.runToCompletion(core)
        let t = core.timings
        #expect(core.scheduler.preemptionCount == 0)
        #expect(t.prefillTokens == cases.reduce(0) { $0 + $1.prompt.count })
        #expect(t.decodeTokens == cases.indices.reduce(0) { $0 + recorder.ids($1).count - 1 })
        #expect(t.steps == core.stepCount)
        #expect(t.scheduleSeconds >= 0 && t.executeSeconds > 0 && t.outputSeconds >= 0)
    }
}
