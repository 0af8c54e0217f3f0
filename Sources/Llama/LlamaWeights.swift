// The backend-resident weights of a Llama model, loaded through a name table (HF spelling).

import Backend
import Checkpoint
import MemoryPool

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
    /// The tensor-parallel slice these weights hold (`.single`: the whole model). Sharded layers hold
    /// q/k/v/gate/up as `[out / N, in]` (their rows of the rank's heads / MLP rows) and o/down as
    /// `[H, in / N]` (their columns); embedding, norms and lm_head are whole on every rank.
    public internal(set) var shard: TensorParallelShard = .single

    /// Loads every tensor of `config` from `source` onto `backend`, checking shapes.
    ///
    /// Matrices the source offers still quantized (`LlamaWeightSource.quantized`) go to
    /// `backend.makeWeight(quantized:)` unless `keepQuantized` is false; everything else is f32.
    /// With a `shard` of several ranks, only that rank's slice of each split matrix is kept (see
    /// `shard`; a quantized matrix whose column slice does not fall on 32-element blocks is dequantized)
    /// and `TensorParallelError` is thrown when the config does not split evenly.
    public static func load(
        config: LlamaConfiguration, from source: any LlamaWeightSource, on backend: B, keepQuantized: Bool = true,
        shard: TensorParallelShard = .single
    ) throws -> LlamaWeights<B> {
        try config.validateTensorParallel(worldSize: shard.worldSize)
        let h = config.hiddenSize
        let q = config.headCount * config.headDim
        let kv = config.kvHeadCount * config.headDim
        let i = config.intermediateSize
        let vocab = config.vocabularySize

        func matrix(_ name: String, _ rows: Int, _ cols: Int, _ split: MatrixSplit = .whole) throws -> B.Weight {
            if !shard.isSingle && split != .whole {
                return try shardedMatrix(
                    name, rows: rows, cols: cols, split: split, shard: shard, from: source, on: backend,
                    keepQuantized: keepQuantized)
            }
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
                    q: try matrix(p + "self_attn.q_proj.weight", q, h, .rows),
                    k: try matrix(p + "self_attn.k_proj.weight", kv, h, .rows),
                    v: try matrix(p + "self_attn.v_proj.weight", kv, h, .rows),
                    o: try matrix(p + "self_attn.o_proj.weight", h, q, .columns),
                    mlpNorm: try vector(p + "post_attention_layernorm.weight", h),
                    gate: try matrix(p + "mlp.gate_proj.weight", i, h, .rows),
                    up: try matrix(p + "mlp.up_proj.weight", i, h, .rows),
                    down: try matrix(p + "mlp.down_proj.weight", h, i, .columns)))
        }
        let finalNorm = try vector("model.norm.weight", h)
        let lmHead =
            config.tieWordEmbeddings || !source.contains("lm_head.weight")
            ? embedding : try matrix("lm_head.weight", vocab, h)
        return LlamaWeights(embedding: embedding, layers: layers, finalNorm: finalNorm, lmHead: lmHead, shard: shard)
    }
}
