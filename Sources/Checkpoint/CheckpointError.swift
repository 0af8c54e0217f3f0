// The one error type of the Checkpoint module: every way a safetensors file, a shard index or a
// HF `config.json` can be unreadable, malformed or unsupported. Each case names the file at fault
// and, where there is one, the tensor or config field.

/// An error reading a model checkpoint (safetensors files, the shard index, `config.json`).
///
/// Every case carries the path of the file at fault; tensor-level cases also carry the tensor name
/// and config cases the JSON field (dotted for nested fields, e.g. `rope_scaling.factor`).
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or directory) could not be opened or mapped.
    case unreadableFile(file: String, reason: String)
    /// A directory holds neither `model.safetensors` nor `model.safetensors.index.json`.
    case noWeightsFound(directory: String)
    /// The file is shorter than its structure requires (e.g. under 8 bytes, or data cut off).
    case truncatedFile(file: String, detail: String)
    /// The 8-byte header length points past the end of the file (or over the 100 MB cap).
    case headerLengthPastEnd(file: String, headerByteCount: UInt64, fileByteCount: Int)
    /// The header is not valid UTF-8 JSON, or not a JSON object.
    case badJSON(file: String, reason: String)
    /// The header is JSON but breaks the safetensors rules (not starting with `{`, bad entry, …).
    case invalidHeader(file: String, reason: String)
    /// The same tensor name appears twice in one header, or in two shards.
    case duplicateTensor(file: String, tensor: String)
    /// A dtype string safetensors does not define, or one that cannot be read as floats.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// `data_offsets` out of range, not matching shape × dtype size, overlapping, or leaving a hole.
    case badDataOffsets(file: String, tensor: String, reason: String)
    /// The tensor exists but its shape is not the one the caller expects.
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])
    /// The tensor is not in the checkpoint (or not in the shard the index names).
    case missingTensor(file: String, tensor: String)
    /// A config (or index) field is missing, has the wrong type, or an invalid value.
    case badConfigField(file: String, field: String, reason: String)
    /// A config field has a valid value that slora does not support yet (e.g. `rope_type: yarn`).
    case unsupportedConfigValue(file: String, field: String, value: String)

    /// The file the error is about.
    public var file: String {
        switch self {
        case .unreadableFile(let file, _), .truncatedFile(let file, _), .headerLengthPastEnd(let file, _, _),
            .badJSON(let file, _), .invalidHeader(let file, _), .duplicateTensor(let file, _),
            .unsupportedDType(let file, _, _), .badDataOffsets(let file, _, _), .wrongShape(let file, _, _, _),
            .missingTensor(let file, _), .badConfigField(let file, _, _), .unsupportedConfigValue(let file, _, _):
            file
        case .noWeightsFound(let directory):
            directory
        }
    }

    public var description: String {
        switch self {
        case .unreadableFile(let file, let reason):
            "\(file): cannot read file: \(reason)"
        case .noWeightsFound(let directory):
            "\(directory): no model.safetensors or model.safetensors.index.json "
                + "(HINT: only safetensors weights are supported; convert .bin/.pth checkpoints first)"
        case .truncatedFile(let file, let detail):
            "\(file): truncated safetensors file: \(detail)"
        case .headerLengthPastEnd(let file, let headerByteCount, let fileByteCount):
            "\(file): header length \(headerByteCount) runs past the end of the \(fileByteCount)-byte file "
                + "(HINT: not a safetensors file, or a partial download)"
        case .badJSON(let file, let reason):
            "\(file): invalid JSON: \(reason)"
        case .invalidHeader(let file, let reason):
            "\(file): invalid safetensors header: \(reason)"
        case .duplicateTensor(let file, let tensor):
            "\(file): tensor '\(tensor)' appears more than once"
        case .unsupportedDType(let file, let tensor, let dtype):
            "\(file): tensor '\(tensor)' has unsupported dtype '\(dtype)' (HINT: F32, F16 and BF16 are supported)"
        case .badDataOffsets(let file, let tensor, let reason):
            "\(file): tensor '\(tensor)' has bad data_offsets: \(reason)"
        case .wrongShape(let file, let tensor, let expected, let found):
            "\(file): tensor '\(tensor)' has shape \(found), expected \(expected) "
                + "(HINT: does config.json belong to these weights?)"
        case .missingTensor(let file, let tensor):
            "\(file): tensor '\(tensor)' is missing"
        case .badConfigField(let file, let field, let reason):
            "\(file): field '\(field)': \(reason)"
        case .unsupportedConfigValue(let file, let field, let value):
            "\(file): field '\(field)' = \(value) is not supported yet"
        }
    }
}
