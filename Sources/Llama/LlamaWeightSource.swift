// Where a Llama model's weights come from: an HF safetensors directory or a GGUF file.

import Backend

/// A table of named tensors in HF naming (`model.layers.0.self_attn.q_proj.weight`, …).
///
/// Sources translate their own names and layouts (GGUF's permuted q/k rows, quantized blocks)
/// so that the model sees HF's.
public protocol LlamaWeightSource {
    /// The tensor `name` as f32, checked to have `shape` (HF order, row-major).
    func floats(_ name: String, shape: [Int]) throws -> [Float]
    func contains(_ name: String) -> Bool
    /// The matrix `name` (`shape == [rows, cols]`, HF order) still in a block format a backend may keep
    /// quantized, or nil when the source stores it otherwise (then `floats` is used). When non-nil,
    /// `dequantized()` equals `floats(name, shape:)`. Default: nil.
    func quantized(_ name: String, shape: [Int]) throws -> QuantizedMatrix?
    /// Per-frequency RoPE divisors `[headDim / 2]` that the source stores instead of a `rope_scaling`
    /// config (llama.cpp's `rope_freqs.weight` for Llama-3 scaling): inverse frequency i is divided by
    /// factor i. Default: nil.
    func ropeFrequencyFactors() throws -> [Float]?
}

extension LlamaWeightSource {
    public func quantized(_ name: String, shape: [Int]) throws -> QuantizedMatrix? { nil }
    public func ropeFrequencyFactors() throws -> [Float]? { nil }
}
