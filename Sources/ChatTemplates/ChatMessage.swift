// One message of a conversation as a chat template sees it: an OpenAI-style `{role, content, ...}`
// dictionary. Fields that are nil are left out of the dictionary, as transformers drops keys whose value
// is None before rendering, so templates see them as undefined.

// MARK: - ChatMessage

/// A chat message passed to ``ChatTemplate/render(messages:addGenerationPrompt:bosToken:eosToken:extra:)``.
///
/// ```swift
/// let messages = [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi")]
/// ```
public struct ChatMessage: Sendable, Equatable {
    /// `system`, `user`, `assistant`, `tool`, ...
    public var role: String
    /// The message text; nil for an assistant turn that only calls tools.
    public var content: String?
    /// The optional participant name.
    public var name: String?
    /// OpenAI `tool_calls` of an assistant turn: `[{"id": ..., "type": "function", "function": {...}}]`.
    public var toolCalls: [TemplateValue]?
    /// OpenAI `tool_call_id` of a `tool` turn.
    public var toolCallID: String?
    /// Further keys (e.g. `reasoning_content`), appended after the fields above in this order.
    public var extra: TemplateDictionary

    /// A message; only the fields given appear in the template's dictionary.
    public init(
        role: String, content: String?, name: String? = nil, toolCalls: [TemplateValue]? = nil,
        toolCallID: String? = nil, extra: TemplateDictionary = [:]
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.extra = extra
    }

    /// The dictionary a template iterates over: keys `role`, `content`, `name`, `tool_calls`,
    /// `tool_call_id` (those that are non-nil, in that order), then `extra`'s keys.
    public var templateValue: TemplateValue {
        var dict: TemplateDictionary = ["role": .string(role)]
        if let content { dict["content"] = .string(content) }
        if let name { dict["name"] = .string(name) }
        if let toolCalls { dict["tool_calls"] = .list(toolCalls) }
        if let toolCallID { dict["tool_call_id"] = .string(toolCallID) }
        for (key, value) in extra.pairs where value != .none { dict[key] = value }
        return .dict(dict)
    }
}
