// The integer dot-product kernels of the fast quantized matmul: a weight row in the CPUQuantizedWeight
// layout against activations quantized per block of 32 (QuantizedRows.quantizeActivations).
// Plain SIMD types on raw pointers (no generic conversions, which Swift does not inline), 16-bit lanes.

/// Dot products of one repacked weight row with one or four quantized activation rows (qx in ±511
/// against Q4 weights, ±127 against Q8_0; see QuantizedRowJob.activationLevels).
///
/// For a Q4_1 block b the exact value is Σ_j (d_b·q_j + m_b)·x_j; with x_j ≈ dx_b·qx_j it becomes
/// d_b·dx_b·Σ_j q_j·qx_j + m_b·Σ_j x_j (Σx exact), the integer sum in 16-bit lanes then 32-bit pairs.
/// Q4_0 is d_b·dx_b·Σ_j (q_j − 8)·qx_j (no offset term), Q8_0 d_b·dx_b·Σ_j q_j·qx_j.
enum QuantizedKernels {
    /// The activations of one token as the kernels read them.
    struct Activations {
        /// [cols] Int16 values in kernel order.
        let values: UnsafeRawPointer
        /// [blocks] scales dx_b.
        let scales: UnsafePointer<Float>
        /// [blocks] exact Σx per block.
        let sums: UnsafePointer<Float>
        /// [blocks / 2] SIMD8 (dx_2p ×4, dx_2p+1 ×4) per pair of blocks (Q4 only).
        let pairScales: UnsafeRawPointer
    }

    /// Round to nearest (ties to even) for |v| < 2²²; never traps (NaN gives an arbitrary value).
    @inline(__always)
    static func roundToInt16(_ v: Float) -> Int16 {
        let magic: Float = 12_582_912  // 1.5 · 2²³: adding it leaves round(v) in the low mantissa bits
        return Int16(truncatingIfNeeded: Int32(bitPattern: (v + magic).bitPattern) &- 0x4B40_0000)
    }

    /// Sums adjacent 16-bit lanes into 32-bit lanes: lane i = v[2i] + v[2i+1] (pmaddwd with ones).
    @inline(__always)
    static func pairSum(_ v: SIMD16<Int16>) -> SIMD8<Int32> {
        let w = unsafeBitCast(v, to: SIMD8<Int32>.self)
        return ((w &<< 16) &>> 16) &+ (w &>> 16)
    }

    @inline(__always)
    static func pairSum(_ v: SIMD8<Int16>) -> SIMD4<Int32> {
        let w = unsafeBitCast(v, to: SIMD4<Int32>.self)
        return ((w &<< 16) &>> 16) &+ (w &>> 16)
    }

    // MARK: - Q4_0 / Q4_1

    /// The 4 × 16 values of a pair of blocks: `n` lane i = element 8n + i of block 2p (i < 8) or of
    /// block 2p+1 (i ≥ 8), matching the pair layout of the activations; nibble − 8 for Q4_0 (`signed`).
    @inline(__always)
    static func nibbles(_ w: UnsafeRawPointer, pair b: Int, signed: Bool)
        -> (SIMD16<Int16>, SIMD16<Int16>, SIMD16<Int16>, SIMD16<Int16>)
    {
        let q = w.loadUnaligned(fromByteOffset: b &* 16, as: SIMD16<UInt16>.self)
        let mask = SIMD16<UInt16>(repeating: 0x000F)
        var n = (
            unsafeBitCast(q & mask, to: SIMD16<Int16>.self), unsafeBitCast((q &>> 4) & mask, to: SIMD16<Int16>.self),
            unsafeBitCast((q &>> 8) & mask, to: SIMD16<Int16>.self), unsafeBitCast(q &>> 12, to: SIMD16<Int16>.self)
        )
        if signed {
            let eight = SIMD16<Int16>(repeating: 8)
            n = (n.0 &- eight, n.1 &- eight, n.2 &- eight, n.3 &- eight)
        }
        return n
    }

    /// Σ value·qx over a pair of blocks, as 32-bit lanes 0–3 (block 2p) and 4–7 (block 2p+1).
    /// Fits Int16 before widening: 4 · 15 · 511 and 4 · 8 · 511 < 2¹⁵. (Spelling the products as
    /// sign-extended 32-bit pairs so LLVM forms `pmaddwd` measured 2–3× slower here: it falls back to
    /// `pmulld` for the masked nibbles.)
    @inline(__always)
    static func pairProducts(
        _ n: (SIMD16<Int16>, SIMD16<Int16>, SIMD16<Int16>, SIMD16<Int16>), _ x: UnsafeRawPointer
    ) -> SIMD8<Float> {
        var p = n.0 &* x.loadUnaligned(as: SIMD16<Int16>.self)
        p = p &+ n.1 &* x.loadUnaligned(fromByteOffset: 32, as: SIMD16<Int16>.self)
        p = p &+ n.2 &* x.loadUnaligned(fromByteOffset: 64, as: SIMD16<Int16>.self)
        p = p &+ n.3 &* x.loadUnaligned(fromByteOffset: 96, as: SIMD16<Int16>.self)
        return SIMD8<Float>(pairSum(p))
    }

    /// The last block when the row has an odd number of blocks (natural order, 8-lane vectors).
    @inline(__always)
    static func tailProducts(_ w: UnsafeRawPointer, block b: Int, _ x: UnsafeRawPointer, signed: Bool) -> Float {
        let mask = SIMD8<UInt16>(repeating: 0x000F)
        let q = w.loadUnaligned(fromByteOffset: b &* 16, as: SIMD8<UInt16>.self)
        let bias = SIMD8<Int16>(repeating: signed ? 8 : 0)
        let xb = x + b &* 64
        var p = (unsafeBitCast(q & mask, to: SIMD8<Int16>.self) &- bias) &* xb.loadUnaligned(as: SIMD8<Int16>.self)
        p = p &+ (unsafeBitCast((q &>> 4) & mask, to: SIMD8<Int16>.self) &- bias)
            &* xb.loadUnaligned(fromByteOffset: 16, as: SIMD8<Int16>.self)
        p = p &+ (unsafeBitCast((q &>> 8) & mask, to: SIMD8<Int16>.self) &- bias)
            &* xb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Int16>.self)
        p = p &+ (unsafeBitCast(q &>> 12, to: SIMD8<Int16>.self) &- bias)
            &* xb.loadUnaligned(fromByteOffset: 48, as: SIMD8<Int16>.self)
        return SIMD4<Float>(pairSum(p)).sum()
    }

    /// Σ_b m_b · Σx_b, eight blocks at a time.
    @inline(__always)
    static func offsetTerm(_ wm: UnsafePointer<Float>, _ xs: UnsafePointer<Float>, _ nb: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= nb {
            acc += UnsafeRawPointer(wm + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(xs + i).loadUnaligned(as: SIMD8<Float>.self)
            i &+= 8
        }
        var tail: Float = 0
        while i < nb {
            tail += wm[i] * xs[i]
            i &+= 1
        }
        return acc.sum() + tail
    }

    /// (d_b ×4, d_b+1 ×4) of a pair of blocks.
    @inline(__always)
    static func pairScale(_ ws: UnsafePointer<Float>, _ b: Int) -> SIMD8<Float> {
        SIMD8<Float>(lowHalf: SIMD4(repeating: ws[b]), highHalf: SIMD4(repeating: ws[b &+ 1]))
    }

    /// One Q4 row · one token. `hasMins`: Q4_1 (offset term) rather than Q4_0 (signed nibbles).
    @inline(__always)
    static func dotQ4(
        _ w: UnsafeRawPointer, _ ws: UnsafePointer<Float>, _ wm: UnsafePointer<Float>, _ x: Activations, _ nb: Int,
        hasMins: Bool
    ) -> Float {
        var acc = SIMD8<Float>()
        var b = 0
        while b &+ 2 <= nb {
            let n = nibbles(w, pair: b, signed: !hasMins)
            let xScale = x.pairScales.loadUnaligned(fromByteOffset: b &* 16, as: SIMD8<Float>.self)
            acc += pairProducts(n, x.values + b &* 64) * (pairScale(ws, b) * xScale)
            b &+= 2
        }
        var total = acc.sum()
        if b < nb { total += tailProducts(w, block: b, x.values, signed: !hasMins) * (ws[b] * x.scales[b]) }
        return hasMins ? total + offsetTerm(wm, x.sums, nb) : total
    }

    /// One Q4 row · four tokens (values, scales and mins are unpacked once for all four).
    @inline(__always)
    static func dotQ4x4(
        _ w: UnsafeRawPointer, _ ws: UnsafePointer<Float>, _ wm: UnsafePointer<Float>,
        _ x0: Activations, _ x1: Activations, _ x2: Activations, _ x3: Activations, _ nb: Int, hasMins: Bool
    ) -> SIMD4<Float> {
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var a2 = SIMD8<Float>()
        var a3 = SIMD8<Float>()
        var b = 0
        while b &+ 2 <= nb {
            let n = nibbles(w, pair: b, signed: !hasMins)
            let scale = pairScale(ws, b)
            let v = b &* 64
            let s = b &* 16
            a0 += pairProducts(n, x0.values + v) * (scale * x0.pairScales.loadUnaligned(fromByteOffset: s, as: SIMD8<Float>.self))
            a1 += pairProducts(n, x1.values + v) * (scale * x1.pairScales.loadUnaligned(fromByteOffset: s, as: SIMD8<Float>.self))
            a2 += pairProducts(n, x2.values + v) * (scale * x2.pairScales.loadUnaligned(fromByteOffset: s, as: SIMD8<Float>.self))
            a3 += pairProducts(n, x3.values + v) * (scale * x3.pairScales.loadUnaligned(fromByteOffset: s, as: SIMD8<Float>.self))
            b &+= 2
        }
        var total = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
        if b < nb {
            let d = ws[b]
            let signed = !hasMins
            total += SIMD4<Float>(
                tailProducts(w, block: b, x0.values, signed: signed) * (d * x0.scales[b]),
                tailProducts(w, block: b, x1.values, signed: signed) * (d * x1.scales[b]),
                tailProducts(w, block: b, x2.values, signed: signed) * (d * x2.scales[b]),
                tailProducts(w, block: b, x3.values, signed: signed) * (d * x3.scales[b]))
        }
        guard hasMins else { return total }
        return total
            + SIMD4<Float>(
                offsetTerm(wm, x0.sums, nb), offsetTerm(wm, x1.sums, nb), offsetTerm(wm, x2.sums, nb),
                offsetTerm(wm, x3.sums, nb))
    }

    // MARK: - Q8_0

    /// Σ q·qx over one block as 8 × 32-bit lanes; fits Int16 before widening: 2 · 128 · 127 < 2¹⁵.
    @inline(__always)
    static func blockProducts(_ lo: SIMD16<Int16>, _ hi: SIMD16<Int16>, _ x: UnsafeRawPointer) -> SIMD8<Float> {
        let p = lo &* x.loadUnaligned(as: SIMD16<Int16>.self) &+ hi &* x.loadUnaligned(fromByteOffset: 32, as: SIMD16<Int16>.self)
        return SIMD8<Float>(pairSum(p))
    }

    /// Elements 0–15 (low bytes) and 16–31 (high bytes) of block b, sign-extended.
    @inline(__always)
    static func bytes(_ w: UnsafeRawPointer, block b: Int) -> (SIMD16<Int16>, SIMD16<Int16>) {
        let q = unsafeBitCast(w.loadUnaligned(fromByteOffset: b &* 32, as: SIMD16<UInt16>.self), to: SIMD16<Int16>.self)
        return ((q &<< 8) &>> 8, q &>> 8)
    }

    /// One Q8_0 row · one token.
    @inline(__always)
    static func dotQ8(_ w: UnsafeRawPointer, _ ws: UnsafePointer<Float>, _ x: Activations, _ nb: Int) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<nb {
            let (lo, hi) = bytes(w, block: b)
            acc += blockProducts(lo, hi, x.values + b &* 64) * (ws[b] * x.scales[b])
        }
        return acc.sum()
    }

    /// One Q8_0 row · four tokens.
    @inline(__always)
    static func dotQ8x4(
        _ w: UnsafeRawPointer, _ ws: UnsafePointer<Float>,
        _ x0: Activations, _ x1: Activations, _ x2: Activations, _ x3: Activations, _ nb: Int
    ) -> SIMD4<Float> {
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var a2 = SIMD8<Float>()
        var a3 = SIMD8<Float>()
        for b in 0..<nb {
            let (lo, hi) = bytes(w, block: b)
            let d = ws[b]
            let v = b &* 64
            a0 += blockProducts(lo, hi, x0.values + v) * (d * x0.scales[b])
            a1 += blockProducts(lo, hi, x1.values + v) * (d * x1.scales[b])
            a2 += blockProducts(lo, hi, x2.values + v) * (d * x2.scales[b])
            a3 += blockProducts(lo, hi, x3.values + v) * (d * x3.scales[b])
        }
        return SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
    }
}
