// Errors of the engine layer that a caller can act on.

/// Why the engine could not serve a request.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    /// The request names an adapter that is not registered.
    case unknownAdapter(String)
    /// The pool cannot hold the request even when it runs alone.
    case doesNotFit(needPages: Int, poolPages: Int)
    /// An empty prompt.
    case emptyPrompt
    /// A prompt token outside the vocabulary.
    case tokenOutOfRange(token: Int32, vocabularySize: Int)
    /// A prompt plus `max_tokens` longer than the model's context.
    case contextTooLong(tokenCount: Int, maxPositions: Int)

    public var description: String {
        switch self {
        case .unknownAdapter(let name): "no adapter named '\(name)' is registered"
        case .doesNotFit(let need, let total): "the request needs \(need) pool pages but the pool has \(total)"
        case .emptyPrompt: "the prompt is empty"
        case .tokenOutOfRange(let token, let vocab): "token id \(token) is outside the vocabulary (0..<\(vocab))"
        case .contextTooLong(let n, let max): "prompt plus max tokens is \(n) tokens, the model's context is \(max)"
        }
    }
}
