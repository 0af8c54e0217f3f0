// The engine options `slora serve` and `slora bench serve` share: device, base model (files or dummy),
// tensor parallelism, pool and scheduler knobs, and the CUDA backend's LoRA kernels.

import ArgumentParser
import Engine

struct EngineOptions: ParsableArguments {
    @Option(help: "Compute device (default: cuda when a GPU is present, else cpu).")
    var device: ComputeDevice?

    @Option(help: "The base model: an HF directory (config.json, *.safetensors, tokenizer.json) or a .gguf file.")
    var model: String?

    @Option(help: "Random weights of this shape instead of --model (llama-7b, llama-13b, llama3-8b, tiny).")
    var dummyModel: DummyModelPreset?

    @Option(help: ArgumentHelp("Memory of the unified KV-cache + adapter pool, per rank with --tensor-parallel (default: 1024 on cpu; on cuda 90 % of what is free after the weights, less 4 GiB).", valueName: "MiB"))
    var poolMemory: Int?

    @Option(
        help: ArgumentHelp(
            "Split the model over N ranks (Megatron tensor parallelism; adapters split the same way): on cuda GPUs "
                + "0..<N with NCCL, on cpu N in-process ranks sharing --threads. N must divide the attention heads, "
                + "the KV heads and intermediate_size.", valueName: "N"))
    var tensorParallel = 1

    @Option(help: ArgumentHelp("Most tokens one step runs (prefill chunks and decodes together).", valueName: "TOKENS"))
    var maxBatchedTokens = 512

    @Option(help: ArgumentHelp("Most requests in the running batch.", valueName: "N"))
    var maxRunning = 256

    @Option(help: ArgumentHelp("Most distinct adapters in one step (default: as many as pool pages allow).", valueName: "N"))
    var maxAdaptersPerStep: Int?

    @Flag(help: "Do not load waiting requests' adapters ahead of their admission.")
    var noPrefetch = false

    @Option(
        help: ArgumentHelp(
            "Ablation of unified paging: reserve this fraction of the pool's pages for adapters and the rest for "
                + "KV, neither lending to the other (default: one unified pool).", valueName: "FRACTION"))
    var separatePools: Double?

    @Option(help: "CPU threads for the cpu backend (default: all cores).")
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            "LoRA kernels on cuda: gather (adapter rows read from pool pages at each token's rank) or padded-bmm "
                + "(S-LoRA's baseline: rows copied into buffers padded to the batch's max rank, batched GEMM).",
            valueName: "KERNELS"))
    var loraKernels: LoRAKernelChoice = .gather

    /// The scheduler these options describe for a pool of `pageCount` pages.
    func scheduler(pageCount: Int, timeToFirstTokenSLO: Duration?) -> SchedulerConfiguration {
        SchedulerConfiguration(
            stepTokenBudget: maxBatchedTokens, maxRunningRequests: maxRunning, maxAdaptersPerStep: maxAdaptersPerStep,
            timeToFirstTokenSLO: timeToFirstTokenSLO, prefetchAdapters: !noPrefetch,
            adapterPageShare: separatePools.map { Int($0 * Double(pageCount)) })
    }

    func validate() throws {
        if let poolMemory, poolMemory < 1 { throw ValidationError("--pool-memory must be ≥ 1") }
        if tensorParallel < 1 { throw ValidationError("--tensor-parallel must be ≥ 1") }
        if maxBatchedTokens < 1 || maxRunning < 1 { throw ValidationError("--max-batched-tokens and --max-running must be ≥ 1") }
        if let separatePools, !(separatePools > 0 && separatePools < 1) {
            throw ValidationError("--separate-pools is a fraction in (0, 1)")
        }
        if let maxAdaptersPerStep, maxAdaptersPerStep < 1 { throw ValidationError("--max-adapters-per-step must be ≥ 1") }
        if device == .cpu { try loraKernels.requireCPUCompatible() }
    }
}
