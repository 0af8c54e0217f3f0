// A GGUF file as a Llama weight source: HF names mapped to GGUF names, tensors dequantized to f32 or
// handed over still quantized (Q8_0 / Q4_0 / Q4_1), and the q/k rows that llama.cpp's converter
// permuted for interleaved RoPE put back into HF's rotate-half order, so the model sees HF layouts.

import Backend
import Checkpoint
import Foundation
import GGUF

/// The tensors of a `llama` GGUF file in HF naming and HF layout.
///
/// ```swift
/// let source = try GGUFWeightSource(url: URL(fileURLWithPath: "models/SmolLM2-135M-Instruct.Q4_1.gguf"))
/// let config = try LlamaConfiguration(gguf: source.file)
/// let model = try LlamaModel(config: config, source: source, backend: CPUBackend())
/// ```
/// Because q/k rows are restored to HF order, PEFT adapters apply unchanged (no `lora_B` permutation).
public final class GGUFWeightSource: LlamaWeightSource, @unchecked Sendable {
    public let file: GGUFFile
    public let hyperparameters: GGUFLlamaHyperparameters

    /// Maps and parses `url`, reads its llama hyper-parameters and checks every tensor's shape.
    public convenience init(url: URL) throws {
        try self.init(file: try GGUFFile(url: url))
    }

    /// Throws `GGUFError` when the file is not a well-formed llama model.
    public init(file: GGUFFile) throws {
        self.file = file
        hyperparameters = try GGUFLlamaHyperparameters(file: file)
        try hyperparameters.validateTensorShapes(in: file)
    }

    /// As `init(file:)`, also checking that `config` (e.g. `LlamaConfiguration(gguf: file)`) describes
    /// this file's tensors; throws `LlamaLoadError.wrongShape` naming the first tensor that disagrees.
    public convenience init(file: GGUFFile, config: LlamaConfiguration) throws {
        try self.init(file: file)
        let hp = hyperparameters
        let expected = [
            ("token_embd.weight", [config.vocabularySize, config.hiddenSize], [hp.vocabSize, hp.hiddenSize]),
            ("blk.0.attn_q.weight", [config.queryWidth, config.hiddenSize], [hp.headCount * hp.headDim, hp.hiddenSize]),
            ("blk.0.attn_k.weight", [config.kvWidth, config.hiddenSize], [hp.kvHeadCount * hp.headDim, hp.hiddenSize]),
            ("blk.0.ffn_up.weight", [config.intermediateSize, config.hiddenSize], [hp.intermediateSize, hp.hiddenSize]),
            ("blocks", [config.layerCount], [hp.layerCount]),
        ]
        for (tensor, want, found) in expected where want != found {
            throw LlamaLoadError.wrongShape(file: file.path, tensor: tensor, expected: want, found: found)
        }
    }

    // MARK: - LlamaWeightSource

    public func contains(_ name: String) -> Bool {
        GGUFLlamaLayout.ggufName(forHFName: name).map { file.tensors[$0] != nil } ?? false
    }

    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        let info = try tensor(name, shape: shape)
        let values = try file.floats(info.name)
        guard let heads = qkHeadCount(name) else { return values }
        return GGUFLlamaLayout.unpermuteQK(values, rows: shape[0], cols: shape[1], headCount: heads)
    }

    public func quantized(_ name: String, shape: [Int]) throws -> QuantizedMatrix? {
        let info = try tensor(name, shape: shape)
        let format: QuantizedMatrix.Format
        switch info.type {
        case .q8_0: format = .q8_0
        case .q4_0: format = .q4_0
        case .q4_1: format = .q4_1
        default: return nil
        }
        guard shape.count == 2 else { return nil }
        var bytes = [UInt8](file.rawData(info))  // [rows, rowByteCount]
        if let heads = qkHeadCount(name) {
            // Whole rows move: the permutation is over output rows, blocks run along each row.
            bytes = GGUFLlamaLayout.unpermuteQK(bytes, rows: shape[0], cols: info.rowByteCount, headCount: heads)
        }
        return QuantizedMatrix(format: format, rows: shape[0], cols: shape[1], bytes: bytes)
    }

    /// `rope_freqs.weight` `[headDim / 2]` when present (Llama-3 style scaling written by the converter).
    public func ropeFrequencyFactors() throws -> [Float]? {
        let name = "rope_freqs.weight"
        guard let info = file.tensors[name] else { return nil }
        let expected = [hyperparameters.headDim / 2]
        guard info.shape == expected else {
            throw LlamaLoadError.wrongShape(file: file.path, tensor: name, expected: expected, found: info.shape)
        }
        return try file.floats(name)
    }

    // MARK: - Names and layouts

    /// The GGUF tensor holding HF tensor `name`, checked to have HF shape `shape`.
    private func tensor(_ name: String, shape: [Int]) throws -> GGUFTensorInfo {
        guard let ggufName = GGUFLlamaLayout.ggufName(forHFName: name), let info = file.tensors[ggufName] else {
            throw LlamaLoadError.missingTensor(file: file.path, tensor: name)
        }
        guard info.shape == shape else {
            throw LlamaLoadError.wrongShape(file: file.path, tensor: name, expected: shape, found: info.shape)
        }
        return info
    }

    /// The head count to un-permute `name` with (q: heads, k: kv heads), nil for other tensors.
    private func qkHeadCount(_ name: String) -> Int? {
        if name.hasSuffix("self_attn.q_proj.weight") { return hyperparameters.headCount }
        if name.hasSuffix("self_attn.k_proj.weight") { return hyperparameters.kvHeadCount }
        return nil
    }
}
