// `slora bench gpu`: the speed benchmark on its own (dummy weights, random adapters), printing the
// tables; `--out` also writes them as JSON + markdown.

import ArgumentParser
import CUDABackend
import CUDADriver
import Foundation

struct GPUBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpu", abstract: "Decode steps and LoRA kernels on the GPU with a dummy model.")

    @OptionGroup var speed: SpeedOptions

    @Option(help: "Also write the tables into this folder.")
    var out: String?

    @Flag(help: "Bounds-checked kernels, synchronizing after every launch (slow; for debugging).")
    var debug = false

    func run() throws {
        let context = try CUDAContext.open()
        let backend = try CUDAComputeBackend(context: context, storage: .bf16, options: .init(debug: debug))
        let decode = CheckReport(
            name: "decode", columns: ["batch", "adapters", "gpu ms/step", "wall ms/step", "floor ms", "× floor", "target (batch ≤ 32)"])
        let kernels = CheckReport(
            name: "lora-kernels", columns: ["shape", "µs (graph)", "µs (stream)", "bytes floor µs", "S-LoRA µs", "target"])
        let bench = SpeedBench(backend: backend, options: speed.benchOptions)
        let extra = bench.extraReports()
        try bench.run(decode: decode, kernels: kernels, matmul: extra.matmul, loads: extra.loads)
        speed.addTorchReference(to: kernels)
        for report in [decode, kernels, extra.matmul, extra.loads] where !report.rows.isEmpty || report === decode {
            if let out { try report.write(to: URL(fileURLWithPath: out)) }
            print(report.markdown)
        }
    }
}
