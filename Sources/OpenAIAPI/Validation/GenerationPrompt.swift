// What the engine is asked to continue, after validation: raw text (the engine tokenizes), token ids, or a
// conversation (the engine renders its chat template, then tokenizes). The server never tokenizes.

// MARK: - GenerationPrompt

/// A validated prompt.
public enum GenerationPrompt: Sendable, Equatable {
    /// Text to tokenize. `addSpecialTokens` is vLLM's `add_special_tokens` (completions default true: BOS is
    /// added; chat default false: the template adds it).
    case text(String, addSpecialTokens: Bool)
    /// [promptLength] token ids, each ≥ 0 (the engine checks them against its vocabulary).
    case tokenIDs([Int32])
    /// A conversation to render with the model's chat template.
    case chat(ChatPrompt)
}

// MARK: - ChatPrompt

/// A conversation plus the template switches of `/v1/chat/completions` (formats-and-api.md §A.3).
public struct ChatPrompt: Sendable, Equatable {
    /// At least one message.
    public var messages: [ChatTurn]
    /// Append the assistant header so the model answers (default true).
    public var addGenerationPrompt: Bool
    /// Leave the last (assistant) message open so the model continues it (default false; exclusive with
    /// `addGenerationPrompt`).
    public var continueFinalMessage: Bool
    /// Tokenize the rendered text with special tokens (default false: templates add BOS themselves).
    public var addSpecialTokens: Bool

    public init(
        messages: [ChatTurn], addGenerationPrompt: Bool = true, continueFinalMessage: Bool = false,
        addSpecialTokens: Bool = false
    ) {
        self.messages = messages
        self.addGenerationPrompt = addGenerationPrompt
        self.continueFinalMessage = continueFinalMessage
        self.addSpecialTokens = addSpecialTokens
    }
}
