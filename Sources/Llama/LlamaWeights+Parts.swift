// Building LlamaWeights from weights a caller already made on its backend (random dummy weights
// generated on the GPU for benchmarks), instead of loading them from a checkpoint.

import Backend
import MemoryPool

extension LlamaLayerWeights {
    /// One layer from its parts; shapes as the stored properties document.
    public static func assembled(
        attentionNorm: B.Tensor, q: B.Weight, k: B.Weight, v: B.Weight, o: B.Weight, mlpNorm: B.Tensor,
        gate: B.Weight, up: B.Weight, down: B.Weight
    ) -> LlamaLayerWeights {
        LlamaLayerWeights(
            attentionNorm: attentionNorm, q: q, k: k, v: v, o: o, mlpNorm: mlpNorm, gate: gate, up: up, down: down)
    }
}

extension LlamaWeights {
    /// A model's weights from their parts (`lmHead` may be `embedding` itself when tied); with a
    /// `shard` of several ranks, the layers' matrices are that rank's slices (see `LlamaWeights.shard`).
    public static func assembled(
        embedding: B.Weight, layers: [LlamaLayerWeights<B>], finalNorm: B.Tensor, lmHead: B.Weight,
        shard: TensorParallelShard = .single
    ) -> LlamaWeights {
        LlamaWeights(embedding: embedding, layers: layers, finalNorm: finalNorm, lmHead: lmHead, shard: shard)
    }
}
