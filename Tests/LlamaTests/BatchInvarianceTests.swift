// Properties of the batched LoRA forward pass that need no outside oracle.

import Adapters
import Backend
import CPUBackend
import Checkpoint
import Foundation
import Llama
import MemoryPool
import Testing

@Suite("Mixed-batch invariants")
struct BatchInvarianceTests {
    /// Oracle: the same sequence run alone. A mixed batch (different adapters and ranks, a prefill
    /// chunk next to decode tokens) must give each sequence the logits it gets by itself.
    @Test(arguments: ["mha-untied", "gqa-tied-llama3"])
    func mixedStepEqualsEachSequenceAlone(model: String) throws {
        let fixture = try FixtureModel(model)
        let prompts = fixture.continuations.map(\.prompt)
        let names: [String?] = [nil, "r4-qv", "r8-attn", "r16-pattern", "r64-rslora"]

        // Mixed: sequences 0–2 prefill first; then one step where 0–2 decode and 3–4 prefill.
        let mixed = PoolHarness(fixture)
        for p in prompts { _ = mixed.addSequence(tokenCount: p.count + 2) }
        let first = mixed.step((0..<3).map { ($0, prompts[$0], 0, names[$0]) }, allLogits: false)
        let next = first.map { argmax($0) }
        let second = mixed.step(
            (0..<3).map { ($0, [next[$0]], prompts[$0].count, names[$0]) }
                + (3..<5).map { ($0, prompts[$0], 0, names[$0]) },
            allLogits: false)

        for s in 0..<5 {
            let alone = PoolHarness(fixture)
            _ = alone.addSequence(tokenCount: prompts[s].count + 2)
            var logits = alone.step([(0, prompts[s], 0, names[s])], allLogits: false)[0]
            if s < 3 {
                #expect(relativeError(logits, first[s]) < 1e-5)
                logits = alone.step([(0, [next[s]], prompts[s].count, names[s])], allLogits: false)[0]
            }
            #expect(relativeError(logits, second[s]) < 1e-5, "sequence \(s)")
        }
    }

    /// Oracle: merged weights. An adapter applied through the pool equals the base model with
    /// W + s·B·A merged into every targeted projection (PEFT's `merge_and_unload`).
    @Test(arguments: ["mha-untied", "gqa-tied-llama3"], ["r16-pattern", "r64-rslora"])
    func appliedAdapterEqualsMergedWeights(model: String, adapterName: String) throws {
        let fixture = try FixtureModel(model)
        let adapter = fixture.adapters[adapterName]!
        let merged = MergedWeightSource(base: fixture.checkpoint, adapter: adapter, layerCount: fixture.config.layerCount)
        let mergedModel = try LlamaModel(config: fixture.config, source: merged, backend: fixture.backend, tokensPerPage: 4)
        let prompt = fixture.continuations[3].prompt

        let viaPool = PoolHarness(fixture)
        _ = viaPool.addSequence(tokenCount: prompt.count)
        let lora = viaPool.step([(0, prompt, 0, adapterName)], allLogits: true)

        let pool = PagePool(pageCount: 256)
        var table = SequencePageTable(geometry: mergedModel.geometry)
        let reserved = table.reserve(tokenCount: prompt.count, in: pool, owner: SequenceSlotID(0))
        #expect(reserved)
        let poolTensor = fixture.backend.makePool(pageCount: 256, geometry: mergedModel.geometry)
        let batch = StepBatch(sequences: [(prompt, 0, table.pages, true)])
        let logits = mergedModel.forward(
            step: batch, adapters: .none(tokenCount: prompt.count, layerCount: fixture.config.layerCount), pool: poolTensor)
        let vocab = fixture.config.vocabularySize
        let flat = fixture.backend.download(logits, count: prompt.count * vocab)
        for t in 0..<prompt.count {
            let row = Array(flat[(t * vocab)..<((t + 1) * vocab)])
            #expect(relativeError(lora[t], row) < 1e-5)
        }
    }
}

/// The base checkpoint with one adapter's deltas merged into its projections.
struct MergedWeightSource: LlamaWeightSource {
    let base: ModelCheckpoint
    let adapter: LoRAAdapter
    let layerCount: Int

    func floats(_ name: String, shape: [Int]) throws -> [Float] {
        var values = try base.floats(name, shape: shape)
        for layer in 0..<layerCount {
            for module in LoRAModule.allCases {
                let section = module.isAttention ? "self_attn" : "mlp"
                guard name == "model.layers.\(layer).\(section).\(module.rawValue).weight",
                    let delta = adapter.deltaWeight(layer: layer, module: module)
                else { continue }
                for i in values.indices { values[i] += delta[i] }
            }
        }
        return values
    }

    func contains(_ name: String) -> Bool { base.contains(name) }
}
