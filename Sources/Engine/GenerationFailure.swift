// Failures of an admitted request, thrown from its event stream.

/// An error ending a request's stream.
public enum GenerationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// S-LoRA early abort: dropped from the queue because its first-token deadline could not be met.
    case deadlineExceeded(retryAfterSeconds: Int)
    /// The engine could not run the request.
    case engineFailed(reason: String)

    public var description: String {
        switch self {
        case .deadlineExceeded(let seconds): "first-token deadline exceeded (retry after \(seconds) s)"
        case .engineFailed(let reason): "engine failed: \(reason)"
        }
    }
}
