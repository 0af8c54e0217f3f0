// Failures an engine reports after admission, by throwing from the token stream. Non-streaming requests
// get the mapped HTTP status; streaming ones (status 200 already sent) get an SSE error event, then
// `data: [DONE]` (formats-and-api.md §A.5 item 7).

// MARK: - EngineStreamError

/// An error thrown from the stream of ``InferenceEngine/submit(_:)``.
public enum EngineStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Aborted while waiting because the first-token deadline passed (S-LoRA early abort,
    /// slora-and-peers.md §1.3) → 503 with `retry-after` (S-LoRA's own 499 is not an HTTP status clients
    /// know; 503 is what §A.6 uses for load shedding).
    case deadlineExceeded(retryAfterSeconds: Int)
    /// The engine failed while running the request → 500.
    case engineFailed(reason: String)

    public var description: String {
        switch self {
        case .deadlineExceeded(let seconds): "first-token deadline exceeded (retry after \(seconds) s)"
        case .engineFailed(let reason): "engine failed: \(reason)"
        }
    }
}
