// TensorParallelRunner (persistent rank threads, the GPU runtime's structure) on the CPU backend with
// in-memory collectives: the same steps as the thread-per-call harness, rank 0's logits and samples.

import Adapters
import Backend
import CPUBackend
import Checkpoint
import Foundation
import Llama
import MemoryPool
import Testing

@Suite("Tensor-parallel runner")
struct TensorParallelRunnerTests {
    /// Builds a runner of `worldSize` ranks of fixture `files` with the harness's adapters written.
    static func runner(_ files: FixtureFiles, worldSize: Int, pageCount: Int, pagePool: PagePool)
        throws -> (TensorParallelRunner<CPUBackend>, [String: AdapterBatch.Slot])
    {
        let group = InProcessCollectiveGroup(worldSize: worldSize)
        let runner = try TensorParallelRunner<CPUBackend>(worldSize: worldSize) { rank in
            let model = try LlamaModel(
                config: files.config, source: files.checkpoint, backend: CPUBackend(threadCount: 1), tokensPerPage: 4,
                collective: worldSize == 1 ? nil : group.endpoint(rank: rank))
            return TensorParallelRank(model: model, pool: model.backend.makePool(pageCount: pageCount, geometry: model.geometry))
        }
        let geometry = runner.perform { $0.model.geometry }[0]
        var slots: [String: AdapterBatch.Slot] = [:]
        for (i, name) in FixtureFiles.adapterNames.enumerated() {
            let adapter = files.adapters[name]!
            let elements = runner.shardElementCount(of: adapter)
            let table = try #require(
                AdapterPageTable.allocate(elementCount: elements, geometry: geometry, pool: pagePool, owner: AdapterSlotID(i)))
            runner.writeAdapter(adapter, pages: table.pages)
            let shard = adapter.shard(TensorParallelShard(rank: 0, worldSize: worldSize))
            #expect(shard.layout.elementCount == elements)
            slots[name] = AdapterBatch.Slot(layout: shard.layout, scalings: shard.scalings, pages: table.pages)
        }
        return (runner, slots)
    }

    /// Oracle: the thread-per-call harness on one rank (TensorParallelHarness, itself checked against
    /// the golden fixtures elsewhere). A mixed step (prefill of two sequences with different adapters
    /// next to the decode of a third) and greedy decode steps: rank 0's logits within 1e-5, samples equal
    /// to the argmax, across several steps on the same persistent threads.
    @Test(arguments: zip(["mha-untied", "gqa-tied-llama3"], [2, 2]))
    func runnerMatchesSingleRank(model: String, worldSize: Int) throws {
        let files = try FixtureFiles(model)
        let oracle = try TensorParallelHarness(files, worldSize: 1)
        let pageCount = 1024
        let pagePool = PagePool(pageCount: pageCount)
        let (runner, slots) = try Self.runner(files, worldSize: worldSize, pageCount: pageCount, pagePool: pagePool)
        defer { runner.shutdown() }
        let geometry = runner.perform { $0.model.geometry }[0]
        let prompts = Array(files.prompts.prefix(3))
        let names: [String?] = ["r8-attn", nil, "r64-rslora"]
        var tables: [SequencePageTable] = []
        for (s, prompt) in prompts.enumerated() {
            _ = oracle.addSequence(tokenCount: prompt.count + 8)
            var table = SequencePageTable(geometry: geometry)
            let reserved = table.reserve(tokenCount: prompt.count + 8, in: pagePool, owner: SequenceSlotID(s))
            #expect(reserved)
            tables.append(table)
        }
        let vocab = files.config.vocabularySize

        /// One step on both; returns the runner's samples after checking them and its logits.
        func step(_ parts: [(sequence: Int, tokens: [Int32], start: Int, adapter: String?)], _ label: String) -> [Int32] {
            let expected = oracle.step(parts, allLogits: false)[0]  // [rows][V]
            let batch = StepBatch(sequences: parts.map { ($0.tokens, $0.start, tables[$0.sequence].pages, false) })
            var used: [String] = []
            var tokenSlots: [Int32] = []
            for part in parts {
                var slot: Int32 = -1
                if let name = part.adapter {
                    if let i = used.firstIndex(of: name) { slot = Int32(i) } else { used.append(name); slot = Int32(used.count - 1) }
                }
                tokenSlots += [Int32](repeating: slot, count: part.tokens.count)
            }
            let adapters = AdapterBatch(
                tokenSlots: tokenSlots, slots: used.map { slots[$0]! }, layerCount: files.config.layerCount)
            let logits = runner.forward(step: batch, adapters: adapters)
            #expect(logits.count == expected.count * vocab)
            for row in expected.indices {
                let error = relativeError(Array(logits[(row * vocab)..<((row + 1) * vocab)]), expected[row])
                #expect(error <= 1e-5, "\(label) row \(row): max relative error \(error)")
            }
            // The same step again would write the same K/V: sampling re-runs it (positions unchanged).
            let sampled = runner.forwardAndSample(
                step: batch, adapters: adapters, rows: [SamplingRow](repeating: .greedy, count: expected.count))
            #expect(sampled == expected.map(argmax), "\(label): samples are not the argmax")
            return sampled
        }

        var positions = [prompts[0].count, 0, 0]
        var last = step([(0, prompts[0], 0, names[0])], "prefill 0")
        var next = step(
            [(0, [last[0]], positions[0], names[0]), (1, prompts[1], 0, names[1]), (2, prompts[2], 0, names[2])], "mixed")
        positions = [positions[0] + 1, prompts[1].count, prompts[2].count]
        last = next
        for i in 0..<4 {
            next = step((0..<3).map { ($0, [last[$0]], positions[$0], names[$0]) }, "decode \(i)")
            for s in 0..<3 { positions[s] += 1 }
            last = next
        }
    }

    /// Oracle: construction order and error path. A builder that throws on rank 1 surfaces its error
    /// from `init`, after rank 0 was built (and then released on its own thread).
    @Test func builderErrorIsRethrown() throws {
        struct Refused: Error, Equatable {}
        let files = try FixtureFiles("mha-untied")
        let group = InProcessCollectiveGroup(worldSize: 2)
        let built = BuiltRanks()
        #expect(throws: Refused()) {
            _ = try TensorParallelRunner<CPUBackend>(worldSize: 2) { rank in
                if rank == 1 { throw Refused() }
                let model = try LlamaModel(
                    config: files.config, source: files.checkpoint, backend: CPUBackend(threadCount: 1),
                    collective: group.endpoint(rank: rank))
                built.add(rank)
                return TensorParallelRank(model: model, pool: model.backend.makePool(pageCount: 4, geometry: model.geometry))
            }
        }
        #expect(built.ranks == [0])
    }
}

/// Ranks a builder finished (written from the rank threads).
private final class BuiltRanks: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    func add(_ rank: Int) { lock.withLock { list.append(rank) } }
    var ranks: [Int] { lock.withLock { list } }
}
