// One entry of `messages` in a `/v1/chat/completions` request as sent on the wire (formats-and-api.md §A.3):
// `content` is a string, a list of content parts, or null. Only `text` parts are supported; validation turns
// the message into a ``ChatTurn``.

// MARK: - ChatMessageInput

/// A chat message as decoded from JSON, before validation.
public struct ChatMessageInput: Sendable, Equatable, Decodable {
    /// The role string as sent; validated against ``ChatRole``.
    public var role: String
    /// The content; nil when absent or null.
    public var content: Content?
    /// The optional participant name.
    public var name: String?
    /// `tool_call_id` of a `tool` message.
    public var toolCallID: String?
    /// `tool_calls` of an assistant message; only its presence is checked (tool calls are not supported).
    public var toolCalls: [AnyJSON]?

    public init(role: String, content: Content?, name: String? = nil, toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCallID = toolCallID
        self.toolCalls = nil
    }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCallID = "tool_call_id"
        case toolCalls = "tool_calls"
    }

    // MARK: - Content

    /// `"content": "text"` or `"content": [{"type": "text", "text": "..."}, ...]`.
    public enum Content: Sendable, Equatable, Decodable {
        case text(String)
        case parts([ContentPart])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .parts(try container.decode([ContentPart].self))
            }
        }
    }

    /// One content part: `{"type": "text", "text": "..."}`; other types (`image_url`, ...) decode so that
    /// validation can name them in its error.
    public struct ContentPart: Sendable, Equatable, Decodable {
        public var type: String
        public var text: String?

        public init(type: String, text: String?) {
            self.type = type
            self.text = text
        }
    }
}
