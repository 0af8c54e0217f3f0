// The serving engine on N in-process CPU ranks (TensorParallelExecutor with in-memory collectives): one
// scheduler decision per step drives every rank; the token streams must be those of the one-rank engine
// (itself checked against HF + PEFT golden continuations), under preemption and adapter eviction too.

import Adapters
import Backend
import CPUBackend
import Checkpoint
import Engine
import Foundation
import Llama
import MemoryPool
import Testing

@Suite("Engine on tensor-parallel CPU ranks")
struct TensorParallelEngineTests {
    /// `worldSize` ranks of `fixture`'s model, each with `pages` pool pages.
    static func executor(_ fixture: EngineFixture, worldSize: Int, pages: Int) throws -> TensorParallelExecutor<CPUBackend> {
        let checkpoint = try ModelCheckpoint(directory: fixture.directory)
        let group = InProcessCollectiveGroup(worldSize: worldSize)
        let config = fixture.config
        return try TensorParallelExecutor(config: config, worldSize: worldSize, pageCount: { _ in pages }) { rank in
            try LlamaModel(
                config: config, source: checkpoint, backend: CPUBackend(threadCount: 1), tokensPerPage: 4,
                collective: group.endpoint(rank: rank))
        }
    }

    /// A core on `executor` with every fixture adapter registered as AdapterID(index in adapterNames).
    static func core(_ fixture: EngineFixture, executor: any StepExecutor<CPUBackend>, budget: Int = 64) -> EngineCore<CPUBackend> {
        let core = EngineCore(executor: executor, scheduler: SchedulerConfiguration(stepTokenBudget: budget), tokenizer: nil)
        for (i, name) in EngineFixture.adapterNames.enumerated() {
            core.registerAdapter(fixture.adapters[name]!, as: AdapterID(i))
        }
        return core
    }

    /// Admits every golden continuation at once (`copies` times), runs to completion, returns the recorder.
    static func run(
        _ core: EngineCore<CPUBackend>, _ fixture: EngineFixture, copies: Int = 1, maxTokens: Int = 12, logprobs: Int? = nil
    ) -> EventRecorder {
        let recorder = EventRecorder()
        for copy in 0..<copies {
            for (i, c) in fixture.continuations.enumerated() {
                core.admit(
                    EngineCoreTests.request(
                        copy * 10 + i, c.prompt, adapter: c.adapter, maxTokens: maxTokens, recorder: recorder,
                        logprobs: logprobs))
            }
        }
        EngineCoreTests.runToCompletion(core)
        return recorder
    }

    /// Oracle: the one-rank engine on the same requests (its streams are HF + PEFT's greedy golden
    /// continuations, checked here too). Five concurrent requests — four adapters of ranks 4 to 64 and
    /// one on the base model — on 2 and 4 ranks of the MHA fixture and 2 ranks of the GQA one: identical
    /// token streams; each rank holds one load-ready shard per adapter.
    @Test(arguments: [("mha-untied", 2), ("mha-untied", 4), ("gqa-tied-llama3", 2)])
    func greedyStreamsMatchTheOneRankEngine(model: String, worldSize: Int) throws {
        let fixture = try EngineFixture(model)
        let oracle = Self.run(Self.core(fixture, executor: SingleModelExecutor(model: fixture.model, pageCount: 1024)), fixture)
        let executor = try Self.executor(fixture, worldSize: worldSize, pages: 1024)
        let core = Self.core(fixture, executor: executor)
        let recorder = Self.run(core, fixture)
        for (i, c) in fixture.continuations.enumerated() {
            #expect(oracle.ids(i) == c.generated, "one rank, adapter \(c.adapter ?? "base")")
            #expect(recorder.ids(i) == oracle.ids(i), "\(worldSize) ranks, adapter \(c.adapter ?? "base")")
            #expect(recorder[i].finish?.reason == .length)
        }
        #expect(core.runner.loadCopyCount == EngineFixture.adapterNames.count)
        #expect(core.scheduler.pool.usedPageCount == core.scheduler.adapters.residentPageCount)
        executor.shutdown()
    }

    /// Oracle: golden continuations (as the one-rank engine's own eviction test). Three copies of every
    /// request squeezed into a pool that holds only a few at a time on 2 ranks: requests are preempted
    /// and recomputed, adapters are evicted (their shards forgotten on every rank) and loaded again, and
    /// adapter pages come from the shards' layout (smaller than the whole adapter's).
    @Test func goldenTokensSurvivePreemptionAndEvictionOnTwoRanks() throws {
        let fixture = try EngineFixture()
        let cases = fixture.continuations.filter { $0.adapter != "r64-rslora" }
        let config = fixture.config
        let geometry = PageGeometry(layerCount: config.layerCount, kvWidth: config.kvWidth / 2, tokensPerPage: 4)  // one rank's
        let shardPages = { (name: String) in
            geometry.adapterPageCount(elementCount: fixture.adapters[name]!.shardLayout(worldSize: 2).elementCount)
        }
        let alone = cases.map { geometry.kvPageCount(tokenCount: $0.prompt.count + 12) + ($0.adapter.map(shardPages) ?? 0) }
        let executor = try Self.executor(fixture, worldSize: 2, pages: alone.max()! + 12)
        let core = EngineCore(executor: executor, scheduler: SchedulerConfiguration(stepTokenBudget: 7), tokenizer: nil)
        for (i, name) in EngineFixture.adapterNames.enumerated() {
            core.registerAdapter(fixture.adapters[name]!, as: AdapterID(i))
        }
        let recorder = EventRecorder()
        for copy in 0..<3 {
            for (i, c) in cases.enumerated() {
                core.admit(EngineCoreTests.request(copy * 10 + i, c.prompt, adapter: c.adapter, maxTokens: 12, recorder: recorder))
            }
        }
        EngineCoreTests.runToCompletion(core)
        for copy in 0..<3 {
            for (i, c) in cases.enumerated() {
                #expect(recorder.ids(copy * 10 + i) == c.generated, "copy \(copy), adapter \(c.adapter ?? "base")")
            }
        }
        #expect(core.scheduler.preemptionCount > 0)
        #expect(core.scheduler.pool.usedPageCount == core.scheduler.adapters.residentPageCount)
        #expect(executor.geometry == geometry)
        for (i, name) in EngineFixture.adapterNames.enumerated() {
            #expect(core.scheduler.adapters.pageCount(of: AdapterID(i)) == shardPages(name))
        }
        executor.shutdown()
    }

    /// Oracle: the one-rank engine's log-probabilities (rank 0's logits reach the host only when a
    /// request asks): the same chosen and top-3 ids, log-probabilities within 1e-4.
    @Test func logprobsMatchTheOneRankEngine() throws {
        let fixture = try EngineFixture()
        let oracle = Self.run(
            Self.core(fixture, executor: SingleModelExecutor(model: fixture.model, pageCount: 1024)), fixture, maxTokens: 4,
            logprobs: 3)
        let executor = try Self.executor(fixture, worldSize: 2, pages: 1024)
        let recorder = Self.run(Self.core(fixture, executor: executor), fixture, maxTokens: 4, logprobs: 3)
        for i in fixture.continuations.indices {
            let expected = oracle[i].tokens
            let got = recorder[i].tokens
            #expect(got.map(\.id) == expected.map(\.id))
            for (a, b) in zip(got, expected) {
                let la = try #require(a.logprobs)
                let lb = try #require(b.logprobs)
                #expect(la.top.map(\.id) == lb.top.map(\.id))
                #expect(abs(la.chosen.logprob - lb.chosen.logprob) < 1e-4)
                for (x, y) in zip(la.top, lb.top) { #expect(abs(x.logprob - y.logprob) < 1e-4) }
            }
        }
        executor.shutdown()
    }

    /// Oracle: HF golden continuations through the async engine (EngineLoop on an executor of 2 ranks):
    /// adapters registered from host copies and loaded from their directories are sized by their shards;
    /// the engine's shutdown releases the ranks.
    @Test func engineLoopServesOnTwoRanks() async throws {
        let fixture = try EngineFixture()
        let executor = try Self.executor(fixture, worldSize: 2, pages: 2048)
        let engine = EngineLoop(
            executor: executor,
            configuration: EngineConfiguration(
                servedModelName: "tiny", modelPath: fixture.directory.path, pageCount: 2048, maxModelLength: 128,
                scheduler: SchedulerConfiguration(stepTokenBudget: 16)),
            tokenizer: nil, chatTemplate: nil)
        #expect(engine.tensorParallelSize == 2)
        try engine.registerAdapter(fixture.adapters["r4-qv"]!)
        for name in ["r8-attn", "r16-pattern", "r64-rslora"] {
            try await engine.loadAdapter(name: name, path: fixture.adapterDirectory(name).path, restricted: false)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in fixture.continuations {
                let stream = try engine.submit(
                    GenerationInput(model: c.adapter ?? "tiny", prompt: .tokenIDs(c.prompt), parameters: EngineLoopTests.greedy(12)))
                group.addTask {
                    let (ids, _) = try await EngineLoopTests.collect(stream)
                    #expect(ids == c.generated, "adapter \(c.adapter ?? "base")")
                }
            }
            try await group.waitForAll()
        }
        await engine.shutdown()
    }

    /// Oracle: TensorParallelError's contract — a world size that does not divide the query heads
    /// (4 over 3) or the KV heads (2 over 4) is refused with the config field at fault, before any
    /// rank is built.
    @Test func indivisibleWorldSizeIsATypedError() throws {
        let cases = [("mha-untied", 3, "num_attention_heads", 4), ("gqa-tied-llama3", 4, "num_key_value_heads", 2)]
        for (model, worldSize, field, value) in cases {
            let fixture = try EngineFixture(model)
            let built = BuiltCount()
            #expect(throws: TensorParallelError.indivisible(field: field, value: value, worldSize: worldSize)) {
                _ = try TensorParallelExecutor<CPUBackend>(
                    config: fixture.config, worldSize: worldSize, pageCount: { _ in 16 }
                ) { _ in
                    built.increment()
                    return fixture.model
                }
            }
            #expect(built.count == 0)
            let message = TensorParallelError.indivisible(field: field, value: value, worldSize: worldSize).description
            #expect(message.contains(field) && message.contains("\(worldSize) tensor-parallel ranks"))
        }
    }
}

/// Counts calls from rank threads.
private final class BuiltCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
