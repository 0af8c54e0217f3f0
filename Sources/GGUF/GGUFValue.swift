// One decoded GGUF metadata value, with lenient typed views (`intValue` accepts any integer width, and so on).

/// A metadata value as stored in a GGUF file.
///
/// Arrays keep their element type so that an empty array still says what it would hold.
/// ```swift
/// if case .array(.string, let tokens) = file.metadata["tokenizer.ggml.tokens"] { ... }
/// let tokens = file.metadata["tokenizer.ggml.tokens"]?.stringArray
/// ```
public enum GGUFValue: Sendable, Hashable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    indirect case array(GGUFValueType, [GGUFValue])
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    /// The value's type code.
    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// A readable type name for error messages: `UINT32`, `ARRAY[STRING]`.
    public var typeDescription: String {
        if case .array(let elementType, _) = self { return "ARRAY[\(elementType)]" }
        return type.description
    }

    // MARK: - Typed views

    /// Any integer type as `Int`; `nil` for other types and for a `UInt64` above `Int.max`.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(v)
        default: return nil
        }
    }

    /// `float32` as is, `float64` narrowed; `nil` for non-float types.
    public var floatValue: Float? {
        switch self {
        case .float32(let v): return v
        case .float64(let v): return Float(v)
        default: return nil
        }
    }

    /// `float32` widened, `float64` as is; `nil` for non-float types.
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    /// The elements of an array of any type.
    public var arrayValue: [GGUFValue]? {
        if case .array(_, let elements) = self { return elements }
        return nil
    }

    /// An array of strings; `nil` if this is not an array of `string`.
    public var stringArray: [String]? {
        guard case .array(.string, let elements) = self else { return nil }
        return elements.compactMap(\.stringValue)
    }

    /// An array of `float32`/`float64` as `Float`; `nil` if this is not an array of floats.
    public var floatArray: [Float]? {
        guard case .array(let elementType, let elements) = self,
            elementType == .float32 || elementType == .float64
        else { return nil }
        return elements.compactMap(\.floatValue)
    }

    /// An array of any integer type as `Int`; `nil` if this is not an integer array or an element does not fit.
    public var intArray: [Int]? {
        guard case .array(let elementType, let elements) = self,
            elementType != .float32, elementType != .float64, elementType != .bool,
            elementType != .string, elementType != .array
        else { return nil }
        var result: [Int] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let value = element.intValue else { return nil }
            result.append(value)
        }
        return result
    }
}
