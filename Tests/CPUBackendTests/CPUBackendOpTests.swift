// Ops of the CPU backend against loops written here from the ops' `Semantics:` comments, on
// layouts where the answer is easy to state independently (dense matrices, hand-built page tables).

import Backend
import CPUBackend
import MemoryPool
import Testing

@Suite("CPU backend ops")
struct CPUBackendOpTests {
    /// Deterministic pseudo-random values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        (0..<count).map { Float(SamplingRow(seed: seed, step: $0).uniform) * 2 - 1 }
    }

    /// Oracle: a dense loop y = x·Wᵀ. Checks the threaded, SIMD path on odd sizes.
    @Test(arguments: [1, 2, 4], [(3, 67, 130), (5, 8, 1), (1, 300, 17)])
    func matmulEqualsDenseLoop(threads: Int, shape: (Int, Int, Int)) {
        let (rows, k, n) = shape
        let backend = CPUBackend(threadCount: threads)
        let x = Self.values(rows * k, seed: 1)
        let w = Self.values(n * k, seed: 2)
        let out = backend.makeTensor(count: rows * n)
        backend.matmul(backend.upload(x), rows: rows, weight: backend.makeWeight(w, rows: n, cols: k), out: out)
        let got = backend.download(out, count: rows * n)
        for r in 0..<rows {
            for o in 0..<n {
                var sum: Float = 0
                for i in 0..<k { sum += x[r * k + i] * w[o * k + i] }
                #expect(abs(got[r * n + o] - sum) <= 1e-5 * max(1, abs(sum)))
            }
        }
    }

    /// Oracle: dense LoRA math y += s·B·(A·x) per token, with each token's adapter given as dense
    /// matrices; the backend must get the same through scattered pool pages at mixed ranks.
    @Test func loraShrinkExpandGatherFromScatteredPages() {
        let backend = CPUBackend(threadCount: 1)
        let widths = ProjectionWidths(hiddenSize: 12, queryWidth: 12, kvWidth: 4, intermediateSize: 20)
        let geometry = PageGeometry(layerCount: 1, kvWidth: 4, tokensPerPage: 2)  // 16 elements per page
        let ranks = [3, 7]
        var slots: [AdapterBatch.Slot] = []
        var dense: [(a: [Float], b: [Float], scaling: Float)] = []
        let pool = backend.makePool(pageCount: 64, geometry: geometry)
        var nextPage = 63
        for (i, rank) in ranks.enumerated() {
            var layerRanks = [Int](repeating: 0, count: 7)
            layerRanks[LoRAModule.up.index] = rank
            let layout = AdapterStreamLayout(ranks: [layerRanks], widths: widths)
            let a = Self.values(rank * 12, seed: UInt64(10 + i))  // [r, H]
            let bT = Self.values(rank * 20, seed: UInt64(20 + i))  // [r, I]
            let pageCount = geometry.adapterPageCount(elementCount: layout.elementCount)
            let pages = (0..<pageCount).map { _ in defer { nextPage -= 3 }; return PageIndex(nextPage) }  // scattered, descending
            backend.writeAdapter(a + bT, pages: pages, pool: pool, geometry: geometry)
            var scalings = [[Float]](repeating: [Float](repeating: 0, count: 7), count: 1)
            scalings[0][LoRAModule.up.index] = Float(i + 1) * 0.5
            slots.append(AdapterBatch.Slot(layout: layout, scalings: scalings, pages: pages))
            dense.append((a, bT, scalings[0][LoRAModule.up.index]))
        }
        let tokenSlots: [Int32] = [1, -1, 0, 1]
        let adapters = AdapterBatch(tokenSlots: tokenSlots, slots: slots, layerCount: 1)
        let step = StepBatch(sequences: [([1, 2, 3, 4], 0, [PageIndex(0)], false)])
        let prepared = backend.prepare(step: step, adapters: adapters)
        let x = Self.values(4 * 12, seed: 3)
        let y0 = Self.values(4 * 20, seed: 4)
        let y = backend.upload(y0)
        let u = backend.makeTensor(count: 4 * adapters.maxRank)
        backend.loraShrink(backend.upload(x), inWidth: 12, pool: pool, geometry: geometry, step: prepared, layer: 0, module: .up, u: u)
        backend.loraExpand(u, outWidth: 20, pool: pool, geometry: geometry, step: prepared, layer: 0, module: .up, y: y)
        let got = backend.download(y, count: 4 * 20)
        for t in 0..<4 {
            for o in 0..<20 {
                var expected = y0[t * 20 + o]
                if tokenSlots[t] >= 0 {
                    let d = dense[Int(tokenSlots[t])]
                    let rank = ranks[Int(tokenSlots[t])]
                    var delta: Float = 0
                    for j in 0..<rank {
                        var ax: Float = 0
                        for i in 0..<12 { ax += d.a[j * 12 + i] * x[t * 12 + i] }
                        delta += d.b[j * 20 + o] * ax
                    }
                    expected += d.scaling * delta
                }
                #expect(abs(got[t * 20 + o] - expected) < 1e-5)
            }
        }
    }

    /// Oracle: sampling invariants: temperature 0 and top-k 1 are argmax; a seed reproduces the
    /// draw; top-p keeps only the nucleus.
    @Test func samplingRules() {
        let backend = CPUBackend(threadCount: 1)
        let logits: [Float] = [0.1, 2.0, -1.0, 1.9, 0.5]
        let t = backend.upload(logits + logits)
        #expect(backend.sample(t, vocabularySize: 5, rows: [.greedy]) == [1])
        #expect(backend.sample(t, vocabularySize: 5, rows: [SamplingRow(temperature: 1.5, topK: 1, seed: 9)]) == [1])
        let row = SamplingRow(temperature: 1, seed: 42, step: 3)
        #expect(backend.sample(t, vocabularySize: 5, rows: [row, row]) == backend.sample(t, vocabularySize: 5, rows: [row, row]))
        var seen = Set<Int32>()
        for seed in 0..<200 {
            seen.formUnion(backend.sample(t, vocabularySize: 5, rows: [SamplingRow(temperature: 1, topP: 0.6, seed: UInt64(seed))]))
        }
        #expect(seen == [1, 3])  // softmax mass of {1, 3} ≈ 0.82 ≥ 0.6, token 1 alone ≈ 0.43 < 0.6
    }
}
