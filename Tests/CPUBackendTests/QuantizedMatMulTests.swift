// Weights kept quantized on the CPU (Q8_0, Q4_0, Q4_1): the exact path against the f32 path on the
// dequantized matrix, the fast (activation-quantizing) path against the exact one within its stated
// bound, and embedding rows against the reference dequantization.

import Backend
import CPUBackend
import MemoryPool
import Testing

@Suite("CPU quantized matmul")
struct QuantizedMatMulTests {
    /// A random matrix of `format` with finite block scales in [2⁻⁸, 2⁻¹) of either sign.
    static func randomMatrix(_ format: QuantizedMatrix.Format, rows: Int, cols: Int, seed: UInt64) -> QuantizedMatrix {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 24
        }
        func half() -> [UInt8] {
            // sign | exponent 7…14 (2⁻⁸ … 2⁻¹) | random mantissa
            let bits = UInt16(next() & 1) << 15 | UInt16(7 + next() % 8) << 10 | UInt16(next() & 0x3FF)
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        var bytes: [UInt8] = []
        for _ in 0..<(rows * cols / 32) {
            bytes += half()
            if format == .q4_1 { bytes += half() }
            let count = format == .q8_0 ? 32 : 16
            bytes += (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
        }
        return QuantizedMatrix(format: format, rows: rows, cols: cols, bytes: bytes)
    }

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        (0..<count).map { Float(SamplingRow(seed: seed, step: $0).uniform) * 2 - 1 }
    }

    static func run(_ backend: CPUBackend, _ weight: CPUWeight, _ x: [Float], tokens: Int) -> [Float] {
        let out = backend.makeTensor(count: tokens * weight.rows)
        backend.matmul(backend.upload(x), rows: tokens, weight: weight, out: out)
        return backend.download(out, count: tokens * weight.rows)
    }

    static let shapes = [(1, 32, 1), (3, 96, 67), (9, 576, 130), (2, 160, 64)]  // (tokens, cols, rows)

    /// Oracle: the f32 weight holding `dequantized()`. The exact mode must be bit-identical to it.
    @Test(arguments: QuantizedMatrix.Format.allCases, [1, 2])
    func exactModeEqualsF32OnDequantizedValues(format: QuantizedMatrix.Format, threads: Int) {
        let backend = CPUBackend(threadCount: threads, quantizedMatmul: .exact)
        for (s, (tokens, cols, rows)) in Self.shapes.enumerated() {
            let matrix = Self.randomMatrix(format, rows: rows, cols: cols, seed: UInt64(s + 1))
            let x = Self.values(tokens * cols, seed: UInt64(100 + s))
            let quantized = Self.run(backend, backend.makeWeight(quantized: matrix), x, tokens: tokens)
            let reference = Self.run(backend, backend.makeWeight(matrix.dequantized(), rows: rows, cols: cols), x, tokens: tokens)
            #expect(quantized == reference, "\(format) \(tokens)×\(cols)×\(rows)")
        }
    }

    /// Oracle: the exact path, within the activation-quantization bound. Each activation x_j of block b
    /// moves by at most d_b/2 (d_b = max|x in b|/L, L = 511 against Q4 weights, 127 against Q8_0), so
    /// |fast − exact| ≤ Σ_b d_b/2 · Σ_{j∈b} |W[o, j]|; plus f32 rounding of both sums, allowed as
    /// 1e-5 · Σ_j |W[o, j]·x_j| + 1e-6.
    @Test(arguments: QuantizedMatrix.Format.allCases, [1, 2])
    func fastModeIsWithinActivationQuantizationBound(format: QuantizedMatrix.Format, threads: Int) {
        let fast = CPUBackend(threadCount: threads)
        let exact = CPUBackend(threadCount: threads, quantizedMatmul: .exact)
        for (s, (tokens, cols, rows)) in Self.shapes.enumerated() {
            let matrix = Self.randomMatrix(format, rows: rows, cols: cols, seed: UInt64(s + 7))
            var x = Self.values(tokens * cols, seed: UInt64(200 + s))
            x[0] = 0  // a zero and a large outlier in the first block
            if cols > 5 { x[5] = 40 }
            let w = matrix.dequantized()
            let got = Self.run(fast, fast.makeWeight(quantized: matrix), x, tokens: tokens)
            let want = Self.run(exact, exact.makeWeight(quantized: matrix), x, tokens: tokens)
            var worstRatio: Float = 0
            for t in 0..<tokens {
                for o in 0..<rows {
                    var bound: Float = 1e-6
                    for b in 0..<(cols / 32) {
                        let block = (0..<32).map { x[t * cols + b * 32 + $0] }
                        let step = block.map(abs).max()! / (format == .q8_0 ? 127 : 511)
                        for j in 0..<32 {
                            let weight = w[o * cols + b * 32 + j]
                            bound += step / 2 * abs(weight) + 1e-5 * abs(weight * block[j])
                        }
                    }
                    let error = abs(got[t * rows + o] - want[t * rows + o])
                    worstRatio = max(worstRatio, error / bound)
                }
            }
            #expect(worstRatio <= 1, "\(format) \(tokens)×\(cols)×\(rows): error/bound = \(worstRatio)")
        }
    }

    /// Oracle: the baseline kernel variant. The AVX2 build of the same source must give the same bits
    /// (integer sums are exact and Swift does not contract f32 multiply-adds); runs where the CPU has AVX2.
    @Test(arguments: QuantizedMatrix.Format.allCases)
    func avx2KernelsEqualBaselineBitForBit(format: QuantizedMatrix.Format) throws {
        try #require(CPUKernelSet.supportedByThisCPU.contains(.avx2), "this CPU has no AVX2")
        let baseline = CPUBackend(threadCount: 2, kernels: .baseline)
        let avx2 = CPUBackend(threadCount: 2, kernels: .avx2)
        for (s, (tokens, cols, rows)) in Self.shapes.enumerated() {
            let matrix = Self.randomMatrix(format, rows: rows, cols: cols, seed: UInt64(s + 31))
            let x = Self.values(tokens * cols, seed: UInt64(400 + s))
            let want = Self.run(baseline, baseline.makeWeight(quantized: matrix), x, tokens: tokens)
            let got = Self.run(avx2, avx2.makeWeight(quantized: matrix), x, tokens: tokens)
            #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "\(format) \(tokens)×\(cols)×\(rows)")
        }
    }

    /// Oracle: `QuantizedMatrix.dequantized()` rows; `embed` copies them exactly.
    @Test(arguments: QuantizedMatrix.Format.allCases)
    func embedDequantizesRowsExactly(format: QuantizedMatrix.Format) {
        let backend = CPUBackend(threadCount: 1)
        let matrix = Self.randomMatrix(format, rows: 10, cols: 64, seed: 3)
        let table = backend.makeWeight(quantized: matrix)
        let dense = matrix.dequantized()
        let tokens: [Int32] = [7, 0, 9, 7]
        let step = StepBatch(
            tokens: tokens, positions: [0, 1, 2, 3], tokenSequence: [0, 0, 0, 0], pageTables: [0],
            pageTableStride: 1, logitRows: [3])
        let prepared = backend.prepare(step: step, adapters: .none(tokenCount: 4, layerCount: 1))
        let out = backend.makeTensor(count: 4 * 64)
        backend.embed(step: prepared, table: table, out: out)
        let got = backend.download(out, count: 4 * 64)
        for (t, token) in tokens.enumerated() {
            let row = Int(token)
            let want = Array(dense[(row * 64)..<((row + 1) * 64)])
            #expect(Array(got[(t * 64)..<((t + 1) * 64)]) == want)
        }
    }

    /// Oracle: ggml's block formulas written out for one hand-made block of each format.
    @Test func dequantizeFollowsGGMLBlockFormulas() {
        // d = 0.5 (0x3800), m = -1 (0xBC00)
        let q8 = QuantizedMatrix(format: .q8_0, rows: 1, cols: 32, bytes: [0x00, 0x38] + (0..<32).map { UInt8(bitPattern: Int8($0 - 16)) })
        let q8Want: [Float] = (0..<32).map { Float($0 - 16) * 0.5 }
        #expect(q8.dequantized() == q8Want)
        let nibbles: [UInt8] = (0..<16).map { (i: Int) -> UInt8 in UInt8(i) | (UInt8(15 - i) << 4) }
        let q40 = QuantizedMatrix(format: .q4_0, rows: 1, cols: 32, bytes: [0x00, 0x38] + nibbles)
        let q40Low: [Float] = (0..<16).map { Float($0 - 8) * 0.5 }
        let q40High: [Float] = (0..<16).map { Float(7 - $0) * 0.5 }
        #expect(q40.dequantized() == q40Low + q40High)
        let q41 = QuantizedMatrix(format: .q4_1, rows: 1, cols: 32, bytes: [0x00, 0x38, 0x00, 0xBC] + nibbles)
        let q41Low: [Float] = (0..<16).map { Float($0) * 0.5 - 1 }
        let q41High: [Float] = (0..<16).map { Float(15 - $0) * 0.5 - 1 }
        #expect(q41.dequantized() == q41Low + q41High)
    }
}
