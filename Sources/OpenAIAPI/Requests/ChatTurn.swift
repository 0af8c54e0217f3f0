// A validated chat message, ready for the engine's chat template: the role is one of the four supported
// roles and text content parts are joined with "\n" (as vLLM joins them for string-content templates).

// MARK: - ChatRole

/// The roles slora accepts in `messages`.
public enum ChatRole: String, Sendable, Equatable, CaseIterable {
    case system, user, assistant, tool
}

// MARK: - ChatTurn

/// One validated message of a conversation.
public struct ChatTurn: Sendable, Equatable {
    public var role: ChatRole
    /// The message text; nil only for an assistant turn sent with null content.
    public var content: String?
    /// The optional participant name.
    public var name: String?
    /// `tool_call_id` of a `tool` turn.
    public var toolCallID: String?

    public init(role: ChatRole, content: String?, name: String? = nil, toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCallID = toolCallID
    }
}
