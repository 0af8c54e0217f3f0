// What a generation request asks the engine to continue, before tokenization: text, token ids, or a
// conversation for the model's chat template.

import ChatTemplates

/// A prompt as the engine receives it; ``PromptRenderer`` turns it into token ids.
public enum PromptInput: Sendable, Equatable {
    /// Text to tokenize; `addSpecialTokens` adds what the tokenizer adds around a sequence (BOS).
    case text(String, addSpecialTokens: Bool)
    /// [promptLength] token ids, used as given (checked against the vocabulary).
    case tokenIDs([Int32])
    /// A conversation rendered with the model's chat template, then tokenized.
    case chat(ChatConversation)
}

/// A conversation plus the chat-template switches of `/v1/chat/completions`.
public struct ChatConversation: Sendable, Equatable {
    public var messages: [ChatMessage]
    /// Append the assistant header so the model answers.
    public var addGenerationPrompt: Bool
    /// Leave the last message open so the model continues it (transformers' `continue_final_message`).
    public var continueFinalMessage: Bool
    /// Tokenize the rendered text with special tokens (templates usually add BOS themselves).
    public var addSpecialTokens: Bool

    public init(
        messages: [ChatMessage], addGenerationPrompt: Bool = true, continueFinalMessage: Bool = false,
        addSpecialTokens: Bool = false
    ) {
        self.messages = messages
        self.addGenerationPrompt = addGenerationPrompt
        self.continueFinalMessage = continueFinalMessage
        self.addSpecialTokens = addSpecialTokens
    }
}
