// y = x·Wᵀ for weights kept block-quantized (Q8_0, Q4_0, Q4_1) on the CPU.
// Fast path (llama.cpp's vec_dot_q4_1_q8_1 idea): quantize each activation row to integer blocks of 32
// once per call (±511 levels against 4-bit weights, ±127 against Q8_0: what 16-bit lanes hold), then
// integer dot products on 16-bit SIMD lanes, one f32 multiply-add per block. Exact path: dequantize
// each weight row, then the f32 dot of `matmul`.

import Backend

extension CPUBackend {
    /// How `matmul` treats quantized weights.
    public enum QuantizedMatmulMode: Sendable {
        /// Activations quantized per block of 32 to L levels each side (step d_x = max|x|/L, round to
        /// nearest; L = 511 for Q4_0/Q4_1 weights, 127 for Q8_0), integer dot products. Per output,
        /// |fast − exact| ≤ Σ_blocks (d_x/2) · Σ_j |W[o, j]| (+ f32 rounding): each activation moves by
        /// at most half its block's step.
        case fast
        /// Each weight row dequantized then the f32 dot product: bit-identical to an f32 weight holding
        /// `QuantizedMatrix.dequantized()` (the oracle).
        case exact
    }

    /// y = x·Wᵀ, `x` `[rows, W.cols]`, `out` `[rows, W.rows]`, for a quantized `weight`.
    func quantizedMatmul(_ x: CPUTensor, rows: Int, weight: CPUQuantizedWeight, out: CPUTensor) {
        switch quantizedMatmulMode {
        case .fast: fastQuantizedMatmul(x, rows: rows, weight: weight, out: out)
        case .exact: exactQuantizedMatmul(x, rows: rows, weight: weight, out: out)
        }
    }

    // MARK: - Fast path

    /// Raw pointers handed to worker threads; each thread writes a disjoint set of output columns.
    struct QuantizedOperands: @unchecked Sendable {
        let values: UnsafeMutablePointer<Int16>  // [rows, cols] quantized activations (kernel order)
        let scales: UnsafeMutablePointer<Float>  // [rows, cols / 32]
        let sums: UnsafeMutablePointer<Float>  // [rows, cols / 32]
        let pairScales: UnsafeMutablePointer<Float>  // [rows, cols / 64, 8]
        let rowScales: UnsafeMutablePointer<Float>  // [chunks, 2, scaleStride] each chunk's unpacked d, m
        let out: UnsafeMutablePointer<Float>
        let weight: CPUQuantizedWeight

        /// Token `t`'s activations.
        @inline(__always)
        func token(_ t: Int) -> QuantizedKernels.Activations {
            let nb = weight.blocksPerRow
            return QuantizedKernels.Activations(
                values: UnsafeRawPointer(values + t &* weight.cols), scales: scales + t &* nb, sums: sums + t &* nb,
                pairScales: UnsafeRawPointer(pairScales + t &* nb &* 4))
        }
    }

    private func fastQuantizedMatmul(_ x: CPUTensor, rows: Int, weight: CPUQuantizedWeight, out: CPUTensor) {
        let n = weight.rows
        let k = weight.cols
        let nb = weight.blocksPerRow
        // More chunks than threads (of at least 32 rows): a thread slowed by other work on its core
        // takes fewer chunks instead of holding up the whole matmul.
        let chunkCount = threadCount == 1 ? 1 : max(1, min(threadCount * 4, n / 32))
        let chunk = (n + chunkCount - 1) / chunkCount
        let operands = QuantizedOperands(
            values: activationValues.reserve(rows * k), scales: activationScales.reserve(rows * nb),
            sums: activationSums.reserve(rows * nb), pairScales: activationPairScales.reserve(rows * nb * 4),
            rowScales: unpackedScales.reserve(chunkCount * 2 * weight.scaleStride), out: out.pointer, weight: weight)
        Self.quantizeActivations(x.pointer, rows: rows, cols: k, pairLayout: weight.isQ4, operands)
        let work = { @Sendable (c: Int) in
            let lo = c * chunk
            let hi = min(n, lo + chunk)
            let scales = operands.rowScales + c * 2 * weight.scaleStride
            if lo < hi { Self.quantizedRows(operands, tokens: rows, outputs: lo..<hi, rowScales: scales) }
        }
        if chunkCount == 1 {
            work(0)
        } else {
            parallel(chunkCount, work)
        }
    }

    /// Output columns `outputs` for every token, one loop specialized per format.
    private static func quantizedRows(
        _ o: QuantizedOperands, tokens: Int, outputs: Range<Int>, rowScales: UnsafeMutablePointer<Float>
    ) {
        switch o.weight.format {
        case .q4_1: quantizedRows(o, tokens: tokens, outputs: outputs, rowScales: rowScales, isQ4: true, hasMins: true)
        case .q4_0: quantizedRows(o, tokens: tokens, outputs: outputs, rowScales: rowScales, isQ4: true, hasMins: false)
        case .q8_0: quantizedRows(o, tokens: tokens, outputs: outputs, rowScales: rowScales, isQ4: false, hasMins: false)
        }
    }

    /// Tokens in tiles of 8 (their activations stay in L1), four at a time per weight row so each
    /// row's blocks are unpacked once per four tokens; a row's f16 scales are unpacked into
    /// `rowScales` `[2, scaleStride]` (d, then m) once per tile.
    @inline(__always)
    private static func quantizedRows(
        _ o: QuantizedOperands, tokens: Int, outputs: Range<Int>, rowScales: UnsafeMutablePointer<Float>,
        isQ4: Bool, hasMins: Bool
    ) {
        let w = o.weight
        let n = w.rows
        let nb = w.blocksPerRow
        let packed = w.bytesPerPackedBlock
        let tile = 8
        var t0 = 0
        while t0 < tokens {
            let t1 = min(tokens, t0 &+ tile)
            for r in outputs {
                let wq = UnsafeRawPointer(w.quants + r &* nb &* packed)
                let ws = UnsafePointer(rowScales)
                let wm = UnsafePointer(rowScales + w.scaleStride)
                w.unpackRow(r, scales: rowScales, mins: rowScales + w.scaleStride)
                var t = t0
                while t &+ 4 <= t1 {
                    let (x0, x1, x2, x3) = (o.token(t), o.token(t &+ 1), o.token(t &+ 2), o.token(t &+ 3))
                    let v =
                        isQ4
                        ? QuantizedKernels.dotQ4x4(wq, ws, wm, x0, x1, x2, x3, nb, hasMins: hasMins)
                        : QuantizedKernels.dotQ8x4(wq, ws, x0, x1, x2, x3, nb)
                    o.out[t &* n &+ r] = v[0]
                    o.out[(t &+ 1) &* n &+ r] = v[1]
                    o.out[(t &+ 2) &* n &+ r] = v[2]
                    o.out[(t &+ 3) &* n &+ r] = v[3]
                    t &+= 4
                }
                while t < t1 {
                    let x = o.token(t)
                    o.out[t &* n &+ r] =
                        isQ4
                        ? QuantizedKernels.dotQ4(wq, ws, wm, x, nb, hasMins: hasMins) : QuantizedKernels.dotQ8(wq, ws, x, nb)
                    t &+= 1
                }
            }
            t0 = t1
        }
    }

    /// Quantizes `x` `[rows, cols]` in blocks of 32: d = max|x|/L, q = round(x/d) as Int16, with
    /// L = `activationLevels(pairLayout)`.
    ///
    /// Layout of `values` per row: natural order, except with `pairLayout` (the Q4 kernels) each pair of
    /// blocks (2p, 2p+1) is stored as eight runs of 8: A[0..<8], B[0..<8], A[8..<16], B[8..<16], … so that
    /// one 16-lane load matches one 16-lane load of the repacked weight nibbles. A last unpaired block
    /// stays in natural order. `sums` gets each block's exact f32 Σx (for the Q4 offset term), `pairScales`
    /// (d_2p ×4, d_2p+1 ×4) per pair.
    static func quantizeActivations(
        _ x: UnsafePointer<Float>, rows: Int, cols: Int, pairLayout: Bool, _ o: QuantizedOperands
    ) {
        let nb = cols / 32
        let levels = Float(activationLevels(q4: pairLayout))
        for t in 0..<rows {
            for b in 0..<nb {
                let blockStart: Int = t &* cols &+ b &* 32
                let xs: UnsafePointer<Float> = x + blockStart
                let source = UnsafeRawPointer(xs)
                var total = SIMD8<Float>()
                for c in 0..<4 { total += source.loadUnaligned(fromByteOffset: c &* 32, as: SIMD8<Float>.self) }
                // max|x|: non-negative floats order like their bit patterns (an integer max vectorizes).
                var largest: UInt32 = 0
                for j in 0..<32 { largest = max(largest, xs[j].bitPattern & 0x7FFF_FFFF) }
                let d = Float(bitPattern: largest) / levels
                let inverse: Float = d > 0 ? 1 / d : 0
                o.scales[t &* nb &+ b] = d
                o.sums[t &* nb &+ b] = total.sum()
                let pairOffset: Int = (t &* nb &+ b) &* 4
                let pairScales: UnsafeMutablePointer<Float> = o.pairScales + pairOffset
                pairScales.initialize(repeating: d, count: 4)
                let paired = pairLayout && (b | 1) < nb
                let offset: Int = paired ? (b >> 1) &* 64 &+ (b & 1) &* 8 : b &* 32
                let destination: UnsafeMutablePointer<Int16> = o.values + (t &* cols &+ offset)
                for j in 0..<32 {
                    let slot: Int = paired ? (j >> 3) &* 16 &+ (j & 7) : j
                    destination[slot] = QuantizedKernels.roundToInt16(xs[j] * inverse)
                }
            }
        }
    }

    /// Activation levels each side of zero: as many as keep every 16-bit lane sum of the kernels in
    /// range: Q4 lanes add 4 products of |q| ≤ 15 (4·15·511 = 30660), Q8_0 lanes 2 of |q| ≤ 128
    /// (2·128·127 = 32512). Q4 gets 4× finer steps than llama.cpp's 8-bit activations at no cost.
    static func activationLevels(q4: Bool) -> Int { q4 ? 511 : 127 }

    // MARK: - Exact path

    private func exactQuantizedMatmul(_ x: CPUTensor, rows: Int, weight: CPUQuantizedWeight, out: CPUTensor) {
        let n = weight.rows
        let k = weight.cols
        let chunkCount = n >= 64 ? threadCount : 1
        let chunk = (n + chunkCount - 1) / chunkCount
        let rowBuffers = Operands(x: x.pointer, w: dequantizedRows.reserve(chunkCount * k), out: out.pointer)
        let work = { @Sendable (c: Int) in
            let lo = c * chunk
            let hi = min(n, lo + chunk)
            let row = rowBuffers.w + c * k  // [k] this thread's dequantized weight row
            for o in lo..<hi {
                weight.dequantizeRow(o, into: row)
                for r in 0..<rows { rowBuffers.out[r * n + o] = Self.dot(rowBuffers.x + r * k, row, k) }
            }
        }
        if chunkCount == 1 {
            work(0)
        } else {
            parallel(chunkCount, work)
        }
    }
}
