// Why generation of a choice ended, as sent in `finish_reason`, and the vLLM `stop_reason` detail
// (formats-and-api.md §A.4). `abort` is vLLM's reason for requests cut off by shutdown; slora sends it
// unchanged, as vLLM does, rather than disguising it as `length` (§F.2 asks to document the choice).

// MARK: - FinishReason

/// `finish_reason` values slora emits.
public enum FinishReason: String, Sendable, Equatable, Codable {
    /// End-of-sequence token, a stop string or a stop token id.
    case stop
    /// `max_tokens` or the model's context length was reached.
    case length
    /// The server aborted the request (shutdown without grace period, deadline while running).
    case abort
}

// MARK: - StopReason

/// vLLM's `stop_reason`: the stop string or stop token id that ended generation (null on EOS or length).
public enum StopReason: Sendable, Equatable, Encodable {
    case string(String)
    case tokenID(Int32)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .tokenID(let id): try container.encode(id)
        }
    }
}
