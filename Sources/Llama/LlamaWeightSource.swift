// Where a Llama model's weights come from: an HF safetensors directory or a GGUF file.

/// A table of named f32 tensors in HF naming (`model.layers.0.self_attn.q_proj.weight`, …).
///
/// Sources translate their own names and layouts (GGUF's permuted q/k rows, quantized blocks)
/// so that the model sees HF's.
public protocol LlamaWeightSource {
    /// The tensor `name` as f32, checked to have `shape` (HF order, row-major).
    func floats(_ name: String, shape: [Int]) throws -> [Float]
    func contains(_ name: String) -> Bool
}
