// gpu-check fixtures: the golden fixture models (Tests/Fixtures/models, HF transformers + PEFT in f32)
// on a backend: the mixed-adapter batch's prefill and decode logits against the golden ones, greedy
// tokens, and the engine's ragged batched continuations against HF generate.

import Adapters
import Backend
import Checkpoint
import Engine
import Foundation
import Llama

/// The golden fixture checks on one backend.
struct FixtureCheck<B: ComputeBackend> {
    static var models: [String] { ["mha-untied", "gqa-tied-llama3"] }
    static var adapterNames: [String] { ["r4-qv", "r8-attn", "r16-pattern", "r64-rslora"] }

    let backend: B
    /// Label of the backend configuration in the table (e.g. `cuda f32`).
    let label: String
    /// max|Δ| / max|ref| allowed.
    let bound: Double
    /// Whether greedy tokens must equal the golden ones (exact modes) or are only reported (bf16).
    let tokensMustMatch: Bool

    func run(fixtures: URL, report: CheckReport) {
        for name in Self.models {
            do {
                try check(directory: fixtures.appendingPathComponent(name), name: name, report: report)
            } catch {
                report.fail("\(name) [\(label)]: \(error)")
            }
        }
    }

    func check(directory: URL, name: String, report: CheckReport) throws {
        let config = try LlamaConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let checkpoint = try ModelCheckpoint(directory: directory)
        let model = try LlamaModel(config: config, source: checkpoint, backend: backend, tokensPerPage: 4)
        let adapters = try Self.adapterNames.map {
            try LoRAAdapter.load(name: $0, directory: directory.appendingPathComponent("adapters/\($0)"), base: config)
        }
        let json = try Data(contentsOf: directory.appendingPathComponent("golden.json"))
        guard let golden = try JSONSerialization.jsonObject(with: json) as? [String: Any],
            let mixed = golden["mixed_batch"] as? [String: Any],
            let prompts = (mixed["prompts"] as? [[Int]])?.map({ $0.map(Int32.init) }),
            let rowAdapters = (mixed["row_adapters"] as? [Any])?.map({ $0 as? String }),
            let decodeTokens = (mixed["decode_tokens"] as? [[Int]])?.map({ $0.map(Int32.init) }),
            let continuations = golden["continuations"] as? [[String: Any]]
        else { throw GPUCheckError.badReference("\(name)/golden.json") }
        let tensors = try SafeTensorsFile(url: directory.appendingPathComponent("golden.safetensors"))
        let prefillRef = try tensors.floats("prefill_logits")  // [rows, length, V]
        let decodeRef = try tensors.floats("decode_logits")  // [steps, rows, V]
        let vocabulary = config.vocabularySize
        let rows = prompts.count
        let length = prompts[0].count
        let steps = decodeTokens[0].count

        // One mixed batch: every row on its own adapter (or the base), prefill then decode.
        let runner = try MixedBatchRunner(model: model, adapters: adapters, pageCount: 4096)
        for _ in 0..<rows { _ = try runner.addSequence(tokenCount: length + steps) }
        let prefill = try runner.step((0..<rows).map { ($0, prompts[$0], 0, rowAdapters[$0]) }, allLogits: true)
        var prefillError = 0.0
        var tokenMismatches = 0
        for b in 0..<rows {
            for t in 0..<length {
                let reference = Array(prefillRef[((b * length + t) * vocabulary)..<((b * length + t + 1) * vocabulary)])
                prefillError = max(prefillError, LogitCompare.relativeError(prefill[b * length + t], reference))
                if LogitCompare.argmax(prefill[b * length + t]) != LogitCompare.argmax(reference) { tokenMismatches += 1 }
            }
        }
        var decodeError = 0.0
        for s in 0..<steps {
            let out = try runner.step((0..<rows).map { ($0, [decodeTokens[$0][s]], length + s, rowAdapters[$0]) }, allLogits: false)
            for b in 0..<rows {
                let reference = Array(decodeRef[((s * rows + b) * vocabulary)..<((s * rows + b + 1) * vocabulary)])
                decodeError = max(decodeError, LogitCompare.relativeError(out[b], reference))
                if LogitCompare.argmax(out[b]) != LogitCompare.argmax(reference) { tokenMismatches += 1 }
            }
        }
        let positions = rows * (length + steps)
        addRow(report, name, "mixed batch prefill", error: prefillError, tokens: nil)
        addRow(report, name, "mixed batch decode ×\(steps)", error: decodeError, tokens: (tokenMismatches, positions))

        // Ragged continuations through the engine (greedy), with a big and a tiny step budget.
        for budget in [256, 5] {
            let generator = BatchGenerator(model: model, pageCount: 2048, stepTokenBudget: budget)
            for adapter in adapters { generator.register(adapter) }
            let cases = continuations.compactMap { c -> (String?, [Int32], [Int32])? in
                guard let prompt = c["prompt"] as? [Int], let generated = c["generated"] as? [Int] else { return nil }
                return (c["adapter"] as? String, prompt.map(Int32.init), generated.map(Int32.init))
            }
            let outputs = try generator.generate(cases.map { GenerationRequest(prompt: $0.1, adapter: $0.0, maxTokens: $0.2.count) })
            var differing = 0
            var total = 0
            for (c, output) in zip(cases, outputs) {
                total += c.2.count
                differing += zip(output, c.2).filter { $0 != $1 }.count + abs(output.count - c.2.count)
            }
            addRow(report, name, "greedy continuations, budget \(budget)", error: nil, tokens: (differing, total))
        }
    }

    private func addRow(_ report: CheckReport, _ model: String, _ what: String, error: Double?, tokens: (Int, Int)?) {
        let errorPassed = error.map { $0 <= bound } ?? true
        let tokensPassed = !tokensMustMatch || (tokens?.0 ?? 0) == 0
        report.add(
            [
                model, label, what, error.map(CheckFormat.sci) ?? "-", error == nil ? "-" : CheckFormat.sci(bound),
                tokens.map { "\($0.0) of \($0.1) differ" } ?? "-", errorPassed && tokensPassed ? "ok" : "FAIL",
            ],
            record: [
                "model": model, "backend": label, "check": what, "error": error ?? -1, "bound": bound,
                "tokensDiffering": tokens?.0 ?? -1, "tokens": tokens?.1 ?? -1, "tokensMustMatch": tokensMustMatch,
            ],
            passed: errorPassed && tokensPassed)
    }
}
