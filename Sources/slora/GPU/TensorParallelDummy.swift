// Dummy models for the tensor-parallel GPU check: Llama shapes by name (including a ~1B GQA shape and
// Llama-2-70B), one rank's share of seeded random weights generated on its GPU, and random adapters
// (host streams to shard for parity, or filled straight into pool pages per rank for throughput).

import Adapters
import ArgumentParser
import Backend
import CUDABackend
import Checkpoint
import Llama
import MemoryPool

/// A named Llama shape for `slora gpu-check tp`.
enum TensorParallelPreset: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// 2 layers, 8 query / 2 KV heads (GQA): a smoke test.
    case tiny
    /// TinyLlama-1.1B's shape: 22 layers, 32 query / 4 KV heads.
    case tinyllama1b = "tinyllama-1b"
    case llama7b = "llama-7b"
    case llama13b = "llama-13b"
    /// Llama-2-70B's shape: 80 layers, 64 query / 8 KV heads, intermediate 28672.
    case llama70b = "llama-70b"

    var configuration: LlamaConfiguration {
        switch self {
        case .tiny: DummyModelPreset.tiny.configuration
        case .llama7b: DummyModelPreset.llama7b.configuration
        case .llama13b: DummyModelPreset.llama13b.configuration
        case .tinyllama1b:
            LlamaConfiguration(
                hiddenSize: 2048, intermediateSize: 5632, layerCount: 22, headCount: 32, kvHeadCount: 4, vocabularySize: 32000,
                rmsNormEps: 1e-5, maxPositionEmbeddings: 2048, bosTokenID: 1, eosTokenIDs: [2])
        case .llama70b:
            LlamaConfiguration(
                hiddenSize: 8192, intermediateSize: 28672, layerCount: 80, headCount: 64, kvHeadCount: 8, vocabularySize: 32000,
                rmsNormEps: 1e-5, maxPositionEmbeddings: 4096, bosTokenID: 1, eosTokenIDs: [2])
        }
    }
}

/// One rank's random weights and random adapters.
enum TensorParallelDummy {
    /// How a matrix splits (Megatron): output rows (q/k/v/gate/up), input columns (o/down), or none.
    enum Split { case whole, rows, columns }

    /// Rank `shard`'s weights: every matrix uniform in ±sqrt(3 / full fan-in), embeddings in ±1, norms 1.
    /// - Parameter exact: true: each rank's slices are cut from exactly the matrices one GPU would
    ///   generate from `seed` (parity; the whole matrix is generated in a temporary), false: each rank
    ///   draws its own slices (throughput; no temporary).
    static func weights(
        config c: LlamaConfiguration, shard: TensorParallelShard, backend: CUDAComputeBackend, seed: UInt64, exact: Bool
    ) -> LlamaWeights<CUDAComputeBackend> {
        var next = seed
        func matrix(_ rows: Int, _ cols: Int, _ split: Split, scale: Float? = nil) -> CUDAWeight {
            next &+= 0x9E37_79B9_7F4A_7C15
            let scale = scale ?? (3 / Float(cols)).squareRoot()
            let rowRange = split == .rows ? shard.range(of: rows) : 0..<rows
            let colRange = split == .columns ? shard.range(of: cols) : 0..<cols
            if exact || split == .whole {
                return backend.makeRandomWeightSlice(
                    fullRows: rows, fullCols: cols, rows: rowRange, cols: colRange, seed: next, scale: scale)
            }
            return backend.makeRandomWeight(
                rows: rowRange.count, cols: colRange.count, seed: next ^ (UInt64(shard.rank) &* 0xD6E8_FEB8_6659_FD93), scale: scale)
        }
        let ones = backend.upload([Float](repeating: 1, count: c.hiddenSize))
        let layers = (0..<c.layerCount).map { _ in
            LlamaLayerWeights<CUDAComputeBackend>.assembled(
                attentionNorm: ones, q: matrix(c.queryWidth, c.hiddenSize, .rows), k: matrix(c.kvWidth, c.hiddenSize, .rows),
                v: matrix(c.kvWidth, c.hiddenSize, .rows), o: matrix(c.hiddenSize, c.queryWidth, .columns), mlpNorm: ones,
                gate: matrix(c.intermediateSize, c.hiddenSize, .rows), up: matrix(c.intermediateSize, c.hiddenSize, .rows),
                down: matrix(c.hiddenSize, c.intermediateSize, .columns))
        }
        let embedding = matrix(c.vocabularySize, c.hiddenSize, .whole, scale: 1)
        let lmHead = c.tieWordEmbeddings ? embedding : matrix(c.vocabularySize, c.hiddenSize, .whole)
        return LlamaWeights.assembled(embedding: embedding, layers: layers, finalNorm: ones, lmHead: lmHead, shard: shard)
    }

    /// Bytes one rank reads per decode step for its weights: its slices of every layer, plus lm_head
    /// (the embedding only for the step's rows, not counted).
    static func rankWeightBytes(_ c: LlamaConfiguration, worldSize: Int, elementBytes: Int) -> Double {
        let perLayer = c.hiddenSize * (c.queryWidth + 2 * c.kvWidth) + c.queryWidth * c.hiddenSize + 3 * c.hiddenSize * c.intermediateSize
        return Double(perLayer * c.layerCount / worldSize + c.vocabularySize * c.hiddenSize) * Double(elementBytes)
    }

    /// A host adapter of `rank` targeting `modules` of every layer, scaling 1, with values large
    /// enough that LoRA moves the logits: A uniform in ±sqrt(3 / in), Bᵀ in ±0.5·sqrt(3 / rank).
    static func hostAdapter(
        name: String, rank: Int, modules: [LoRAModule], config c: LlamaConfiguration, seed: UInt64
    ) -> LoRAAdapter {
        let widths = c.projectionWidths
        let ranks = [[Int]](repeating: LoRAModule.allCases.map { modules.contains($0) ? rank : 0 }, count: c.layerCount)
        let layout = AdapterStreamLayout(ranks: ranks, widths: widths)
        var stream = [Float](repeating: 0, count: layout.elementCount)  // [layout.elementCount]
        var random = SeededRandom(seed: seed)
        for layer in 0..<c.layerCount {
            for module in modules {
                guard let entry = layout.entry(layer: layer, module: module) else { continue }
                let inWidth = widths.inputWidth(module)
                let outWidth = widths.outputWidth(module)
                let aScale = (3 / Float(inWidth)).squareRoot()
                let bScale = 0.5 * (3 / Float(rank)).squareRoot()
                for i in 0..<(rank * inWidth) { stream[entry.aOffset + i] = aScale * (Float(random.uniform()) * 2 - 1) }
                for i in 0..<(rank * outWidth) { stream[entry.bOffset + i] = bScale * (Float(random.uniform()) * 2 - 1) }
            }
        }
        let scalings = [[Float]](repeating: LoRAModule.allCases.map { modules.contains($0) ? 1 : 0 }, count: c.layerCount)
        return LoRAAdapter(
            name: name, widths: widths, ranks: ranks, scalings: scalings, stream: stream,
            contentHash: String(repeating: "0", count: 48) + String(seed, radix: 16).paddedHash)
    }

    /// The layout of one rank's shard of `adapter` under `worldSize` ranks (the same on every rank;
    /// what `adapter.shard(_:).layout` is, without copying the stream).
    static func shardLayout(of adapter: LoRAAdapter, worldSize: Int) -> AdapterStreamLayout {
        AdapterStreamLayout(
            ranks: adapter.layout.entries.map { row in row.map { $0?.rank ?? 0 } },
            widths: adapter.widths.sharded(worldSize: worldSize))
    }

    /// The stream layout one rank's shard of a `rank` adapter on `modules` has under `worldSize` ranks.
    static func shardLayout(rank: Int, modules: [LoRAModule], config c: LlamaConfiguration, worldSize: Int) -> AdapterStreamLayout {
        AdapterStreamLayout(
            ranks: [[Int]](repeating: LoRAModule.allCases.map { modules.contains($0) ? rank : 0 }, count: c.layerCount),
            widths: c.projectionWidths.sharded(worldSize: worldSize))
    }
}

extension String {
    /// Left-padded with zeros to 16 characters (the tail of a 64-digit content hash).
    fileprivate var paddedHash: String { count >= 16 ? String(suffix(16)) : String(repeating: "0", count: 16 - count) + self }
}
