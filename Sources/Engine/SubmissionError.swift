// Why the engine refused a request at submission, before any output: each case maps onto one HTTP
// status at the edge (404 unknown model, 400 bad prompt or context, 503 queue full / deadline /
// draining, 500 failed).

/// A refusal from ``EngineLoop/submit(_:)``.
public enum SubmissionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither the base model nor a served adapter has this name.
    case unknownModel(String)
    /// The prompt alone leaves no room to generate in the context.
    case promptTooLong(promptTokenCount: Int, maxModelLength: Int)
    /// Prompt plus max tokens exceeds the context (or what the pool can hold for one request).
    case contextLengthExceeded(promptTokenCount: Int, maxTokens: Int, maxModelLength: Int)
    /// Empty prompt, token id outside the vocabulary, chat-template error, text without a tokenizer.
    case invalidPrompt(message: String)
    /// The waiting queue is full.
    case queueFull(retryAfterSeconds: Int)
    /// With a first-token SLO: the queue ahead is too long to meet it.
    case deadlineUnattainable(retryAfterSeconds: Int)
    /// Shutting down.
    case draining
    /// The engine thread died and will not recover.
    case failed(reason: String)

    public var description: String {
        switch self {
        case .unknownModel(let name): "unknown model '\(name)'"
        case .promptTooLong(let count, let max): "prompt of \(count) tokens leaves no room in the context of \(max)"
        case .contextLengthExceeded(let count, let maxTokens, let max):
            "prompt of \(count) tokens plus max_tokens \(maxTokens) exceeds the context of \(max)"
        case .invalidPrompt(let message): "invalid prompt: \(message)"
        case .queueFull(let seconds): "queue full (retry after \(seconds) s)"
        case .deadlineUnattainable(let seconds): "first-token deadline unattainable (retry after \(seconds) s)"
        case .draining: "engine draining"
        case .failed(let reason): "engine failed: \(reason)"
        }
    }
}
