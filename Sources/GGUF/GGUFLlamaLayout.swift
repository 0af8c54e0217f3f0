// How llama.cpp lays out a Llama model in GGUF, and how to get back to Hugging Face conventions: tensor names
// (gguf-py tensor_mapping.py) and the q/k row permutation that convert_hf_to_gguf.py applies
// (LlamaModel.permute) so that llama.cpp can use interleaved ("NORM") RoPE.

/// GGUF ↔ Hugging Face conventions for `general.architecture == "llama"`.
///
/// **Q/K rows.** llama.cpp's converter stores `attn_q` / `attn_k` with their output rows permuted, per head, from
/// HF's rotate-half order (pairs `(i, i + headDim/2)`) into Meta's interleaved order (pairs `(2i, 2i + 1)`):
/// ```python
/// w.reshape(n_head, 2, rows // n_head // 2, cols).swapaxes(1, 2).reshape(rows, cols)   # n_head := n_kv for attn_k
/// ```
/// i.e. GGUF row `h·headDim + 2i + j` holds HF row `h·headDim + j·headDim/2 + i`. A loader either keeps the GGUF
/// order and uses interleaved RoPE (then PEFT `lora_B` for q/k must be permuted with
/// ``permuteQK(_:rows:cols:headCount:)``), or restores HF order with ``unpermuteQK(_:rows:cols:headCount:)`` and
/// uses HF's rotate-half RoPE. Only whole
/// rows move, so quantized rows can be moved without dequantizing (pass the raw bytes with `cols = rowByteCount`).
public enum GGUFLlamaLayout {
    // MARK: - Q/K permutation

    /// The HF row that GGUF row `ggufRow` of a permuted q/k weight holds. `rows` must be a multiple of
    /// `2 · headCount`.
    public static func hfRow(forGGUFRow ggufRow: Int, rows: Int, headCount: Int) -> Int {
        let headDim = rows / headCount
        let half = headDim / 2
        let head = ggufRow / headDim
        let within = ggufRow % headDim
        // GGUF within-head index 2i + j  ←  HF within-head index j·half + i
        return head * headDim + (within % 2) * half + within / 2
    }

    /// Inverts llama.cpp's q/k permutation: `w` in GGUF row order → HF row order.
    ///
    /// - Parameters:
    ///   - w: `[rows, cols]`, row-major, rows in GGUF (interleaved) order. Any element type: pass Float weights, or
    ///     raw quantized bytes with `cols = rowByteCount`.
    ///   - rows: output features (`headCount · headDim`).
    ///   - headCount: `llama.attention.head_count` for `attn_q`, `llama.attention.head_count_kv` for `attn_k`.
    /// - Returns: `[rows, cols]` in HF (rotate-half) row order.
    /// - Precondition: `w.count == rows · cols` and `rows` is a multiple of `2 · headCount` (validate shapes first,
    ///   e.g. with ``GGUFLlamaHyperparameters/validateTensorShapes(in:)``).
    public static func unpermuteQK<Element>(_ w: [Element], rows: Int, cols: Int, headCount: Int) -> [Element] {
        reorderRows(w, rows: rows, cols: cols, headCount: headCount, inverse: true)
    }

    /// Applies llama.cpp's q/k permutation: `w` in HF row order → GGUF row order. Use it to bring HF-ordered
    /// tensors (PEFT `lora_B` of `q_proj`/`k_proj`, q/k biases) into the layout of a GGUF base model.
    /// Same parameters and preconditions as ``unpermuteQK(_:rows:cols:headCount:)``.
    public static func permuteQK<Element>(_ w: [Element], rows: Int, cols: Int, headCount: Int) -> [Element] {
        reorderRows(w, rows: rows, cols: cols, headCount: headCount, inverse: false)
    }

    private static func reorderRows<Element>(
        _ w: [Element], rows: Int, cols: Int, headCount: Int, inverse: Bool
    ) -> [Element] {
        precondition(headCount > 0 && rows >= 0 && cols >= 0 && rows % (2 * headCount) == 0, "bad q/k geometry")
        precondition(w.count == rows * cols, "w.count \(w.count) != rows \(rows) · cols \(cols)")
        var result = w
        w.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { destination in
                for ggufRow in 0..<rows {
                    let hfRow = hfRow(forGGUFRow: ggufRow, rows: rows, headCount: headCount)
                    let (from, to) = inverse ? (ggufRow, hfRow) : (hfRow, ggufRow)
                    for c in 0..<cols { destination[to * cols + c] = source[from * cols + c] }
                }
            }
        }
        return result
    }

    // MARK: - Tensor names

    /// Per-block GGUF suffix → HF suffix (after `blk.N.` / `model.layers.N.`), without `.weight`/`.bias`.
    static let blockNames: [(gguf: String, hf: String)] = [
        ("attn_q", "self_attn.q_proj"),
        ("attn_k", "self_attn.k_proj"),
        ("attn_v", "self_attn.v_proj"),
        ("attn_output", "self_attn.o_proj"),
        ("attn_norm", "input_layernorm"),
        ("ffn_gate", "mlp.gate_proj"),
        ("ffn_up", "mlp.up_proj"),
        ("ffn_down", "mlp.down_proj"),
        ("ffn_norm", "post_attention_layernorm"),
    ]

    /// Top-level GGUF name → HF name, without `.weight`/`.bias`.
    static let globalNames: [(gguf: String, hf: String)] = [
        ("token_embd", "model.embed_tokens"),
        ("output_norm", "model.norm"),
        ("output", "lm_head"),
    ]

    /// The HF name of a GGUF llama tensor: `blk.3.attn_q.weight` → `model.layers.3.self_attn.q_proj.weight`,
    /// `token_embd.weight` → `model.embed_tokens.weight`, `output.weight` → `lm_head.weight`. `nil` for names with
    /// no HF counterpart (e.g. `rope_freqs.weight`, which HF computes from `rope_scaling`).
    public static func hfName(forGGUFName name: String) -> String? {
        guard let (stem, suffix) = splitSuffix(name) else { return nil }
        if let entry = globalNames.first(where: { $0.gguf == stem }) { return entry.hf + suffix }
        let parts = stem.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]), layer >= 0, String(layer) == parts[1],
            let entry = blockNames.first(where: { $0.gguf == parts[2] })
        else { return nil }
        return "model.layers.\(layer).\(entry.hf)\(suffix)"
    }

    /// The GGUF name of an HF llama tensor (inverse of ``hfName(forGGUFName:)``); `nil` if not a llama tensor.
    public static func ggufName(forHFName name: String) -> String? {
        guard let (stem, suffix) = splitSuffix(name) else { return nil }
        if let entry = globalNames.first(where: { $0.hf == stem }) { return entry.gguf + suffix }
        let prefix = "model.layers."
        guard stem.hasPrefix(prefix) else { return nil }
        let rest = stem.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]), layer >= 0,
            String(layer) == rest[..<dot],
            let entry = blockNames.first(where: { $0.hf == rest[rest.index(after: dot)...] })
        else { return nil }
        return "blk.\(layer).\(entry.gguf)\(suffix)"
    }

    /// The GGUF name of block tensor `kind` (e.g. `"attn_q"`) in layer `layer`: `blk.<layer>.<kind>.weight`.
    public static func blockTensorName(_ kind: String, layer: Int) -> String { "blk.\(layer).\(kind).weight" }

    private static func splitSuffix(_ name: String) -> (stem: Substring, suffix: String)? {
        for suffix in [".weight", ".bias"] where name.hasSuffix(suffix) {
            return (name.dropLast(suffix.count), suffix)
        }
        return nil
    }
}
