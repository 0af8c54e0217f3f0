// y = x·Wᵀ for weights kept block-quantized (Q8_0, Q4_0, Q4_1) on the CPU.
// Fast path (llama.cpp's vec_dot_q4_1_q8_1 idea): quantize each activation row to integer blocks of 32
// once per call (±511 levels against 4-bit weights, ±127 against Q8_0: what 16-bit lanes hold), then
// integer dot products on 16-bit SIMD lanes, one f32 multiply-add per block. Exact path: dequantize
// each weight row, then the f32 dot of `matmul`.

import Backend
import CPUKernelABI

extension CPUBackend {
    /// How `matmul` treats quantized weights.
    public enum QuantizedMatmulMode: Sendable {
        /// Activations quantized per block of 32 to L levels each side (step d_x = max|x|/L, round to
        /// nearest; L = 511 for Q4_0/Q4_1 weights, 127 for Q8_0), integer dot products (the kernels of
        /// `kernelSet`, which all give the same bits). Per output,
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

    private func fastQuantizedMatmul(_ x: CPUTensor, rows: Int, weight: CPUQuantizedWeight, out: CPUTensor) {
        let n = weight.rows
        let k = weight.cols
        let nb = weight.blocksPerRow
        // More chunks than threads (of at least 32 rows): a thread slowed by other work on its core
        // takes fewer chunks instead of holding up the whole matmul.
        let chunkCount = threadCount == 1 ? 1 : max(1, min(threadCount * 4, n / 32))
        let chunk = (n + chunkCount - 1) / chunkCount
        let job = QuantizedRowJob(
            format: weight.jobFormat, rows: n, cols: k, scaleStride: weight.scaleStride,
            quants: UnsafeRawPointer(weight.quants), scales: weight.scales, mins: weight.mins,
            values: activationValues.reserve(rows * k), activationScales: activationScales.reserve(rows * nb),
            sums: activationSums.reserve(rows * nb), pairScales: activationPairScales.reserve(rows * nb * 4),
            out: out.pointer)
        nonisolated(unsafe) let rowScales = unpackedScales.reserve(chunkCount * 2 * weight.scaleStride)
        let kernels = kernelSet
        kernels.quantizeActivations(x.pointer, tokens: rows, job: job)
        let work = { @Sendable (c: Int) in
            let lo = c * chunk
            let hi = min(n, lo + chunk)
            let scales = rowScales + c * 2 * weight.scaleStride  // [2, scaleStride] this chunk's
            if lo < hi { kernels.compute(job, tokens: rows, outputs: lo..<hi, rowScales: scales) }
        }
        if chunkCount == 1 {
            work(0)
        } else {
            parallel(chunkCount, work)
        }
    }

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
