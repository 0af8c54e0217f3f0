// Where `slora serve` and `slora bench serve` take the base model from: an HF directory or a GGUF file
// (`--model`), or a dummy model (`--dummy-model`: random weights, a stand-in tokenizer). Opening one
// reads everything but the weights; `model(on:collective:dummyWeights:)` then puts the whole model, or
// one tensor-parallel rank's slice of it, on a backend.

import ArgumentParser
import Backend
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

    /// A source opened: configuration, tokenizer and names; weights still in their files (or to draw).
    struct Opened {
        let config: LlamaConfiguration
        /// The checkpoint or GGUF file; nil for dummy weights.
        let weights: (any LlamaWeightSource)?
        /// The dummy weights' seed.
        let seed: UInt64
        /// The served name (file or directory name, or the preset's name).
        let name: String
        let path: String
        let tokenizer: (any TextTokenizer)?
        let chatTemplate: String?
        /// nil: the engine takes the model's and tokenizer's EOS ids.
        let eosTokenIDs: Set<Int32>?
        /// The model part of a log line ("llama (32 layers, hidden 4096)").
        let description: String

        /// The model on `backend`: whole without a collective, else the slice of the collective's rank.
        /// - Parameter dummyWeights: random weights of a shard (dummy sources only).
        func model<B: ComputeBackend>(
            on backend: B, collective: (any Collective<B.Tensor>)?, dummyWeights: (TensorParallelShard) -> LlamaWeights<B>
        ) throws -> LlamaModel<B> {
            if let weights { return try LlamaModel(config: config, source: weights, backend: backend, collective: collective) }
            let shard = collective.map { TensorParallelShard(rank: $0.rank, worldSize: $0.worldSize) } ?? .single
            return LlamaModel(config: config, weights: dummyWeights(shard), backend: backend, collective: collective)
        }
    }

    /// Reads the configuration, tokenizer and chat template (a dummy needs no files).
    func open() throws -> Opened {
        switch self {
        case .files(let path):
            let files = try ModelFiles.open(path)
            return Opened(
                config: files.config, weights: files.weights, seed: 0, name: files.name, path: path,
                tokenizer: files.tokenizer, chatTemplate: files.chatTemplate, eosTokenIDs: files.stopTokenIDs,
                description: "\(files.name) (\(files.config.layerCount) layers, hidden \(files.config.hiddenSize))")
        case .dummy(let preset, let seed):
            let config = preset.configuration
            return Opened(
                config: config, weights: nil, seed: seed, name: preset.rawValue, path: "dummy:\(preset.rawValue)",
                tokenizer: DummyTokenizer(vocabularySize: config.vocabularySize), chatTemplate: nil, eosTokenIDs: nil,
                description:
                    "\(preset.rawValue) dummy weights (seed \(seed); \(config.layerCount) layers, hidden \(config.hiddenSize))")
        }
    }
}
