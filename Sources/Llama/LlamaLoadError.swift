// Why a Llama model could not be loaded from a GGUF file: names, shapes and settings slora cannot
// map onto the HF Llama it runs. File-format problems are GGUFError (GGUF module).

/// A GGUF file that parses but is not a Llama model slora can run faithfully.
public enum LlamaLoadError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The HF tensor name has no llama GGUF counterpart, or the file lacks it.
    case missingTensor(file: String, tensor: String)
    /// The tensor's shape (HF order) differs from what the configuration implies.
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])
    /// A metadata value slora does not support (partial rotary, YaRN, …).
    case unsupported(file: String, key: String, value: String)

    public var description: String {
        switch self {
        case .missingTensor(let file, let tensor):
            "\(file): no tensor for \(tensor)"
        case .wrongShape(let file, let tensor, let expected, let found):
            "\(file): \(tensor) has shape \(found), expected \(expected)"
        case .unsupported(let file, let key, let value):
            "\(file): \(key) = \(value) is not supported"
        }
    }
}
