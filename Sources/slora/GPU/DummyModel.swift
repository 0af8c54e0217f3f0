// Dummy models for benchmarks (S-LoRA's --dummy): Llama configurations by name with random bf16
// weights generated on the GPU from a seed, and random LoRA adapters of given ranks written straight
// into pool pages (values (2u − 1)·1e-3, as S-LoRA's dummy adapters).

import Adapters
import ArgumentParser
import Backend
import CUDABackend
import Checkpoint
import Llama
import MemoryPool

/// A named Llama shape with random weights.
enum DummyModelPreset: String, ExpressibleByArgument, CaseIterable, Sendable {
    case llama7b = "llama-7b"
    case llama13b = "llama-13b"
    case llama3_8b = "llama3-8b"
    /// A small GQA shape for smoke tests of the benchmark itself (not a real model).
    case tiny

    /// The HF configuration of the real model (huggyllama/llama-7b, llama-13b, Meta-Llama-3-8B).
    var configuration: LlamaConfiguration {
        switch self {
        case .llama7b:
            LlamaConfiguration(
                hiddenSize: 4096, intermediateSize: 11008, layerCount: 32, headCount: 32, vocabularySize: 32000,
                rmsNormEps: 1e-6, maxPositionEmbeddings: 2048, bosTokenID: 1, eosTokenIDs: [2])
        case .llama13b:
            LlamaConfiguration(
                hiddenSize: 5120, intermediateSize: 13824, layerCount: 40, headCount: 40, vocabularySize: 32000,
                rmsNormEps: 1e-6, maxPositionEmbeddings: 2048, bosTokenID: 1, eosTokenIDs: [2])
        case .llama3_8b:
            LlamaConfiguration(
                hiddenSize: 4096, intermediateSize: 14336, layerCount: 32, headCount: 32, kvHeadCount: 8,
                vocabularySize: 128_256, rmsNormEps: 1e-5, maxPositionEmbeddings: 8192, bosTokenID: 128_000,
                eosTokenIDs: [128_001], ropeTheta: 500_000,
                ropeScaling: .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192))
        case .tiny:
            LlamaConfiguration(
                hiddenSize: 256, intermediateSize: 512, layerCount: 2, headCount: 8, kvHeadCount: 2, vocabularySize: 1000,
                rmsNormEps: 1e-5)
        }
    }
}

/// Random weights and adapters on the CUDA backend.
enum DummyModel {
    /// Every weight uniform in ±sqrt(3 / fan-in) (unit-variance activations), embeddings in ±1, norms 1.
    static func weights(config c: LlamaConfiguration, backend: CUDAComputeBackend, seed: UInt64) -> LlamaWeights<CUDAComputeBackend> {
        var next = seed
        func matrix(_ rows: Int, _ cols: Int, scale: Float? = nil) -> CUDAWeight {
            next &+= 0x9E37_79B9_7F4A_7C15
            return backend.makeRandomWeight(rows: rows, cols: cols, seed: next, scale: scale ?? (3 / Float(cols)).squareRoot())
        }
        return HostDummyWeights.assemble(config: c, backend: backend) { rows, cols, scale, _ in matrix(rows, cols, scale: scale) }
    }

    /// Bytes of all weights (the decode step's weight traffic).
    static func weightBytes(_ c: LlamaConfiguration, elementBytes: Int) -> Int {
        let perLayer = c.hiddenSize * (c.queryWidth + 2 * c.kvWidth) + c.queryWidth * c.hiddenSize
            + 3 * c.hiddenSize * c.intermediateSize
        let heads = c.vocabularySize * c.hiddenSize * (c.tieWordEmbeddings ? 1 : 2)
        return (perLayer * c.layerCount + heads) * elementBytes
    }

    /// `count` random adapters (ranks cycling through `ranks`) targeting `modules` in every layer,
    /// resident in `pool`: pages allocated from `pages` and filled on the GPU. Scalings are 1.
    static func randomAdapters(
        count: Int, ranks: [Int], modules: [LoRAModule], config: LlamaConfiguration, geometry: PageGeometry,
        pages: PagePool, pool: CUDATensor, backend: CUDAComputeBackend, seed: UInt64
    ) throws -> [AdapterBatch.Slot] {
        var slots: [AdapterBatch.Slot] = []
        for i in 0..<count {
            let rank = ranks[i % ranks.count]
            let perLayer = LoRAModule.allCases.map { modules.contains($0) ? rank : 0 }
            let layout = AdapterStreamLayout(
                ranks: Array(repeating: perLayer, count: config.layerCount), widths: config.projectionWidths)
            guard
                let table = AdapterPageTable.allocate(
                    elementCount: layout.elementCount, geometry: geometry, pool: pages, owner: AdapterSlotID(10_000 + i))
            else {
                throw ValidationError("the pool has no room for random adapter \(i) (rank \(rank)); use more pages")
            }
            backend.fillRandomPages(table.pages, pool: pool, geometry: geometry, seed: seed &+ UInt64(i), scale: 1e-3)
            let scalings = Array(repeating: LoRAModule.allCases.map { modules.contains($0) ? Float(1) : 0 }, count: config.layerCount)
            slots.append(AdapterBatch.Slot(layout: layout, scalings: scalings, pages: table.pages))
        }
        return slots
    }
}
