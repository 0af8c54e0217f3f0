// The loops of the fast quantized matmul around the dot-product kernels: activation quantization and
// the tiled walk over output rows. This folder is compiled twice: as CPUKernelsBaseline (plain x86-64 /
// arm64) and, through symlinks, as CPUKernelsAVX2 (-target-cpu haswell); the CPU backend picks one at
// run time (CPUKernelSet), so one binary runs anywhere and uses 256-bit lanes where the CPU has them.

import CPUKernelABI

/// Entry points of one kernel variant.
public enum QuantizedRows {
    /// Output columns `outputs` of `job` for its first `tokens` tokens. Tokens in tiles of 8 (their
    /// activations stay in L1), four at a time per weight row so each row's blocks are unpacked once per
    /// four tokens; a row's f16 scales are unpacked into `rowScales` `[2, scaleStride]` (d, then m).
    public static func compute(
        _ job: QuantizedRowJob, tokens: Int, outputs: Range<Int>, rowScales: UnsafeMutablePointer<Float>
    ) {
        switch job.format {
        case .q4_1: compute(job, tokens: tokens, outputs: outputs, rowScales: rowScales, isQ4: true, hasMins: true)
        case .q4_0: compute(job, tokens: tokens, outputs: outputs, rowScales: rowScales, isQ4: true, hasMins: false)
        case .q8_0: compute(job, tokens: tokens, outputs: outputs, rowScales: rowScales, isQ4: false, hasMins: false)
        }
    }

    @inline(__always)
    static func token(_ job: QuantizedRowJob, _ t: Int) -> QuantizedKernels.Activations {
        let nb = job.blocksPerRow
        return QuantizedKernels.Activations(
            values: UnsafeRawPointer(job.values + t &* job.cols), scales: job.activationScales + t &* nb,
            sums: job.sums + t &* nb, pairScales: UnsafeRawPointer(job.pairScales + t &* nb &* 4))
    }

    @inline(__always)
    static func compute(
        _ job: QuantizedRowJob, tokens: Int, outputs: Range<Int>, rowScales: UnsafeMutablePointer<Float>,
        isQ4: Bool, hasMins: Bool
    ) {
        let n = job.rows
        let nb = job.blocksPerRow
        let packed = job.bytesPerPackedBlock
        let groups = job.scaleStride / 8
        let ws = UnsafePointer(rowScales)
        let wm = UnsafePointer(rowScales + job.scaleStride)
        let out = job.out
        let tile = 8
        var t0 = 0
        while t0 < tokens {
            let t1 = min(tokens, t0 &+ tile)
            for r in outputs {
                let wq = job.quants + r &* nb &* packed
                unpackHalves(UnsafeRawPointer(job.scales + r &* job.scaleStride), groups: groups, into: rowScales)
                if hasMins {
                    unpackHalves(
                        UnsafeRawPointer(job.mins + r &* job.scaleStride), groups: groups, into: rowScales + job.scaleStride)
                }
                var t = t0
                while t &+ 4 <= t1 {
                    let (x0, x1, x2, x3) = (token(job, t), token(job, t &+ 1), token(job, t &+ 2), token(job, t &+ 3))
                    let v =
                        isQ4
                        ? QuantizedKernels.dotQ4x4(wq, ws, wm, x0, x1, x2, x3, nb, hasMins: hasMins)
                        : QuantizedKernels.dotQ8x4(wq, ws, x0, x1, x2, x3, nb)
                    out[t &* n &+ r] = v[0]
                    out[(t &+ 1) &* n &+ r] = v[1]
                    out[(t &+ 2) &* n &+ r] = v[2]
                    out[(t &+ 3) &* n &+ r] = v[3]
                    t &+= 4
                }
                while t < t1 {
                    let x = token(job, t)
                    out[t &* n &+ r] =
                        isQ4
                        ? QuantizedKernels.dotQ4(wq, ws, wm, x, nb, hasMins: hasMins)
                        : QuantizedKernels.dotQ8(wq, ws, x, nb)
                    t &+= 1
                }
            }
            t0 = t1
        }
    }

    /// `groups` groups of 8 f16 values in the scale order (0, 4, 1, 5, 2, 6, 3, 7) → 8 f32 each, in
    /// block order.
    @inline(__always)
    static func unpackHalves(_ source: UnsafeRawPointer, groups: Int, into out: UnsafeMutablePointer<Float>) {
        let destination = UnsafeMutableRawPointer(out)
        for g in 0..<groups {
            let w = source.loadUnaligned(fromByteOffset: g &* 16, as: SIMD4<UInt32>.self)
            destination.storeBytes(of: half4(w & 0xFFFF), toByteOffset: g &* 32, as: SIMD4<Float>.self)
            destination.storeBytes(of: half4(w &>> 16), toByteOffset: g &* 32 &+ 16, as: SIMD4<Float>.self)
        }
    }

    /// Four f16 bit patterns (low 16 bits of each lane) → f32: exact for zero, subnormal and normal
    /// halves (exponent/mantissa shifted into an f32, times 2¹¹²); ±inf/NaN become large finite values
    /// (the exact path, `dequantizeRow`, keeps them).
    @inline(__always)
    public static func half4(_ h: SIMD4<UInt32>) -> SIMD4<Float> {
        let bits = ((h & 0x7FFF) &<< 13) | ((h & 0x8000) &<< 16)
        return unsafeBitCast(bits, to: SIMD4<Float>.self) * 0x1p112
    }

    /// Quantizes `x` `[tokens, cols]` in blocks of 32 into `job`'s activation buffers: d = max|x|/L,
    /// q = round(x/d) as Int16, with L = `job.activationLevels`.
    ///
    /// Layout of `values` per row: natural order, except for Q4 weights each pair of blocks (2p, 2p+1) is
    /// stored as eight runs of 8: A[0..<8], B[0..<8], A[8..<16], B[8..<16], … so that one 16-lane load
    /// matches one 16-lane load of the repacked weight nibbles. A last unpaired block stays in natural
    /// order. `sums` gets each block's exact f32 Σx (for the Q4_1 offset term), `pairScales`
    /// (d_2p ×4, d_2p+1 ×4) per pair.
    public static func quantizeActivations(_ x: UnsafePointer<Float>, tokens: Int, job: QuantizedRowJob) {
        let cols = job.cols
        let nb = job.blocksPerRow
        let pairLayout = job.isQ4
        let levels = Float(job.activationLevels)
        for t in 0..<tokens {
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
                job.activationScales[t &* nb &+ b] = d
                job.sums[t &* nb &+ b] = total.sum()
                let pairScales: UnsafeMutablePointer<Float> = job.pairScales + (t &* nb &+ b) &* 4
                pairScales.initialize(repeating: d, count: 4)
                let paired = pairLayout && (b | 1) < nb
                let offset: Int = paired ? (b >> 1) &* 64 &+ (b & 1) &* 8 : b &* 32
                let destination: UnsafeMutablePointer<Int16> = job.values + (t &* cols &+ offset)
                for j in 0..<32 {
                    let slot: Int = paired ? (j >> 3) &* 16 &+ (j & 7) : j
                    destination[slot] = QuantizedKernels.roundToInt16(xs[j] * inverse)
                }
            }
        }
    }
}
