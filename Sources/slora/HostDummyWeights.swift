// Random Llama weights built on the host and uploaded through `makeWeight` (any backend): the CPU
// path of `--dummy-model` (the CUDA path generates them on the GPU, DummyModel.weights). Same scales:
// matrices uniform in ±sqrt(3 / fan-in), embeddings in ±1, norms 1. Meant for small shapes (`tiny`).

import Backend
import Checkpoint
import Llama
import Workload

/// Random host-generated weights for a dummy model.
enum HostDummyWeights {
    static func weights<B: ComputeBackend>(config c: LlamaConfiguration, backend: B, seed: UInt64) -> LlamaWeights<B> {
        var random = WorkloadRandom(seed: seed)
        func matrix(_ rows: Int, _ cols: Int, scale: Float? = nil) -> B.Weight {
            let s = scale ?? (3 / Float(cols)).squareRoot()
            let values = (0..<(rows * cols)).map { _ in Float(random.unit() * 2 - 1) * s }  // [rows, cols]
            return backend.makeWeight(values, rows: rows, cols: cols)
        }
        return assemble(config: c, backend: backend, matrix: matrix)
    }

    /// Every matrix of `c` from `matrix(rows, cols, scale)` (scale nil: ±sqrt(3 / fan-in); embeddings get 1),
    /// norms 1, the LM head tied when the config says so. Shared by the host and the GPU generators.
    static func assemble<B: ComputeBackend>(
        config c: LlamaConfiguration, backend: B, matrix: (_ rows: Int, _ cols: Int, _ scale: Float?) -> B.Weight
    ) -> LlamaWeights<B> {
        let ones = backend.upload([Float](repeating: 1, count: c.hiddenSize))  // [H]
        let layers = (0..<c.layerCount).map { _ in
            LlamaLayerWeights<B>.assembled(
                attentionNorm: ones, q: matrix(c.queryWidth, c.hiddenSize, nil), k: matrix(c.kvWidth, c.hiddenSize, nil),
                v: matrix(c.kvWidth, c.hiddenSize, nil), o: matrix(c.hiddenSize, c.queryWidth, nil), mlpNorm: ones,
                gate: matrix(c.intermediateSize, c.hiddenSize, nil), up: matrix(c.intermediateSize, c.hiddenSize, nil),
                down: matrix(c.hiddenSize, c.intermediateSize, nil))
        }
        let embedding = matrix(c.vocabularySize, c.hiddenSize, 1)
        let lmHead = c.tieWordEmbeddings ? embedding : matrix(c.vocabularySize, c.hiddenSize, nil)
        return LlamaWeights.assembled(embedding: embedding, layers: layers, finalNorm: ones, lmHead: lmHead)
    }
}
