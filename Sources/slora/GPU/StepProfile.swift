// gpu-check profile: where a step's GPU time goes, op by op, for the step shapes serving produces
// (large decode batches over long contexts, prefill chunks, a decode batch with one prefill chunk
// mixed in), with and without one rank-8 q/k/v/o adapter per sequence. Eager launches with a timing
// event after each (CUDAOpProfiler); graphs would hide the ops. A benchmark, not a check.

import ArgumentParser
import Adapters
import Backend
import CUDABackend
import CUDADriver
import Foundation
import Llama
import MemoryPool

/// One step shape: sequences as (new tokens, tokens already cached).
struct StepProfileShape {
    let name: String
    let sequences: [(tokens: Int, cached: Int)]

    static let standard: [StepProfileShape] = [
        StepProfileShape(name: "decode 32 × ctx 512", sequences: Array(repeating: (1, 512), count: 32)),
        StepProfileShape(name: "decode 128 × ctx 512", sequences: Array(repeating: (1, 512), count: 128)),
        StepProfileShape(name: "decode 256 × ctx 400", sequences: Array(repeating: (1, 400), count: 256)),
        StepProfileShape(name: "prefill 4 × 512", sequences: Array(repeating: (512, 0), count: 4)),
        StepProfileShape(name: "decode 200 × ctx 400 + prefill 512", sequences: Array(repeating: (1, 400), count: 200) + [(512, 0)]),
    ]
}

struct StepProfile {
    let backend: CUDAComputeBackend
    let preset: DummyModelPreset
    let iterations: Int

    func run(shapes: [StepProfileShape], report: CheckReport) throws {
        let config = preset.configuration
        let weights = DummyModel.weights(config: config, backend: backend, seed: 42)
        let model = LlamaModel(config: config, weights: weights, backend: backend)
        let geometry = model.geometry
        let maxSequences = shapes.map(\.sequences.count).max() ?? 1
        let maxTokens = shapes.flatMap(\.sequences).map { $0.tokens + $0.cached }.max() ?? 1
        let kvPages = geometry.kvPageCount(tokenCount: maxTokens) * maxSequences
        let rankEight = AdapterStreamLayout(
            ranks: Array(repeating: LoRAModule.allCases.map { [.q, .k, .v, .o].contains($0) ? 8 : 0 }, count: config.layerCount),
            widths: config.projectionWidths)
        let adapterPages = geometry.adapterPageCount(elementCount: rankEight.elementCount) * maxSequences
        let pages = PagePool(pageCount: kvPages + adapterPages + 16)
        let pool = backend.makePool(pageCount: pages.pageCount, geometry: geometry)
        let slots = try DummyModel.randomAdapters(
            count: maxSequences, ranks: [8], modules: [.q, .k, .v, .o], config: config, geometry: geometry,
            pages: pages, pool: pool, backend: backend, seed: 7)
        var tables: [SequencePageTable] = []
        for s in 0..<maxSequences {
            var table = SequencePageTable(geometry: geometry)
            guard table.reserve(tokenCount: maxTokens, in: pages, owner: SequenceSlotID(s)) else {
                throw ValidationError("too few pages for \(maxSequences) sequences of \(maxTokens) tokens")
            }
            tables.append(table)
        }
        backend.useGraphs = false
        for shape in shapes {
            let step = StepBatch(
                sequences: shape.sequences.enumerated().map { s, sequence in
                    ((0..<sequence.tokens).map { Int32((s * 7919 + $0 * 31) % config.vocabularySize) }, sequence.cached,
                     tables[s].pages, false)
                })
            for withAdapters in [false, true] {
                var tokenSlots: [Int32] = []
                for (s, sequence) in shape.sequences.enumerated() {
                    tokenSlots += Array(repeating: withAdapters ? Int32(s) : -1, count: sequence.tokens)
                }
                let adapters =
                    withAdapters
                    ? AdapterBatch(tokenSlots: tokenSlots, slots: Array(slots.prefix(shape.sequences.count)), layerCount: config.layerCount)
                    : AdapterBatch.none(tokenCount: step.tokenCount, layerCount: config.layerCount)
                for _ in 0..<2 { _ = model.forward(step: step, adapters: adapters, pool: pool) }
                backend.synchronize()
                let eagerMs = backend.timeGPU(iterations: iterations, warmup: 1) {
                    _ = model.forward(step: step, adapters: adapters, pool: pool)
                }
                let profiler = CUDAOpProfiler(context: backend.context)
                for _ in 0..<iterations {
                    backend.beginProfile(profiler)
                    _ = model.forward(step: step, adapters: adapters, pool: pool)
                    backend.endProfile()
                }
                let label = withAdapters ? "rank 8 qkvo, one each" : "none"
                let total = profiler.totalMilliseconds / Double(iterations)
                report.notes.append(
                    "\(shape.name), adapters \(label): \(step.tokenCount) tokens, eager step \(CheckFormat.fixed(eagerMs, 3)) ms "
                        + "(sum of profiled ops \(CheckFormat.fixed(total, 3)) ms).")
                let ordered = profiler.totals.sorted { $0.value.milliseconds > $1.value.milliseconds }
                for (op, value) in ordered {
                    let ms = value.milliseconds / Double(iterations)
                    report.add(
                        [shape.name, label, op, "\(value.calls / iterations)", CheckFormat.fixed(ms, 3),
                         CheckFormat.fixed(100 * ms / max(total, 1e-9), 1)],
                        record: [
                            "shape": shape.name, "adapters": withAdapters, "op": op, "callsPerStep": value.calls / iterations,
                            "msPerStep": ms, "stepMs": eagerMs, "tokens": step.tokenCount,
                        ])
                }
            }
        }
    }
}

struct GPUProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile", abstract: "GPU time per op of serving-shaped steps (dummy weights, eager launches).")

    @OptionGroup var common: GPUCheckOptions

    @Option(help: "Dummy model: llama-7b, llama-13b or llama3-8b.")
    var dummyModel: DummyModelPreset = .llama7b

    @Option(help: "Profiled steps per shape.")
    var iterations: Int = 5

    @Option(help: "Only the shapes whose name contains this text (e.g. 'decode 256').")
    var only: String?

    func run() throws {
        let context = try common.openContext()
        let backend = try common.backend(context, .bf16)
        let report = CheckReport(name: "profile", columns: ["shape", "adapters", "op", "calls/step", "ms/step", "% of step"])
        try StepProfile(backend: backend, preset: dummyModel, iterations: iterations).run(
            shapes: StepProfileShape.standard.filter { only.map($0.name.contains) ?? true }, report: report)
        try report.write(to: common.outDirectory)
        print(report.markdown)
    }
}
