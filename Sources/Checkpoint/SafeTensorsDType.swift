// The element types the safetensors format defines, with their sizes in bits.
// Only F32, F16 and BF16 can be read as floats; the rest are recognised so that a file holding
// them still opens (its float tensors stay readable).

/// A safetensors element type, spelled as in the header's `dtype` field.
public enum SafeTensorsDType: String, CaseIterable, Sendable, Hashable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"
    case c64 = "C64"
    case f8E4M3 = "F8_E4M3"
    case f8E5M2 = "F8_E5M2"
    case f8E8M0 = "F8_E8M0"
    case f8E4M3FNUZ = "F8_E4M3FNUZ"
    case f8E5M2FNUZ = "F8_E5M2FNUZ"
    case f4 = "F4"
    case f6E2M3 = "F6_E2M3"
    case f6E3M2 = "F6_E3M2"

    /// Bits per element (sub-byte types pack; a tensor's total bit count must be a whole byte count).
    public var bitSize: Int {
        switch self {
        case .f4: 4
        case .f6E2M3, .f6E3M2: 6
        case .bool, .u8, .i8, .f8E4M3, .f8E5M2, .f8E8M0, .f8E4M3FNUZ, .f8E5M2FNUZ: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .f64, .i64, .u64, .c64: 64
        }
    }

    /// Whether `ModelCheckpoint.floats` / `SafeTensorsFile.floats` can convert this type.
    public var isReadableAsFloat: Bool {
        switch self {
        case .f32, .f16, .bf16: true
        default: false
        }
    }
}
