// The type codes of GGUF metadata values (ggml docs/gguf.md, `gguf_metadata_value_type`).

/// The type code stored before every GGUF metadata value and array element.
public enum GGUFValueType: UInt32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case uint8 = 0
    case int8 = 1
    case uint16 = 2
    case int16 = 3
    case uint32 = 4
    case int32 = 5
    case float32 = 6
    /// One byte, 0 or 1.
    case bool = 7
    /// `u64 length` then that many UTF-8 bytes (no terminator).
    case string = 8
    /// `u32 elementType, u64 count`, then `count` values of that type (arrays may nest).
    case array = 9
    case uint64 = 10
    case int64 = 11
    case float64 = 12

    /// The encoded size of a scalar of this type, or `nil` for the variable-length `string` and `array`.
    public var scalarByteCount: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }

    /// The smallest number of bytes one value of this type can occupy (used to bound counts before allocating).
    var minimumByteCount: Int {
        switch self {
        case .string: return 8  // u64 length, empty payload
        case .array: return 12  // u32 type + u64 count, no elements
        default: return scalarByteCount ?? 1
        }
    }

    /// The upper-case name gguf-py uses (`UINT8`, `FLOAT32`, `ARRAY`, ...).
    public var description: String {
        switch self {
        case .uint8: return "UINT8"
        case .int8: return "INT8"
        case .uint16: return "UINT16"
        case .int16: return "INT16"
        case .uint32: return "UINT32"
        case .int32: return "INT32"
        case .float32: return "FLOAT32"
        case .bool: return "BOOL"
        case .string: return "STRING"
        case .array: return "ARRAY"
        case .uint64: return "UINT64"
        case .int64: return "INT64"
        case .float64: return "FLOAT64"
        }
    }
}
