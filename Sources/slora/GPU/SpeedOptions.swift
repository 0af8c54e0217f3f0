// The options of the speed benchmark, shared by `slora gpu-check speed` and `slora bench gpu`:
// dummy model preset, batch sizes, context, random adapters and their ranks, CUDA graphs on or off.

import ArgumentParser
import Foundation
import MemoryPool

struct SpeedOptions: ParsableArguments {
    @Option(help: "Dummy model with random weights generated on the GPU: llama-7b, llama-13b or llama3-8b.")
    var dummyModel: DummyModelPreset = .llama7b

    @Option(help: "Decode batch sizes (comma-separated).", transform: SpeedOptions.integers)
    var batches: [Int] = [1, 8, 32, 128]

    @Option(help: "Tokens already in each sequence's KV cache.")
    var context: Int = 512

    @Option(help: "Random adapters (default: one per sequence of the largest batch); sequences cycle through them.")
    var randomAdapters: Int?

    @Option(help: "Ranks of the random adapters, cycled (comma-separated).", transform: SpeedOptions.integers)
    var ranks: [Int] = [8, 16, 32, 64]

    @Option(help: "Projections the random adapters target (comma-separated HF names).")
    var targets: String = "q_proj,k_proj,v_proj,o_proj"

    @Option(help: "Timed steps per configuration.")
    var iterations: Int = 20

    @Option(help: "Timed runs per LoRA kernel shape (captured in one graph, replayed 5 times).")
    var kernelIterations: Int = 200

    @Flag(inversion: .prefixedNo, help: "Capture decode steps as CUDA graphs and replay them.")
    var graphs = true

    @Option(help: "Adapters the adapter-loads part copies from pinned host memory (0 skips the part).")
    var loadAdapters: Int = 8

    @Flag(inversion: .prefixedNo, help: "Time the base-model matmuls per kernel (gemv.cu vs cuBLAS).")
    var matmuls = true

    @Option(help: "torch_lora.json from scripts/gpu_reference.py, to list torch's padded gather + bmm beside ours.")
    var torchReference: String?

    static func integers(_ text: String) throws -> [Int] {
        let values = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 > 0 }) else { throw ValidationError("'\(text)' is not a list of positive integers") }
        return values
    }

    func validate() throws {
        if context < 1 { throw ValidationError("--context must be at least 1") }
        if iterations < 1 || kernelIterations < 1 { throw ValidationError("--iterations and --kernel-iterations must be at least 1") }
        if let n = randomAdapters, n < 1 { throw ValidationError("--random-adapters must be at least 1") }
        _ = try modules()
    }

    func modules() throws -> [LoRAModule] {
        try targets.split(separator: ",").map { name in
            guard let module = LoRAModule(rawValue: String(name)) else { throw ValidationError("unknown projection '\(name)'") }
            return module
        }
    }

    var benchOptions: SpeedBenchOptions {
        SpeedBenchOptions(
            preset: dummyModel, batches: batches, context: context, adapterCount: randomAdapters, ranks: ranks,
            modules: (try? modules()) ?? [.q, .k, .v, .o], iterations: iterations, kernelIterations: kernelIterations,
            graphs: graphs, loadAdapters: loadAdapters, matmuls: matmuls)
    }

    /// Adds torch's times (when given) as notes of the kernel table.
    func addTorchReference(to report: CheckReport) {
        guard let path = torchReference, let data = FileManager.default.contents(atPath: path),
            let rows = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]], !rows.isEmpty
        else { return }
        let text = rows.compactMap { row -> String? in
            guard let shape = row["shape"] as? String, let us = row["torchUs"] as? Double else { return nil }
            return "\(shape): \(CheckFormat.fixed(us, 1)) µs"
        }
        report.notes.append("torch padded gather + bmm on the same GPU (scripts/gpu_reference.py): " + text.joined(separator: "; ") + ".")
        report.metadata["torch"] = rows
    }
}
