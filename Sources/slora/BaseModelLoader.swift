// The base model of `slora serve` and `slora bench serve` on the chosen device, with its pool: the
// whole model on one CPU backend or GPU 0, or with `--tensor-parallel N` its N ranks
// (BaseModelLoader+TensorParallel.swift). The pool takes `--pool-memory` MiB per rank, or by default
// 1 GiB on cpu and on cuda most of the GPU memory left after the weights. `--lora-kernels` is applied to
// every CUDA backend made here.

import Backend
import CPUBackend
import CUDABackend
import Checkpoint
import Engine
import Llama
import MemoryPool

/// Loads base models onto the CPU or CUDA backend.
enum BaseModelLoader {
    /// Pool bytes per rank on the CPU without `--pool-memory`.
    static let defaultCPUPoolBytes = 1 << 30

    /// On the CPU backend (dummy weights generated on the host: use small presets); `--tensor-parallel`
    /// ranks share `--threads`.
    static func cpu(_ source: BaseModelSource, options: EngineOptions) throws -> LoadedBaseModel<CPUBackend> {
        try options.loraKernels.requireCPUCompatible()
        let opened = try source.open()
        if options.tensorParallel > 1 { return try cpuRanks(opened, options: options) }
        let backend = CPUBackend(threadCount: options.threads ?? CPUBackend.defaultThreadCount)
        let model = try opened.model(on: backend, collective: nil) { _ in
            HostDummyWeights.weights(config: opened.config, backend: backend, seed: opened.seed)
        }
        let pages = pageCount(model, elementBytes: 4, byteBudget: options.poolMemory.map { $0 << 20 } ?? defaultCPUPoolBytes)
        return LoadedBaseModel(
            executor: SingleModelExecutor(model: model, pageCount: pages), opened: opened, poolElementBytes: 4, device: "cpu f32")
    }

    /// On GPU 0 in bf16, or `--tensor-parallel N` ranks on GPUs 0..<N; throws the CUDA error that says
    /// why when there is no usable GPU.
    static func cuda(_ source: BaseModelSource, options: EngineOptions) throws -> LoadedBaseModel<CUDAComputeBackend> {
        let opened = try source.open()
        if options.tensorParallel > 1 { return try cudaRanks(opened, options: options) }
        let backend = try CUDAComputeBackend.openDefault()
        backend.loraPathOverride = options.loraKernels.cudaPathOverride
        let model = try opened.model(on: backend, collective: nil) { _ in
            DummyModel.weights(config: opened.config, backend: backend, seed: opened.seed)
        }
        let bytes = options.poolMemory.map { $0 << 20 } ?? defaultCUDAPoolBytes(backend)
        let pages = pageCount(model, elementBytes: backend.storage.byteSize, byteBudget: bytes)
        return LoadedBaseModel(
            executor: SingleModelExecutor(model: model, pageCount: pages), opened: opened,
            poolElementBytes: backend.storage.byteSize,
            device: "cuda \(backend.storage.rawValue)\(loraKernelsNote(options))")
    }

    /// ", padded-bmm LoRA" when `--lora-kernels` is not the default (for the device line).
    static func loraKernelsNote(_ options: EngineOptions) -> String {
        options.loraKernels == .gather ? "" : ", \(options.loraKernels.rawValue) LoRA"
    }

    /// Bytes to give the pool on a GPU when `--pool-memory` is not set: 90 % of what is free after the
    /// weights, less 4 GiB for activations, logits and graphs.
    static func defaultCUDAPoolBytes(_ backend: CUDAComputeBackend) -> Int {
        guard let free = try? backend.context.memoryInfo().free else { return 1 << 30 }
        return max(1 << 30, Int(Double(max(0, free - (4 << 30))) * 0.9))
    }

    /// Whole pages of `model`'s pool (one rank's under tensor parallelism) in `byteBudget` bytes; at least
    /// one (the commands refuse pools too small for their context before serving).
    static func pageCount<B>(_ model: LlamaModel<B>, elementBytes: Int, byteBudget: Int) -> Int {
        max(1, PoolBudget(geometry: model.geometry, widths: model.projectionWidths, elementByteCount: elementBytes)
            .pageCount(byteBudget: byteBudget))
    }
}

extension ComputeDevice {
    /// `requested`, or the detected default (cuda when a GPU is present).
    static func resolve(_ requested: ComputeDevice?) -> ComputeDevice { requested ?? detected }
}
