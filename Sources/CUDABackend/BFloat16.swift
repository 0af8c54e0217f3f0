// Host-side bfloat16 conversion (the upper 16 bits of an f32): round to nearest even, NaN kept a quiet
// NaN, exactly as common.cuh's from_float<bf16> does on the device.

/// bf16 bit patterns ↔ f32.
public enum BFloat16 {
    /// The bf16 nearest `value` (ties to even).
    @inline(__always)
    public static func bits(_ value: Float) -> UInt16 {
        var u = value.bitPattern
        if u & 0x7fff_ffff > 0x7f80_0000 { return UInt16(truncatingIfNeeded: (u >> 16) | 0x40) }
        u = u &+ 0x7fff &+ ((u >> 16) & 1)
        return UInt16(truncatingIfNeeded: u >> 16)
    }

    /// The f32 value of bf16 bits `bits` (exact).
    @inline(__always)
    public static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// `value` rounded to bf16 and back.
    @inline(__always)
    public static func rounded(_ value: Float) -> Float { float(bits(value)) }

    /// Every value of `values` as bf16 bits.
    public static func encode(_ values: [Float]) -> [UInt16] {
        [UInt16](unsafeUninitializedCapacity: values.count) { out, initialized in
            values.withUnsafeBufferPointer { source in
                for i in 0..<source.count { out[i] = bits(source[i]) }
            }
            initialized = values.count
        }
    }

    /// Every bf16 pattern of `bits` as f32.
    public static func decode(_ bits: UnsafeBufferPointer<UInt16>) -> [Float] {
        [Float](unsafeUninitializedCapacity: bits.count) { out, initialized in
            for i in 0..<bits.count { out[i] = float(bits[i]) }
            initialized = bits.count
        }
    }
}
