// Parity cases for the KV writes and paged attention: prefill chunks, decode tokens and mixes, MHA and
// GQA, head dims that take each kernel variant (1/2/4/8 dims per lane, scalar loads), one split and
// many, 4 and 16 tokens per page, page tables in shuffled order.

import Backend
import CPUBackend
import CUDABackend
import MemoryPool

extension ParityHarness {
    /// Geometries: (layers, heads, kv heads, head dim, tokens per page).
    static var attentionGeometries: [(layers: Int, heads: Int, kvHeads: Int, headDim: Int, tokensPerPage: Int)] {
        [
            (2, 4, 4, 16, 4),  // the mha-untied fixture (1 dim per lane)
            (2, 4, 2, 32, 4),  // the gqa fixture shape
            (2, 8, 2, 64, 16),  // GQA group 4, 2 dims per lane
            (2, 32, 32, 128, 16),  // Llama-7B heads (4 per lane)
            (2, 32, 8, 128, 16),  // Llama-3-8B GQA
            (1, 4, 1, 96, 16),  // 4 per lane, 24 lanes active
            (1, 4, 2, 256, 16),  // 8 per lane
            (1, 2, 1, 66, 8),  // scalar-load variant
        ]
    }

    /// Token mixes: (new tokens, first position) per sequence.
    static var attentionMixes: [(name: String, sequences: [(tokens: Int, start: Int)])] {
        [
            ("decode ×6", [(1, 0), (1, 16), (1, 17), (1, 300), (1, 512), (1, 1023)]),
            ("prefill 40+13", [(40, 0), (13, 100)]),
            ("mixed", [(1, 600), (24, 0), (1, 7), (9, 31), (1, 255)]),
            ("one long decode", [(1, 2047)]),
        ]
    }

    /// Page layouts of a geometry: head-major (`pageHeadDim = headDim`, what models use) and, where it
    /// differs, whole rows (`pageHeadDim = kvWidth`).
    static func pageLayouts(_ g: (layers: Int, heads: Int, kvHeads: Int, headDim: Int, tokensPerPage: Int)) -> [(name: String, geometry: PageGeometry)] {
        let kvWidth = g.kvHeads * g.headDim
        let heads = PageGeometry(layerCount: g.layers, kvWidth: kvWidth, tokensPerPage: g.tokensPerPage, headDim: g.headDim)
        guard g.kvHeads > 1 else { return [("", heads)] }
        return [(" heads", heads), (" rows", PageGeometry(layerCount: g.layers, kvWidth: kvWidth, tokensPerPage: g.tokensPerPage))]
    }

    func writeKVCases() {
        for g in Self.attentionGeometries.prefix(5) {
            for (layout, geometry) in Self.pageLayouts(g) {
            for mix in Self.attentionMixes.prefix(3) {
                let pageCount = mix.sequences.reduce(0) { $0 + geometry.kvPageCount(tokenCount: $1.start + $1.tokens) } + 3
                let step = makeStep(mix.sequences, geometry: geometry, pageCount: pageCount)
                let none = AdapterBatch.none(tokenCount: step.tokenCount, layerCount: g.layers)
                let count = step.tokenCount * geometry.kvWidth
                let k = randomPair(count, .full)
                let v = randomPair(count, .full)
                // Both pools start all-NaN: the comparison then also catches stray and missing writes.
                let g0 = gpu.makePool(pageCount: pageCount, geometry: geometry)
                gpu.poison(g0)
                let c0 = cpu.makePool(pageCount: pageCount, geometry: geometry)
                c0.pointer.update(repeating: .nan, count: c0.count)
                let layer = g.layers - 1
                gpu.writeKV(k: k.gpu, v: v.gpu, pool: g0, geometry: geometry, layer: layer, step: gpu.prepare(step: step, adapters: none))
                cpu.writeKV(k: k.cpu, v: v.cpu, pool: c0, geometry: geometry, layer: layer, step: cpu.prepare(step: step, adapters: none))
                check(
                    "writeKV", "\(g.kvHeads)×\(g.headDim) tpp\(g.tokensPerPage)\(layout) \(mix.name)", gpu: g0, cpu: c0,
                    count: pageCount * geometry.elementsPerPage, nanAware: true)
            }
            }
        }
    }

    func attentionCases() {
        for g in Self.attentionGeometries {
            for (layout, geometry) in Self.pageLayouts(g) {
            for mix in Self.attentionMixes {
                let pageCount = mix.sequences.reduce(0) { $0 + geometry.kvPageCount(tokenCount: $1.start + $1.tokens) } + 2
                let step = makeStep(mix.sequences, geometry: geometry, pageCount: pageCount)
                let none = AdapterBatch.none(tokenCount: step.tokenCount, layerCount: g.layers)
                let pool = self.pool(pageCount: pageCount, geometry: geometry, scale: 1)
                let count = step.tokenCount * g.heads * g.headDim
                // Scores of a few units so the softmax is neither flat nor one-hot.
                let q = randomPair(count, .full, scale: 1.5)
                let out = output(count, .compact)
                let layer = g.layers - 1
                let scale = 1 / Float(g.headDim).squareRoot()
                gpu.attention(
                    q: q.gpu, pool: pool.gpu, geometry: geometry, layer: layer, step: gpu.prepare(step: step, adapters: none),
                    headCount: g.heads, kvHeadCount: g.kvHeads, headDim: g.headDim, scale: scale, out: out.gpu)
                cpu.attention(
                    q: q.cpu, pool: pool.cpu, geometry: geometry, layer: layer, step: cpu.prepare(step: step, adapters: none),
                    headCount: g.heads, kvHeadCount: g.kvHeads, headDim: g.headDim, scale: scale, out: out.cpu)
                let splits = LaunchGeometry.attentionSplits(
                    tokens: step.tokenCount, heads: g.heads,
                    lengthBucketCount: LaunchGeometry.lengthBucketCount(maxLength: Int(step.positions.max()!) + 1),
                    multiprocessors: gpu.multiprocessors)
                check(
                    "attention", "\(g.heads)/\(g.kvHeads)×\(g.headDim) tpp\(g.tokensPerPage)\(layout) \(mix.name) splits \(splits)",
                    gpu: out.gpu, cpu: out.cpu, count: count)
            }
            }
        }
    }
}
