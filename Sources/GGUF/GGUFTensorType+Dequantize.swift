// Dequantization of ggml blocks to Float, bit-exact with gguf-py `quants.py` (which mirrors ggml-quants.c):
// the same products in the same order, no fused multiply-add. Block layouts from ggml-common.h.
// Usable on any byte span of whole blocks, so a backend can dequantize one row at a time.

extension GGUFTensorType {
    /// Dequantizes whole blocks of this type from `source` into `destination`.
    ///
    /// Semantics: `destination.count` elements = `source.count / bytesPerBlock * blockSize`; element `i` of the
    /// output is element `i % blockSize` of block `i / blockSize`. `source` need not be aligned.
    /// Precondition: the type ``isDequantizable`` and the sizes match (programmer errors, not file errors).
    public func dequantize(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(isDequantizable, "\(self) cannot be dequantized")
        precondition(byteCount(elementCount: destination.count) == source.count, "source/destination size mismatch")
        guard let input = source.baseAddress, let output = destination.baseAddress else { return }
        let blockCount = source.count / bytesPerBlock
        for block in 0..<blockCount {
            let x = input + block * bytesPerBlock
            let y = output + block * blockSize
            switch self {
            case .f32: y.pointee = Float(bitPattern: Self.u32(x, 0))
            case .f16: y.pointee = Self.halfToFloat(Self.u16(x, 0))
            case .bf16: y.pointee = Float(bitPattern: UInt32(Self.u16(x, 0)) << 16)
            case .q8_0: Self.dequantizeQ8_0(x, y)
            case .q4_0: Self.dequantizeQ4_0(x, y)
            case .q4_1: Self.dequantizeQ4_1(x, y)
            case .q4_K: Self.dequantizeQ4_K(x, y)
            case .q6_K: Self.dequantizeQ6_K(x, y)
            default: preconditionFailure("unreachable: \(self) is not dequantizable")
            }
        }
    }

    // MARK: - 32-element blocks

    /// block_q8_0 { f16 d; i8 qs[32] }: y[j] = qs[j] * d.
    private static func dequantizeQ8_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = halfToFloat(u16(x, 0))
        for j in 0..<32 {
            y[j] = Float(Int8(bitPattern: x.load(fromByteOffset: 2 + j, as: UInt8.self))) * d
        }
    }

    /// block_q4_0 { f16 d; u8 qs[16] }: y[j] = d * ((qs[j] & 0xF) - 8), y[j + 16] = d * ((qs[j] >> 4) - 8).
    private static func dequantizeQ4_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = halfToFloat(u16(x, 0))
        for j in 0..<16 {
            let q = x.load(fromByteOffset: 2 + j, as: UInt8.self)
            y[j] = d * Float(Int(q & 0x0F) - 8)
            y[j + 16] = d * Float(Int(q >> 4) - 8)
        }
    }

    /// block_q4_1 { f16 d; f16 m; u8 qs[16] }: y[j] = d * (qs[j] & 0xF) + m, y[j + 16] = d * (qs[j] >> 4) + m.
    private static func dequantizeQ4_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = halfToFloat(u16(x, 0))
        let m = halfToFloat(u16(x, 2))
        for j in 0..<16 {
            let q = x.load(fromByteOffset: 4 + j, as: UInt8.self)
            let low = d * Float(q & 0x0F)
            let high = d * Float(q >> 4)
            y[j] = low + m
            y[j + 16] = high + m
        }
    }

    // MARK: - 256-element K-quant super-blocks

    /// block_q4_K { f16 d; f16 dmin; u8 scales[12]; u8 qs[128] }: 8 sub-blocks of 32; sub-block s has a 6-bit scale
    /// `sc` and min `m` (packed, see `scaleMinQ4_K`); its values are the low (s even) or high (s odd) nibbles of
    /// qs[32·(s/2) ..< 32·(s/2)+32]; y = (d·sc)·q − (dmin·m).
    private static func dequantizeQ4_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = halfToFloat(u16(x, 0))
        let dmin = halfToFloat(u16(x, 2))
        let scales = x + 4
        let qs = x + 16
        for subBlock in 0..<8 {
            let (scale, minimum) = scaleMinQ4_K(scales, subBlock)
            let dl = d * Float(scale)
            let ml = dmin * Float(minimum)
            let chunk = qs + 32 * (subBlock / 2)
            let shift: UInt8 = subBlock % 2 == 0 ? 0 : 4
            for l in 0..<32 {
                let q = (chunk.load(fromByteOffset: l, as: UInt8.self) >> shift) & 0x0F
                y[subBlock * 32 + l] = dl * Float(q) - ml
            }
        }
    }

    /// The 6-bit (scale, min) of sub-block `j` from the 12 packed bytes (ggml `get_scale_min_k4`):
    /// j < 4: scale = s[j] & 63, min = s[j+4] & 63;
    /// j ≥ 4: scale = (s[j+4] & 0xF) | ((s[j-4] >> 6) << 4), min = (s[j+4] >> 4) | ((s[j] >> 6) << 4).
    private static func scaleMinQ4_K(_ s: UnsafeRawPointer, _ j: Int) -> (UInt8, UInt8) {
        func byte(_ i: Int) -> UInt8 { s.load(fromByteOffset: i, as: UInt8.self) }
        if j < 4 {
            return (byte(j) & 63, byte(j + 4) & 63)
        }
        let scale = (byte(j + 4) & 0x0F) | ((byte(j - 4) >> 6) << 4)
        let minimum = (byte(j + 4) >> 4) | ((byte(j) >> 6) << 4)
        return (scale, minimum)
    }

    /// block_q6_K { u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d } (d last). Two halves of 128 elements; in half h,
    /// element r (0..<128) has low 4 bits from ql[64h + r%64] (>> 4 if r ≥ 64) and high 2 bits from
    /// qh[32h + r%32] >> (2·(r/32)); q = that 6-bit value − 32; y = (d·scales[e/16])·q for e = 128h + r.
    private static func dequantizeQ6_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let ql = x
        let qh = x + 128
        let scales = x + 192
        let d = halfToFloat(u16(x, 208))
        for half in 0..<2 {
            for r in 0..<128 {
                let lowByte = ql.load(fromByteOffset: 64 * half + r % 64, as: UInt8.self)
                let low = (r < 64 ? lowByte : lowByte >> 4) & 0x0F
                let highByte = qh.load(fromByteOffset: 32 * half + r % 32, as: UInt8.self)
                let high = (highByte >> UInt8(2 * (r / 32))) & 0x03
                let q = Int(low | (high << 4)) - 32
                let e = 128 * half + r
                let scale = Int8(bitPattern: scales.load(fromByteOffset: e / 16, as: UInt8.self))
                y[e] = (d * Float(scale)) * Float(q)
            }
        }
    }

    // MARK: - Scalars

    private static func u16(_ x: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: x.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    private static func u32(_ x: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: x.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// IEEE half → float, exact for every bit pattern (subnormals, infinities, NaN payloads). Written out rather
    /// than using `Float16`, which is unavailable on Intel macOS.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
