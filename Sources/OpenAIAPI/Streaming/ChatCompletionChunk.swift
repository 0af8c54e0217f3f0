// One server-sent event of a streaming `/v1/chat/completions` response (formats-and-api.md §A.5): the
// first chunk's delta is `{"role": "assistant", "content": ""}`, content chunks carry `{"content": …}`,
// the final chunk has an empty delta plus `finish_reason` and `stop_reason`; the usage chunk has
// `"choices": []`. Absent delta fields are omitted (vLLM serialises with `exclude_unset`).

// MARK: - ChatCompletionChunk

/// `{"id", "object": "chat.completion.chunk", "created", "model", "choices": [...], "usage"?}`.
public struct ChatCompletionChunk: Sendable, Equatable, Encodable {
    public var id: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    /// Present only in the usage chunk.
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage? = nil) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    /// One choice's increment.
    public struct Choice: Sendable, Equatable, Encodable {
        public var index: Int
        /// Only in the first chunk.
        public var role: String?
        /// The new text; nil in the final chunk.
        public var content: String?
        public var logprobs: ChatLogprobs?
        public var finishReason: FinishReason?
        public var stopReason: StopReason?

        public init(
            index: Int = 0, role: String? = nil, content: String? = nil, logprobs: ChatLogprobs? = nil,
            finishReason: FinishReason? = nil, stopReason: StopReason? = nil
        ) {
            self.index = index
            self.role = role
            self.content = content
            self.logprobs = logprobs
            self.finishReason = finishReason
            self.stopReason = stopReason
        }

        enum CodingKeys: String, CodingKey {
            case index, delta, logprobs
            case finishReason = "finish_reason"
            case stopReason = "stop_reason"
        }

        enum DeltaKeys: String, CodingKey {
            case role, content
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            var delta = container.nestedContainer(keyedBy: DeltaKeys.self, forKey: .delta)
            try delta.encodeIfPresent(role, forKey: .role)
            try delta.encodeIfPresent(content, forKey: .content)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
            if finishReason != nil { try container.encode(stopReason, forKey: .stopReason) }
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("chat.completion.chunk", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        try container.encodeIfPresent(usage, forKey: .usage)
    }
}
