// Random Llama weights built on the host and uploaded through `makeWeight` (any backend): the CPU
// path of `--dummy-model` (the CUDA path generates them on the GPU, DummyModel.weights). Same scales:
// matrices uniform in ±sqrt(3 / fan-in), embeddings in ±1, norms 1. Meant for small shapes (`tiny`).
// Under tensor parallelism each rank keeps its slices of the same matrices.

import Backend
import Checkpoint
import Llama
import MemoryPool
import Workload

/// Random host-generated weights for a dummy model.
enum HostDummyWeights {
    /// The dummy model of `seed`, or rank `shard`'s slices of it: every rank draws the whole matrices
    /// in the same order and keeps its rows (q/k/v/gate/up) or columns (o/down), so N ranks hold exactly
    /// the model one rank would.
    static func weights<B: ComputeBackend>(
        config c: LlamaConfiguration, backend: B, seed: UInt64, shard: TensorParallelShard = .single
    ) -> LlamaWeights<B> {
        var random = WorkloadRandom(seed: seed)
        func matrix(_ rows: Int, _ cols: Int, _ scale: Float?, _ split: TensorParallelDummy.Split) -> B.Weight {
            let s = scale ?? (3 / Float(cols)).squareRoot()
            let values = (0..<(rows * cols)).map { _ in Float(random.unit() * 2 - 1) * s }  // [rows, cols]
            switch shard.isSingle ? .whole : split {
            case .whole:
                return backend.makeWeight(values, rows: rows, cols: cols)
            case .rows:
                let kept = shard.range(of: rows)
                let part = Array(values[(kept.lowerBound * cols)..<(kept.upperBound * cols)])  // [kept.count, cols]
                return backend.makeWeight(part, rows: kept.count, cols: cols)
            case .columns:
                let kept = shard.range(of: cols)
                var part: [Float] = []  // [rows, kept.count]
                part.reserveCapacity(rows * kept.count)
                for r in 0..<rows { part += values[(r * cols + kept.lowerBound)..<(r * cols + kept.upperBound)] }
                return backend.makeWeight(part, rows: rows, cols: kept.count)
            }
        }
        return assemble(config: c, backend: backend, shard: shard, matrix: matrix)
    }

    /// Every matrix of `c` from `matrix(rows, cols, scale, split)` (scale nil: ±sqrt(3 / fan-in); embeddings
    /// get 1; `split`: how tensor parallelism cuts it, for generators that make one rank's slice), norms 1,
    /// the LM head tied when the config says so. Shared by the host and the GPU generators.
    static func assemble<B: ComputeBackend>(
        config c: LlamaConfiguration, backend: B, shard: TensorParallelShard = .single,
        matrix: (_ rows: Int, _ cols: Int, _ scale: Float?, _ split: TensorParallelDummy.Split) -> B.Weight
    ) -> LlamaWeights<B> {
        let ones = backend.upload([Float](repeating: 1, count: c.hiddenSize))  // [H]
        let layers = (0..<c.layerCount).map { _ in
            LlamaLayerWeights<B>.assembled(
                attentionNorm: ones, q: matrix(c.queryWidth, c.hiddenSize, nil, .rows),
                k: matrix(c.kvWidth, c.hiddenSize, nil, .rows), v: matrix(c.kvWidth, c.hiddenSize, nil, .rows),
                o: matrix(c.hiddenSize, c.queryWidth, nil, .columns), mlpNorm: ones,
                gate: matrix(c.intermediateSize, c.hiddenSize, nil, .rows), up: matrix(c.intermediateSize, c.hiddenSize, nil, .rows),
                down: matrix(c.hiddenSize, c.intermediateSize, nil, .columns))
        }
        let embedding = matrix(c.vocabularySize, c.hiddenSize, 1, .whole)
        let lmHead = c.tieWordEmbeddings ? embedding : matrix(c.vocabularySize, c.hiddenSize, nil, .whole)
        return LlamaWeights.assembled(embedding: embedding, layers: layers, finalNorm: ones, lmHead: lmHead, shard: shard)
    }
}
