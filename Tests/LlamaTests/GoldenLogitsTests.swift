// The Llama forward pass with mixed LoRA adapters against HF transformers + PEFT golden records.

import Adapters
import Backend
import CPUBackend
import Engine
import Foundation
import Llama
import Testing

@Suite("Golden logits vs HF transformers + PEFT")
struct GoldenLogitsTests {
    static let models = ["mha-untied", "gqa-tied-llama3"]
    /// max|Δ| / max|ref| allowed in f32 (the issue's bound).
    static let tolerance: Float = 1e-4

    /// Oracle: `prefill_logits` and `decode_logits` recorded by transformers + PEFT (per-sample
    /// `adapter_names`, base rows included) in scripts/make_fixtures.py; greedy tokens must be identical.
    @Test(arguments: models)
    func mixedBatchPrefillAndDecodeMatchPEFT(model: String) throws {
        let fixture = try FixtureModel(model)
        let harness = PoolHarness(fixture)
        let prompts = fixture.prompts
        let adapters = fixture.rowAdapters
        let decodeTokens = fixture.decodeTokens
        let vocab = fixture.config.vocabularySize
        let prefillRef = try fixture.goldenTensors.floats("prefill_logits")  // [5, 7, V]
        let decodeRef = try fixture.goldenTensors.floats("decode_logits")  // [8, 5, V]
        let rows = prompts.count
        let length = prompts[0].count
        let steps = decodeTokens[0].count
        for _ in 0..<rows { _ = harness.addSequence(tokenCount: length + steps) }

        let prefill = harness.step(
            (0..<rows).map { ($0, prompts[$0], 0, adapters[$0]) }, allLogits: true)
        var worst: Float = 0
        for b in 0..<rows {
            for t in 0..<length {
                let ref = Array(prefillRef[((b * length + t) * vocab)..<((b * length + t + 1) * vocab)])
                let ours = prefill[b * length + t]
                worst = max(worst, relativeError(ours, ref))
                #expect(argmax(ours) == argmax(ref))
            }
            #expect(argmax(prefill[b * length + length - 1]) == decodeTokens[b][0])
        }
        for s in 0..<steps {
            let out = harness.step(
                (0..<rows).map { ($0, [decodeTokens[$0][s]], length + s, adapters[$0]) }, allLogits: false)
            for b in 0..<rows {
                let ref = Array(decodeRef[((s * rows + b) * vocab)..<((s * rows + b + 1) * vocab)])
                worst = max(worst, relativeError(out[b], ref))
                if s + 1 < steps { #expect(argmax(out[b]) == decodeTokens[b][s + 1]) }
                #expect(argmax(out[b]) == argmax(ref))
            }
        }
        print("[golden] \(model): largest max|Δ|/max|ref| over prefill + \(steps) decode steps = \(worst)")
        #expect(worst <= Self.tolerance)
    }

    /// Oracle: HF `generate` greedy continuations (one prompt alone, ragged lengths), here run together
    /// in one batch by the engine, with a small step budget so prefill chunks and decodes share steps.
    @Test(arguments: models, [256, 5])
    func raggedBatchGreedyContinuationsMatchHF(model: String, budget: Int) throws {
        let fixture = try FixtureModel(model)
        let generator = BatchGenerator(model: fixture.model, pageCount: 2048, stepTokenBudget: budget)
        for adapter in fixture.adapters.values { generator.register(adapter) }
        let cases = fixture.continuations
        let outputs = try generator.generate(
            cases.map { GenerationRequest(prompt: $0.prompt, adapter: $0.adapter, maxTokens: $0.generated.count) })
        for (c, output) in zip(cases, outputs) {
            #expect(output == c.generated, "adapter \(c.adapter ?? "base")")
        }
        #expect(generator.pool.usedPageCount == generator.adapters.residentPageCount)
    }
}
