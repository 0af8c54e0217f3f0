// `slora gpu-check tp` (issue 7): tensor parallelism over the GPUs of this host through NCCL. Parity:
// TP = N logits vs TP = 1 on GPU 0 for random models with mixed-rank adapters in mixed batches (bf16, and
// f32 for the small shapes). Throughput: decode steps of Llama-13B / 70B dummy weights at TP = 1 and N
// with every sequence on its own adapter. Writes tp-parity.{json,md} and tp-throughput.{json,md}.

import ArgumentParser
import CUDABackend
import CUDADriver
import Foundation
import MemoryPool

struct GPUTensorParallelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tp",
        abstract: "Tensor parallelism over NCCL: TP=N vs TP=1 logits (parity) and decode throughput (needs ≥ N GPUs).")

    @OptionGroup var common: GPUCheckOptions

    @Option(
        name: .customLong("tensor-parallel"),
        help: "Ranks (GPUs 0..<N) to compare with one GPU (1: a smoke test of the harness on one GPU, TP=1 vs TP=1).")
    var worldSize: Int = 2

    @Option(help: "Parts to run (comma-separated): allreduce, parity, throughput.")
    var parts: String = "allreduce,parity,throughput"

    @Option(help: "Models for parity (comma-separated: tiny, tinyllama-1b, llama-7b, llama-13b, llama-70b).")
    var parityModels: String = "tiny,tinyllama-1b,llama-7b"

    @Option(help: "Models for parity in f32 storage too (exact mode; bound 1e-3).")
    var parityF32Models: String = "tiny,tinyllama-1b"

    @Option(help: "Models for throughput.")
    var throughputModels: String = "llama-13b,llama-70b"

    @Option(help: "Decode batch sizes (comma-separated).", transform: SpeedOptions.integers)
    var batches: [Int] = [1, 8, 32, 128]

    @Option(help: "Tokens already in each sequence's KV cache.")
    var context: Int = 512

    @Option(help: "Ranks of the random adapters, cycled; every sequence has its own adapter.", transform: SpeedOptions.integers)
    var ranks: [Int] = [8, 16, 32, 64]

    @Option(help: "Timed steps per configuration.")
    var iterations: Int = 20

    @Flag(inversion: .prefixedNo, help: "Capture decode steps (NCCL all-reduces included) as CUDA graphs.")
    var graphs = true

    @Flag(
        help: ArgumentHelp(
            "Every rank on GPU 0 with a host-relay all-reduce instead of NCCL: checks the sharded math on one GPU "
                + "(skips allreduce; throughput numbers are meaningless; graphs off)."))
    var oneGPU = false

    func validate() throws {
        if worldSize < 1 { throw ValidationError("--tensor-parallel must be at least 1") }
        for part in partList where !["allreduce", "parity", "throughput"].contains(part) {
            throw ValidationError("unknown part '\(part)'")
        }
        _ = try presets(parityModels) + presets(parityF32Models) + presets(throughputModels)
        if context < 1 || iterations < 1 { throw ValidationError("--context and --iterations must be at least 1") }
    }

    var partList: [String] { parts.split(separator: ",").map(String.init) }

    func presets(_ list: String) throws -> [TensorParallelPreset] {
        try list.split(separator: ",").map { name in
            guard let preset = TensorParallelPreset(rawValue: String(name)) else {
                throw ValidationError("unknown model '\(name)' (\(TensorParallelPreset.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return preset
        }
    }

    func run() throws {
        guard common.device == .cuda else { throw TensorParallelCheckError.notCUDA }
        NCCLAPI.disableMulticast()
        let gpus = TensorParallelGPU.deviceCount()
        tensorParallelLog("\(gpus) GPU(s) visible; TP=\(worldSize); CUDA graphs \(graphs ? "on" : "off")")
        guard gpus >= (oneGPU ? 1 : worldSize) else { throw NCCLError.notEnoughDevices(requested: worldSize, available: gpus) }
        var reports: [CheckReport] = []
        if partList.contains("allreduce") && !oneGPU {
            let report = CheckReport(name: "tp-allreduce", columns: ["check", "type", "elements", "result", "µs", "bus GB/s"])
            report.notes.append(
                "NCCL in-place sum over \(worldSize) GPU(s), one thread and CUDA backend per GPU: exact sums of known values (f32 and "
                    + "bf16), then the time of one f32 all-reduce of [1, 32, 128 tokens] × 8192 (Llama-70B's hidden size) and of "
                    + "64 Mi elements (bus bandwidth = bytes · 2(n−1)/n per second; 0 for one GPU).")
            do { try TensorParallelAllReduceCheck(worldSize: worldSize).run(report: report) } catch { report.fail("\(error)") }
            reports.append(report)
        }
        if partList.contains("parity") { reports.append(try parity()) }
        if partList.contains("throughput") { reports.append(try throughput()) }
        try common.finish(reports)
    }

    // MARK: - Parts

    func parity() throws -> CheckReport {
        let report = CheckReport(
            name: "tp-parity",
            columns: ["model", "storage", "TP", "phase", "logit rows", "max|Δ|/max|ref|", "bound", "argmax agree", "result"])
        report.notes.append(
            (oneGPU ? "ONE-GPU EMULATION (all ranks on GPU 0, host-relay all-reduce, no NCCL). " : "")
                + "TP=\(worldSize) on GPUs 0..<\(worldSize) vs TP=1 on GPU 0, the same random weights (each rank's slices cut from the "
                + "full matrices), 4 adapters of ranks 8/16/32/64 on all 7 projections (A ±sqrt(3/in), Bᵀ ±0.5·sqrt(3/r), so LoRA "
                + "moves the logits) and one sequence on the base model. Steps: prefill of 4 sequences (every position's logits), "
                + "2 mixed steps (decode rows next to prefill chunks, one prompt chunked), \(TensorParallelParity.decodeSteps) "
                + "decode steps of 6 sequences; TP=1's greedy tokens are fed to both. CUDA graphs: \(graphs && !oneGPU).")
        var runs: [(TensorParallelPreset, CUDAElementType, Double, Double)] = try presets(parityModels).map { ($0, .bf16, 2e-2, 0.8) }
        runs += try presets(parityF32Models).map { ($0, .f32, 1e-3, 0.95) }
        for (preset, storage, bound, agreement) in runs {
            let gpu = TensorParallelGPU(storage: storage, debug: common.debug, graphs: graphs, oneGPU: oneGPU)
            do {
                try TensorParallelParity(
                    gpu: gpu, preset: preset, worldSize: worldSize, bound: bound, minimumAgreement: agreement
                ).run(report: report)
            } catch {
                report.fail("\(preset.rawValue) \(storage.rawValue): \(error)")
            }
        }
        return report
    }

    func throughput() throws -> CheckReport {
        let report = CheckReport(
            name: "tp-throughput",
            columns: [
                "model", "TP", "batch", "adapters", "gpu ms/step", "wall ms/step", "tokens/s", "vs TP=1", "floor ms/rank",
                "× floor",
            ])
        var options = TensorParallelThroughputOptions()
        options.batches = batches
        options.context = context
        options.ranks = ranks
        options.iterations = iterations
        let gpu = TensorParallelGPU(storage: .bf16, debug: common.debug, graphs: graphs, oneGPU: oneGPU)
        let gpu0 = try CUDAContext.open(ordinal: 0)
        let bandwidth = try CUDAComputeBackend(context: gpu0).measureCopyBandwidth()
        report.metadata["copyBandwidthBytesPerSecond"] = bandwidth
        report.notes.append(
            "Dummy weights (bf16, random per rank), context \(self.context), every sequence on its own adapter (ranks "
                + "\(ranks.map(String.init).joined(separator: "/")) on q,k,v,o; S-LoRA's S2 ranks). gpu ms: CUDA events around "
                + "\(iterations) back-to-back steps on every rank (slowest rank); wall ms: one step at a time on all ranks, rank 0 "
                + "samples greedily and its ids reach the host (tokens/s = batch / wall). floor: one rank's bytes (its weight "
                + "slices + lm_head, its K/V heads, its adapter shards) over GPU 0's copy bandwidth "
                + "(\(CheckFormat.fixed(bandwidth / 1e12)) TB/s). Row-parallel partial sums are all-reduced in f32 (2 per layer). "
                + "CUDA graphs: \(graphs && !oneGPU).")
        for preset in try presets(throughputModels) {
            var baseline: [Int: Double] = [:]
            for size in Array(Set([1, worldSize])).sorted() {
                let bench = TensorParallelThroughput(gpu: gpu, preset: preset, worldSize: size, options: options)
                guard bench.fits(gpuBytes: gpu0.totalMemory) else {
                    report.notes.append("\(preset.rawValue) TP=\(size): skipped, one rank's weights + KV + adapters do not fit one GPU.")
                    continue
                }
                do {
                    let wall = try bench.run(report: report, bandwidth: bandwidth, baseline: baseline)
                    if size == 1 { baseline = wall }
                } catch {
                    report.fail("\(preset.rawValue) TP=\(size): \(error)")
                }
            }
        }
        return report
    }
}
