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
        let ones = backend.upload([Float](repeating: 1, count: c.hiddenSize))  // [H]
        let layers = (0..<c.layerCount).map { _ in
            LlamaLayerWeights<B>.assembled(
                attentionNorm: ones, q: matrix(c.queryWidth, c.hiddenSize), k: matrix(c.kvWidth, c.hiddenSize),
                v: matrix(c.kvWidth, c.hiddenSize), o: matrix(c.hiddenSize, c.queryWidth), mlpNorm: ones,
                gate: matrix(c.intermediateSize, c.hiddenSize), up: matrix(c.intermediateSize, c.hiddenSize),
                down: matrix(c.hiddenSize, c.intermediateSize))
        }
        let embedding = matrix(c.vocabularySize, c.hiddenSize, scale: 1)
        let lmHead = c.tieWordEmbeddings ? embedding : matrix(c.vocabularySize, c.hiddenSize)
        return LlamaWeights.assembled(embedding: embedding, layers: layers, finalNorm: ones, lmHead: lmHead)
    }
}
