// Turns a PromptInput into token ids: tokenizes text, renders conversations with the chat template
// first, and checks token ids against the vocabulary. Runs on the submitting task, not the engine
// thread; every failure is a SubmissionError.invalidPrompt with the reason.

import ChatTemplates
import Foundation
import Tokenization

/// Prompt → token ids for one model.
public struct PromptRenderer: Sendable {
    /// nil for models served without a tokenizer (token-id prompts only).
    public let tokenizer: (any TextTokenizer)?
    public let chatTemplate: ChatTemplate?
    /// The model's vocabulary size (ids must be below it).
    public let vocabularySize: Int

    public init(tokenizer: (any TextTokenizer)?, chatTemplate: ChatTemplate?, vocabularySize: Int) {
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.vocabularySize = vocabularySize
    }

    /// The token ids of `prompt`, at least one, each in the vocabulary.
    public func tokens(for prompt: PromptInput) throws(SubmissionError) -> [Int32] {
        let ids: [Int32]
        switch prompt {
        case .tokenIDs(let given):
            ids = given
        case .text(let text, let addSpecialTokens):
            ids = try encode(text, addSpecialTokens: addSpecialTokens)
        case .chat(let conversation):
            ids = try encode(try render(conversation), addSpecialTokens: conversation.addSpecialTokens)
        }
        guard !ids.isEmpty else { throw .invalidPrompt(message: "The prompt is empty.") }
        if let bad = ids.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw .invalidPrompt(message: "Token id \(bad) is out of vocabulary (0..<\(vocabularySize)).")
        }
        return ids
    }

    /// The conversation as the chat template renders it.
    public func render(_ conversation: ChatConversation) throws(SubmissionError) -> String {
        guard let template = chatTemplate else {
            throw .invalidPrompt(message: "The model has no chat template; use /v1/completions.")
        }
        let bos = tokenizer.flatMap { t in t.bosTokenID.flatMap { t.token(for: $0) } } ?? ""
        let eos = tokenizer.flatMap { t in t.eosTokenIDs.first.flatMap { t.token(for: $0) } } ?? ""
        var text: String
        do {
            text = try template.render(
                messages: conversation.messages,
                addGenerationPrompt: conversation.addGenerationPrompt && !conversation.continueFinalMessage,
                bosToken: bos, eosToken: eos)
        } catch {
            throw .invalidPrompt(message: "The chat template failed: \(error)")
        }
        if conversation.continueFinalMessage {
            // transformers: cut the rendering right after the final message's content.
            let final = (conversation.messages.last?.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if !final.isEmpty, let range = text.range(of: final, options: .backwards) {
                text = String(text[..<range.upperBound])
            }
        }
        return text
    }

    private func encode(_ text: String, addSpecialTokens: Bool) throws(SubmissionError) -> [Int32] {
        guard let tokenizer else {
            throw .invalidPrompt(message: "The model is served without a tokenizer; send token ids.")
        }
        return tokenizer.encode(text, addSpecialTokens: addSpecialTokens).map { Int32(truncatingIfNeeded: $0) }
    }
}
