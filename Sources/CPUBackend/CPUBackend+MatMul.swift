// y = x·Wᵀ on the CPU for f32 weights: rows of W split across threads, SIMD dot products.
// Quantized weights go to CPUBackend+QuantizedMatMul.swift.

import Backend

extension CPUBackend {
    public func matmul(_ x: CPUTensor, rows: Int, weight: CPUWeight, out: CPUTensor) {
        guard let values = weight.values else {
            if let quantized = weight.quantized { quantizedMatmul(x, rows: rows, weight: quantized, out: out) }
            return
        }
        let n = weight.rows
        let k = weight.cols
        let operands = Operands(x: x.pointer, w: values.pointer, out: out.pointer)
        // Split the output columns (weight rows) into chunks: each weight row is read once per
        // chunk and reused for every input row, which is what bounds a small-batch matmul.
        let chunkCount = n >= 64 ? threadCount : 1
        let chunk = (n + chunkCount - 1) / chunkCount
        let work = { @Sendable (c: Int) in
            let (xp, wp, op) = (operands.x, operands.w, operands.out)
            let lo = c * chunk
            let hi = min(n, lo + chunk)
            if lo >= hi { return }
            for o in lo..<hi {
                let w = wp + o * k
                for r in 0..<rows {
                    op[r * n + o] = Self.dot(xp + r * k, w, k)
                }
            }
        }
        if chunkCount == 1 {
            work(0)
        } else {
            parallel(chunkCount, work)
        }
    }

    /// Raw pointers handed to worker threads; each thread writes a disjoint set of output columns.
    struct Operands: @unchecked Sendable {
        let x: UnsafeMutablePointer<Float>
        let w: UnsafeMutablePointer<Float>
        let out: UnsafeMutablePointer<Float>
    }

    /// Σ a[i]·b[i] over `n` elements, eight lanes at a time.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        while i + 8 <= n {
            let va = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let vb = rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc += va * vb
            i += 8
        }
        var sum = acc.sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }
}
