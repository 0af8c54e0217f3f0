// Why the engine refused a request at submission. Each case maps to one HTTP status in
// OpenAIError+Engine.swift (formats-and-api.md §A.6, §F.1).

// MARK: - EngineSubmitError

/// A rejection from ``InferenceEngine/submit(_:)``.
public enum EngineSubmitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No base model or adapter has this name → 404.
    case unknownModel(String)
    /// The prompt alone exceeds the context → 400.
    case promptTooLong(promptTokenCount: Int, maxModelLength: Int)
    /// Prompt plus `max_tokens` exceeds the context (vLLM rejects, does not clamp) → 400.
    case contextLengthExceeded(promptTokenCount: Int, maxTokens: Int, maxModelLength: Int)
    /// The prompt is unusable: out-of-vocabulary ids, a chat-template error, empty after templating → 400.
    case invalidPrompt(message: String)
    /// A sampling feature this engine lacks (e.g. log-probabilities) → 400.
    case unsupported(parameter: String, message: String)
    /// The waiting queue is full → 503 with `retry-after`.
    case queueFull(retryAfterSeconds: Int)
    /// Admission predicts the first-token deadline cannot be met (S-LoRA early abort) → 503 with
    /// `retry-after`.
    case deadlineUnattainable(retryAfterSeconds: Int)
    /// The engine is shutting down → 503.
    case draining
    /// The engine is still loading → 503.
    case notReady
    /// The engine has failed and will not recover → 500 with `x-should-retry: false`.
    case failed(reason: String)

    public var description: String {
        switch self {
        case .unknownModel(let name): "unknown model '\(name)'"
        case .promptTooLong(let count, let max): "prompt of \(count) tokens exceeds the context of \(max)"
        case .contextLengthExceeded(let count, let maxTokens, let max):
            "prompt of \(count) tokens plus max_tokens \(maxTokens) exceeds the context of \(max)"
        case .invalidPrompt(let message): "invalid prompt: \(message)"
        case .unsupported(let parameter, let message): "unsupported \(parameter): \(message)"
        case .queueFull(let seconds): "queue full (retry after \(seconds) s)"
        case .deadlineUnattainable(let seconds): "first-token deadline unattainable (retry after \(seconds) s)"
        case .draining: "engine draining"
        case .notReady: "engine not ready"
        case .failed(let reason): "engine failed: \(reason)"
        }
    }
}
