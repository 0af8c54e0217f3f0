// The non-streaming `/v1/completions` response (formats-and-api.md §A.4, vLLM protocol.py): `logprobs`,
// `finish_reason`, `stop_reason` and `system_fingerprint` are always present, null when unset.

// MARK: - CompletionResponse

/// `{"id": "cmpl-…", "object": "text_completion", "created", "model", "choices": [...], "usage"}`.
public struct CompletionResponse: Sendable, Equatable, Encodable {
    public var id: String
    /// Unix seconds.
    public var created: Int
    /// The adapter name when a LoRA served the request, else the base model's served name.
    public var model: String
    public var choices: [Choice]
    public var usage: Usage

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    /// One generated text.
    public struct Choice: Sendable, Equatable, Encodable {
        public var index: Int
        public var text: String
        public var logprobs: CompletionLogprobs?
        public var finishReason: FinishReason?
        public var stopReason: StopReason?

        public init(
            index: Int = 0, text: String, logprobs: CompletionLogprobs? = nil, finishReason: FinishReason?,
            stopReason: StopReason? = nil
        ) {
            self.index = index
            self.text = text
            self.logprobs = logprobs
            self.finishReason = finishReason
            self.stopReason = stopReason
        }

        enum CodingKeys: String, CodingKey {
            case index, text, logprobs
            case finishReason = "finish_reason"
            case stopReason = "stop_reason"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(text, forKey: .text)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
            try container.encode(stopReason, forKey: .stopReason)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("text_completion", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        try container.encode(usage, forKey: .usage)
        try container.encodeNil(forKey: .systemFingerprint)
    }
}
