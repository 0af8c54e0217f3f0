// Tests of the F16/BF16 ↔ Float bit conversions in HalfPrecision.

import Checkpoint
import Testing

@Suite struct HalfPrecisionTests {
    /// Oracle: Swift's own `Float16` (IEEE binary16, hardware/compiler-rt conversion), over all
    /// 65,536 bit patterns.
    @Test func f16DecodingMatchesFloat16Exhaustively() {
        #if !(os(macOS) && arch(x86_64))
            var mismatches = 0
            for bits in 0...UInt16.max {
                let ours = HalfPrecision.floatFromF16(bits)
                let reference = Float(Float16(bitPattern: bits))
                if ours.isNaN ? !reference.isNaN : ours.bitPattern != reference.bitPattern { mismatches += 1 }
            }
            #expect(mismatches == 0)
        #endif
    }

    /// Oracle: Swift's `Float16(Float)` conversion (round to nearest even) on edge values and a
    /// strided sweep over all Float bit patterns.
    @Test func f16EncodingMatchesFloat16() {
        #if !(os(macOS) && arch(x86_64))
            var values: [Float] = [
                0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e-8, 2.9802322e-8, 2.9802326e-8, 5.9604645e-8,
                6.1035156e-5, 6.097555e-5, .infinity, -.infinity, .greatestFiniteMagnitude, 1 + 0x1p-11,
                1 + 0x1p-11 + 0x1p-23, 1 + 3 * 0x1p-11,
            ]
            var pattern: UInt32 = 0
            while pattern < UInt32.max - 40_009 {
                values.append(Float(bitPattern: pattern))
                pattern += 40_009
            }
            var mismatches: [Float] = []
            for value in values where !value.isNaN {
                if HalfPrecision.f16FromFloat(value) != Float16(value).bitPattern { mismatches.append(value) }
            }
            #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
        #endif
    }

    /// Oracle: the definition (BF16 is the top 16 bits of a binary32) on hand-computed values.
    @Test func bf16DecodingKnownValues() {
        #expect(HalfPrecision.floatFromBF16(0x3F80) == 1)
        #expect(HalfPrecision.floatFromBF16(0xC000) == -2)
        #expect(HalfPrecision.floatFromBF16(0x4049) == 3.140625)
        #expect(HalfPrecision.floatFromBF16(0x7F80) == .infinity)
        #expect(HalfPrecision.floatFromBF16(0x0001) == 0x1p-133)
        #expect(HalfPrecision.floatFromBF16(0x7FC0).isNaN)
        #expect(HalfPrecision.floatFromBF16(0x8000).bitPattern == (-Float(0)).bitPattern)
    }

    /// Oracle: round to nearest even from the definition: halfway cases go to the even mantissa,
    /// and every BF16 value survives decode → encode unchanged.
    @Test func bf16EncodingRoundsToNearestEven() {
        #expect(HalfPrecision.bf16FromFloat(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie → even (down)
        #expect(HalfPrecision.bf16FromFloat(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie → even (up)
        #expect(HalfPrecision.bf16FromFloat(Float(bitPattern: 0x3F80_8001)) == 0x3F81)  // above half
        #expect(HalfPrecision.bf16FromFloat(Float(bitPattern: 0x3F80_7FFF)) == 0x3F80)  // below half
        #expect(HalfPrecision.bf16FromFloat(Float(bitPattern: 0x7F7F_FFFF)) == 0x7F80)  // rounds to infinity
        #expect(HalfPrecision.floatFromBF16(HalfPrecision.bf16FromFloat(.nan)).isNaN)
        var changed = 0
        for bits in 0...UInt16.max where !HalfPrecision.floatFromBF16(bits).isNaN {
            if HalfPrecision.bf16FromFloat(HalfPrecision.floatFromBF16(bits)) != bits { changed += 1 }
        }
        #expect(changed == 0)
    }

    /// Oracle: invariant — every non-NaN F16 value survives decode → encode unchanged.
    @Test func f16RoundTripIsIdentity() {
        var changed = 0
        for bits in 0...UInt16.max where !HalfPrecision.floatFromF16(bits).isNaN {
            if HalfPrecision.f16FromFloat(HalfPrecision.floatFromF16(bits)) != bits { changed += 1 }
        }
        #expect(changed == 0)
    }
}
