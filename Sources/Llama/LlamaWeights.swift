// The backend-resident weights of a Llama model, loaded through a name table (HF spelling).

import Backend
import Checkpoint

/// One decoder layer's weights.
public struct LlamaLayerWeights<B: ComputeBackend> {
    public let attentionNorm: B.Tensor  // [H]
    public let q: B.Weight  // [Q, H]
    public let k: B.Weight  // [KV, H]
    public let v: B.Weight  // [KV, H]
    public let o: B.Weight  // [H, Q]
    public let mlpNorm: B.Tensor  // [H]
    public let gate: B.Weight  // [I, H]
    public let up: B.Weight  // [I, H]
    public let down: B.Weight  // [H, I]
}

/// All weights of a Llama model on backend `B`.
public struct LlamaWeights<B: ComputeBackend> {
    public let embedding: B.Weight  // [V, H]
    public let layers: [LlamaLayerWeights<B>]
    public let finalNorm: B.Tensor  // [H]
    /// [V, H]; the embedding itself when `tie_word_embeddings` is set.
    public let lmHead: B.Weight

    /// Loads every tensor of `config` from `source` onto `backend`, checking shapes.
    ///
    /// Matrices the source offers still quantized (`LlamaWeightSource.quantized`) go to
    /// `backend.makeWeight(quantized:)` unless `keepQuantized` is false; everything else is f32.
    public static func load(
        config: LlamaConfiguration, from source: any LlamaWeightSource, on backend: B, keepQuantized: Bool = true
    ) throws -> LlamaWeights<B> {
        let h = config.hiddenSize
        let q = config.headCount * config.headDim
        let kv = config.kvHeadCount * config.headDim
        let i = config.intermediateSize
        let vocab = config.vocabularySize

        func matrix(_ name: String, _ rows: Int, _ cols: Int) throws -> B.Weight {
            if keepQuantized, let blocks = try source.quantized(name, shape: [rows, cols]) {
                return backend.makeWeight(quantized: blocks)
            }
            return backend.makeWeight(try source.floats(name, shape: [rows, cols]), rows: rows, cols: cols)
        }
        func vector(_ name: String, _ count: Int) throws -> B.Tensor {
            backend.upload(try source.floats(name, shape: [count]))
        }

        let embedding = try matrix("model.embed_tokens.weight", vocab, h)
        var layers: [LlamaLayerWeights<B>] = []
        for l in 0..<config.layerCount {
            let p = "model.layers.\(l)."
            layers.append(
                LlamaLayerWeights(
                    attentionNorm: try vector(p + "input_layernorm.weight", h),
                    q: try matrix(p + "self_attn.q_proj.weight", q, h),
                    k: try matrix(p + "self_attn.k_proj.weight", kv, h),
                    v: try matrix(p + "self_attn.v_proj.weight", kv, h),
                    o: try matrix(p + "self_attn.o_proj.weight", h, q),
                    mlpNorm: try vector(p + "post_attention_layernorm.weight", h),
                    gate: try matrix(p + "mlp.gate_proj.weight", i, h),
                    up: try matrix(p + "mlp.up_proj.weight", i, h),
                    down: try matrix(p + "mlp.down_proj.weight", h, i)))
        }
        let finalNorm = try vector("model.norm.weight", h)
        let lmHead =
            config.tieWordEmbeddings || !source.contains("lm_head.weight")
            ? embedding : try matrix("lm_head.weight", vocab, h)
        return LlamaWeights(embedding: embedding, layers: layers, finalNorm: finalNorm, lmHead: lmHead)
    }
}
