// N tensor-parallel ranks of a fixture model, in one process with in-memory collectives, against the
// same model on one rank: mixed steps (prefill chunks and decode tokens, a different adapter or none
// per sequence), then greedy decoding.

import Adapters
import CPUBackend
import Checkpoint
import Llama
import MemoryPool
import Testing

@Suite("Tensor-parallel Llama")
struct TensorParallelLlamaTests {
    /// Oracle: the single-rank CPU run of the same steps. Every rank's logits must be within 1e-5
    /// (max relative error) of it, all ranks bit-identical to each other (replicated lm_head after a
    /// rank-ordered all-reduce), and greedy decoding must pick the same tokens.
    /// mha-untied has 4 query and 4 KV heads (N = 2, 4); gqa-tied-llama3 has 4 query and 2 KV heads (N = 2).
    @Test(arguments: zip(["mha-untied", "mha-untied", "gqa-tied-llama3"], [2, 4, 2]))
    func ranksMatchSingleRank(model: String, worldSize: Int) throws {
        let files = try FixtureFiles(model)
        let single = try TensorParallelHarness(files, worldSize: 1)
        let sharded = try TensorParallelHarness(files, worldSize: worldSize)
        #expect(sharded.geometry.kvWidth * worldSize == files.config.kvWidth)
        let prompts = files.prompts
        let names: [String?] = [nil, "r4-qv", "r8-attn", "r16-pattern", "r64-rslora"]
        for harness in [single, sharded] {
            for p in prompts { _ = harness.addSequence(tokenCount: p.count + 8) }
        }

        /// Runs `parts` on both and checks the logits; returns each harness's greedy tokens.
        func step(_ parts: [(sequence: Int, tokens: [Int32], start: Int, adapter: String?)], allLogits: Bool, _ label: String)
            -> [Int32]
        {
            let oracle = single.step(parts, allLogits: allLogits)[0]
            let ranks = sharded.step(parts, allLogits: allLogits)
            for rank in 1..<worldSize { #expect(ranks[rank] == ranks[0], "\(label): rank \(rank) differs from rank 0") }
            var worst: Float = 0
            for row in oracle.indices { worst = max(worst, relativeError(ranks[0][row], oracle[row])) }
            #expect(worst <= 1e-5, "\(label): max relative error \(worst)")
            let greedy = ranks[0].map(argmax)
            #expect(greedy == oracle.map(argmax), "\(label): greedy tokens differ")
            return greedy
        }

        // Sequences 0–2 prefill (every position's logits), then 0–2 decode next to 3–4 prefilling.
        var next = step((0..<3).map { ($0, prompts[$0], 0, names[$0]) }, allLogits: true, "prefill")
        var lastOf = (0..<3).map { s in next[(0...s).reduce(0) { $0 + prompts[$1].count } - 1] }
        var positions = prompts.map(\.count)
        next = step(
            (0..<3).map { ($0, [lastOf[$0]], positions[$0], names[$0]) } + (3..<5).map { ($0, prompts[$0], 0, names[$0]) },
            allLogits: false, "mixed")
        for s in 0..<3 { positions[s] += 1 }
        lastOf = next
        // Greedy decode of all five sequences.
        for i in 0..<6 {
            next = step((0..<5).map { ($0, [lastOf[$0]], positions[$0], names[$0]) }, allLogits: false, "decode \(i)")
            for s in 0..<5 { positions[s] += 1 }
            lastOf = next
        }
    }

    /// Oracle: the divisibility rule. gqa-tied-llama3's 2 KV heads do not split over 4 ranks, and
    /// mha-untied's 4 heads not over 3; the error names the config field.
    @Test func indivisibleConfigurationsAreRejected() throws {
        let gqa = try FixtureFiles("gqa-tied-llama3")
        #expect(throws: TensorParallelError.indivisible(field: "num_key_value_heads", value: 2, worldSize: 4)) {
            try gqa.config.validateTensorParallel(worldSize: 4)
        }
        let mha = try FixtureFiles("mha-untied")
        #expect(throws: TensorParallelError.indivisible(field: "num_attention_heads", value: 4, worldSize: 3)) {
            try mha.config.validateTensorParallel(worldSize: 3)
        }
        let group = InProcessCollectiveGroup(worldSize: 4)
        #expect(throws: TensorParallelError.indivisible(field: "num_key_value_heads", value: 2, worldSize: 4)) {
            _ = try LlamaModel(
                config: gqa.config, source: gqa.checkpoint, backend: CPUBackend(threadCount: 1),
                collective: group.endpoint(rank: 0))
        }
    }
}
