// One server-sent event of a streaming `/v1/completions` response (formats-and-api.md §A.5, "Completions
// stream"): choices carry `{index, text, logprobs, finish_reason, stop_reason}`, nulls included; the
// optional usage chunk has `"choices": []`.

// MARK: - CompletionChunk

/// `{"id", "object": "text_completion", "created", "model", "choices": [...], "usage"?}`.
public struct CompletionChunk: Sendable, Equatable, Encodable {
    public var id: String
    public var created: Int
    public var model: String
    /// One entry per choice in a content chunk; empty in the usage chunk.
    public var choices: [CompletionResponse.Choice]
    /// Present only in the usage chunk.
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [CompletionResponse.Choice], usage: Usage? = nil) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("text_completion", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        try container.encodeIfPresent(usage, forKey: .usage)
    }
}
