// The base model of `slora serve` and `slora bench serve` on the chosen device: an HF directory or a
// GGUF file (`--model`), or a dummy model (`--dummy-model`: random weights, a stand-in tokenizer), plus
// the pool size in pages (`--pool-memory`, or on cuda most of the GPU memory left after the weights).

import ArgumentParser
import Backend
import CPUBackend
import CUDABackend
import Checkpoint
import Engine
import Llama
import MemoryPool
import Tokenization

/// Where the base model comes from.
enum BaseModelSource: Sendable {
    /// An HF directory or a `.gguf` file.
    case files(path: String)
    /// Random weights of a named shape.
    case dummy(DummyModelPreset, seed: UInt64)

    /// From `--model` / `--dummy-model` (exactly one of them).
    init(model: String?, dummy: DummyModelPreset?, seed: UInt64 = 42) throws {
        switch (model, dummy) {
        case (let path?, nil): self = .files(path: path)
        case (nil, let preset?): self = .dummy(preset, seed: seed)
        default: throw ValidationError("give exactly one of --model and --dummy-model")
        }
    }
}

/// A base model on one backend with what the engine needs around it.
struct LoadedBaseModel<B: ComputeBackend> {
    let model: LlamaModel<B>
    /// The served name (file or directory name, or the preset's name).
    let name: String
    let path: String
    let tokenizer: (any TextTokenizer)?
    let chatTemplate: String?
    /// nil: the engine takes the model's and tokenizer's EOS ids.
    let eosTokenIDs: Set<Int32>?
    /// Bytes per pool element on this backend (CPU f32: 4; CUDA bf16: 2).
    let poolElementBytes: Int
    /// One line for logs and reports.
    let summary: String

    /// Pool pages for `mebibytes` MiB (nil: `defaultBytes`).
    func poolPageCount(mebibytes: Int?, defaultBytes: Int) -> Int {
        let budget = PoolBudget(
            widths: model.projectionWidths, layerCount: model.config.layerCount,
            tokensPerPage: model.geometry.tokensPerPage, elementByteCount: poolElementBytes)
        return budget.pageCount(byteBudget: mebibytes.map { $0 << 20 } ?? defaultBytes)
    }
}

/// Loads base models onto the CPU or CUDA backend.
enum BaseModelLoader {
    /// On the CPU backend (dummy weights generated on the host: use small presets).
    static func cpu(_ source: BaseModelSource, threads: Int?) throws -> LoadedBaseModel<CPUBackend> {
        let backend = CPUBackend(threadCount: threads ?? CPUBackend.defaultThreadCount)
        return try load(source, backend: backend, poolElementBytes: 4, label: "cpu f32") { config, seed in
            HostDummyWeights.weights(config: config, backend: backend, seed: seed)
        }
    }

    /// On GPU 0 in bf16; throws the CUDA error that says why when there is no usable GPU.
    static func cuda(_ source: BaseModelSource) throws -> LoadedBaseModel<CUDAComputeBackend> {
        let backend = try CUDAComputeBackend.openDefault()
        return try load(source, backend: backend, poolElementBytes: backend.storage.byteSize, label: "cuda \(backend.storage.rawValue)") {
            config, seed in
            DummyModel.weights(config: config, backend: backend, seed: seed)
        }
    }

    /// Bytes to give the pool on a GPU when `--pool-memory` is not set: 90 % of what is free after the
    /// weights, less 4 GiB for activations, logits and graphs.
    static func defaultCUDAPoolBytes(_ backend: CUDAComputeBackend) -> Int {
        guard let free = try? backend.context.memoryInfo().free else { return 1 << 30 }
        return max(1 << 30, Int(Double(max(0, free - (4 << 30))) * 0.9))
    }

    private static func load<B: ComputeBackend>(
        _ source: BaseModelSource, backend: B, poolElementBytes: Int, label: String,
        dummyWeights: (LlamaConfiguration, UInt64) -> LlamaWeights<B>
    ) throws -> LoadedBaseModel<B> {
        switch source {
        case .files(let path):
            let files = try ModelFiles.open(path)
            let model = try LlamaModel(config: files.config, source: files.weights, backend: backend)
            return LoadedBaseModel(
                model: model, name: files.name, path: path, tokenizer: files.tokenizer, chatTemplate: files.chatTemplate,
                eosTokenIDs: files.stopTokenIDs, poolElementBytes: poolElementBytes,
                summary: "\(files.name) (\(files.config.layerCount) layers, hidden \(files.config.hiddenSize)) on \(label)")
        case .dummy(let preset, let seed):
            let config = preset.configuration
            let model = LlamaModel(config: config, weights: dummyWeights(config, seed), backend: backend)
            return LoadedBaseModel(
                model: model, name: preset.rawValue, path: "dummy:\(preset.rawValue)",
                tokenizer: DummyTokenizer(vocabularySize: config.vocabularySize), chatTemplate: nil, eosTokenIDs: nil,
                poolElementBytes: poolElementBytes,
                summary: "\(preset.rawValue) dummy weights (seed \(seed); \(config.layerCount) layers, hidden \(config.hiddenSize)) on \(label)")
        }
    }
}

extension ComputeDevice {
    /// `requested`, or the detected default (cuda when a GPU is present).
    static func resolve(_ requested: ComputeDevice?) -> ComputeDevice { requested ?? detected }
}
