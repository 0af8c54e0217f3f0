// The non-streaming `/v1/chat/completions` response (formats-and-api.md §A.4): one choice whose `message`
// is `{"role": "assistant", "content": "..."}`; `logprobs`, `finish_reason`, `stop_reason` and
// `system_fingerprint` are always present, null when unset.

// MARK: - ChatCompletionResponse

/// `{"id": "chatcmpl-…", "object": "chat.completion", "created", "model", "choices": [...], "usage"}`.
public struct ChatCompletionResponse: Sendable, Equatable, Encodable {
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

    /// One generated assistant message.
    public struct Choice: Sendable, Equatable, Encodable {
        public var index: Int
        /// The assistant's text.
        public var content: String
        public var logprobs: ChatLogprobs?
        public var finishReason: FinishReason?
        public var stopReason: StopReason?

        public init(
            index: Int = 0, content: String, logprobs: ChatLogprobs? = nil, finishReason: FinishReason?,
            stopReason: StopReason? = nil
        ) {
            self.index = index
            self.content = content
            self.logprobs = logprobs
            self.finishReason = finishReason
            self.stopReason = stopReason
        }

        enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
            case stopReason = "stop_reason"
        }

        enum MessageKeys: String, CodingKey {
            case role, content
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            var message = container.nestedContainer(keyedBy: MessageKeys.self, forKey: .message)
            try message.encode("assistant", forKey: .role)
            try message.encode(content, forKey: .content)
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
        try container.encode("chat.completion", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        try container.encode(usage, forKey: .usage)
        try container.encodeNil(forKey: .systemFingerprint)
    }
}
