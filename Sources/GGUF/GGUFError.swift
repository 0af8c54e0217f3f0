// The one error type of the GGUF module. Every case names the file and, where there is one, the metadata key or
// tensor at fault, so a bad model file is reported precisely and never crashes the process.

/// Why a GGUF file could not be opened, parsed, or read.
///
/// `file` is the path the file was opened from (or the name given to ``GGUFFile/init(bytes:name:)``).
/// `field` names the part being parsed when the data ran out or was invalid: `"header"`, `"metadata key #3"`,
/// `"metadata 'tokenizer.ggml.tokens'"`, `"tensor info 'blk.0.attn_q.weight'"`, and so on.
public enum GGUFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened, stat-ed, or memory-mapped.
    case cannotOpen(file: String, reason: String)
    /// The first four bytes are not `"GGUF"`.
    case badMagic(file: String, found: UInt32)
    /// The version is not 2 or 3 (v1 used 32-bit counts and is not supported).
    case unsupportedVersion(file: String, version: UInt32)
    /// The file ends before `field` is complete: `needed` bytes at `offset`.
    case truncated(file: String, field: String, offset: Int, needed: Int)
    /// A string's length prefix points past the end of the file.
    case stringPastEnd(file: String, field: String, offset: Int, length: UInt64)
    /// A metadata value has a type code that GGUF does not define.
    case unknownValueType(file: String, key: String, rawType: UInt32)
    /// A metadata value is malformed (a bool byte other than 0/1, arrays nested too deeply, ...).
    case invalidValue(file: String, key: String, reason: String)
    /// A count (metadata, tensors, array elements) cannot fit in the rest of the file.
    case countTooLarge(file: String, field: String, count: UInt64)
    /// The same metadata key appears twice.
    case duplicateKey(file: String, key: String)
    /// `general.alignment` is not a positive power of two.
    case invalidAlignment(file: String, value: String)
    /// A tensor has a ggml type code this reader does not know (so its byte size is unknown).
    case unknownTensorType(file: String, tensor: String, rawType: UInt32)
    /// A tensor's dimensions are invalid: more than 4, zero/overflowing sizes, or a first dimension that is not a
    /// multiple of its type's block size.
    case invalidDimensions(file: String, tensor: String, dimensions: [UInt64], reason: String)
    /// The same tensor name appears twice.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor's data offset is not a multiple of the file's alignment.
    case misaligned(file: String, tensor: String, offset: UInt64, alignment: Int)
    /// A tensor's bytes run past the end of the data section.
    case tensorDataPastEnd(file: String, tensor: String, offset: UInt64, byteCount: Int, dataSectionByteCount: Int)
    /// No tensor of that name exists in the file.
    case tensorNotFound(file: String, tensor: String)
    /// The tensor's type cannot be dequantized by this reader (its raw bytes are still available).
    case unsupportedTensorType(file: String, tensor: String, type: String)
    /// A row range asked of ``GGUFFile/floats(_:rows:)`` lies outside the tensor.
    case rowsOutOfRange(file: String, tensor: String, rows: Range<Int>, rowCount: Int)
    /// A required metadata key is absent.
    case missingKey(file: String, key: String)
    /// A metadata key holds a value of the wrong type.
    case typeMismatch(file: String, key: String, expected: String, found: String)
    /// The file's `general.architecture` is not one this reader understands for the requested view.
    case unsupportedArchitecture(file: String, architecture: String)
    /// A hyper-parameter is out of range or inconsistent with another one.
    case invalidHyperparameter(file: String, key: String, reason: String)
    /// A tensor's shape disagrees with the hyper-parameters.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason):
            return "\(file): cannot open GGUF file: \(reason)"
        case .badMagic(let file, let found):
            let hex = "0x" + String(found, radix: 16, uppercase: true)
            return "\(file): not a GGUF file (magic \(hex), expected \"GGUF\")"
        case .unsupportedVersion(let file, let version):
            return "\(file): unsupported GGUF version \(version) (supported: 2, 3). "
                + "HINT: re-convert the model with a current llama.cpp"
        case .truncated(let file, let field, let offset, let needed):
            return "\(file): truncated in \(field): needs \(needed) bytes at offset \(offset)"
        case .stringPastEnd(let file, let field, let offset, let length):
            return "\(file): string of length \(length) at offset \(offset) in \(field) runs past the end of the file"
        case .unknownValueType(let file, let key, let rawType):
            return "\(file): metadata '\(key)' has unknown value type \(rawType)"
        case .invalidValue(let file, let key, let reason):
            return "\(file): metadata '\(key)' is invalid: \(reason)"
        case .countTooLarge(let file, let field, let count):
            return "\(file): count \(count) in \(field) cannot fit in the file"
        case .duplicateKey(let file, let key):
            return "\(file): duplicate metadata key '\(key)'"
        case .invalidAlignment(let file, let value):
            return "\(file): general.alignment = \(value) is not a positive power of two"
        case .unknownTensorType(let file, let tensor, let rawType):
            return "\(file): tensor '\(tensor)' has unknown ggml type \(rawType)"
        case .invalidDimensions(let file, let tensor, let dimensions, let reason):
            return "\(file): tensor '\(tensor)' has invalid dimensions \(dimensions): \(reason)"
        case .duplicateTensor(let file, let tensor):
            return "\(file): duplicate tensor '\(tensor)'"
        case .misaligned(let file, let tensor, let offset, let alignment):
            return "\(file): tensor '\(tensor)' offset \(offset) is not a multiple of the alignment \(alignment)"
        case .tensorDataPastEnd(let file, let tensor, let offset, let byteCount, let dataSectionByteCount):
            return "\(file): tensor '\(tensor)' (\(byteCount) bytes at data offset \(offset)) runs past the end of the "
                + "data section (\(dataSectionByteCount) bytes)"
        case .tensorNotFound(let file, let tensor):
            return "\(file): no tensor named '\(tensor)'"
        case .unsupportedTensorType(let file, let tensor, let type):
            return "\(file): tensor '\(tensor)' has type \(type), which cannot be dequantized "
                + "(supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K)"
        case .rowsOutOfRange(let file, let tensor, let rows, let rowCount):
            return "\(file): rows \(rows) of tensor '\(tensor)' are outside 0..<\(rowCount)"
        case .missingKey(let file, let key):
            return "\(file): missing metadata key '\(key)'"
        case .typeMismatch(let file, let key, let expected, let found):
            return "\(file): metadata '\(key)' is \(found), expected \(expected)"
        case .unsupportedArchitecture(let file, let architecture):
            return "\(file): unsupported architecture '\(architecture)' (expected 'llama')"
        case .invalidHyperparameter(let file, let key, let reason):
            return "\(file): hyper-parameter '\(key)' is invalid: \(reason)"
        case .shapeMismatch(let file, let tensor, let expected, let found):
            return "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
        }
    }
}
