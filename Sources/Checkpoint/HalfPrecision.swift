// Bit-level conversions between Float and IEEE binary16 (F16) / bfloat16 (BF16), written out so
// they behave the same on every platform (no reliance on `Float16` availability). Decoding is
// exact; encoding rounds to nearest, ties to even, as torch's `.to(torch.float16/bfloat16)` does.

/// Conversions between 16-bit float bit patterns and `Float`. Decoding is exact for every input
/// (both formats are subsets of binary32), including subnormals, infinities and NaN payloads.
public enum HalfPrecision {
    /// binary16 (1 sign, 5 exponent, 10 mantissa bits) → binary32.
    @inline(__always)
    public static func floatFromF16(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2⁻²⁴, exact in binary32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            // Infinity (mantissa 0) or NaN (payload kept in the top mantissa bits).
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            // Normal: rebias the exponent from 15 to 127.
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// bfloat16 is the top half of a binary32: shift it back into place.
    @inline(__always)
    public static func floatFromBF16(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    // MARK: - Encoding

    /// binary32 → binary16, round to nearest even; overflow gives ±infinity, NaN stays NaN.
    public static func f16FromFloat(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            let payload: UInt16 = mantissa == 0 ? 0 : 0x0200 | UInt16(truncatingIfNeeded: mantissa >> 13)
            return sign | 0x7C00 | payload
        }
        let halfExponent = exponent - 112  // rebias 127 → 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            // Subnormal result: value = m · 2^(exponent−150) = (m >> (14 − halfExponent)) units of 2⁻²⁴.
            let shift = 14 - halfExponent
            guard shift < 25 else { return sign }  // below half the smallest subnormal
            let full = mantissa | 0x80_0000
            return sign | UInt16(truncatingIfNeeded: roundShift(full, by: UInt32(shift)))
        }
        // Normal: a carry out of the mantissa correctly bumps the exponent (up to infinity).
        let combined = (UInt32(halfExponent) << 23) | mantissa
        return sign | UInt16(truncatingIfNeeded: roundShift(combined, by: 13))
    }

    /// binary32 → bfloat16, round to nearest even; NaN stays (quiet) NaN.
    public static func bf16FromFloat(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// `value >> shift`, rounded to nearest with ties to even.
    private static func roundShift(_ value: UInt32, by shift: UInt32) -> UInt32 {
        let quotient = value >> shift
        let remainder = value & ((1 << shift) - 1)
        let half: UInt32 = 1 << (shift - 1)
        if remainder > half || (remainder == half && quotient & 1 == 1) { return quotient + 1 }
        return quotient
    }
}
