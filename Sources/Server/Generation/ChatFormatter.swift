// `/v1/chat/completions` bodies and events: `object: "chat.completion"` / `"chat.completion.chunk"`, a
// role chunk first, content deltas, a final chunk with an empty delta and `finish_reason`
// (formats-and-api.md §A.4–§A.5).

import Foundation
import OpenAIAPI

// MARK: - ChatFormatter

/// Formats one chat request's output.
struct ChatFormatter: GenerationFormatter {
    /// `chatcmpl-<request id>`.
    let id: String
    /// Unix seconds.
    let created: Int
    /// The model name echoed back (adapter name or served base name).
    let model: String
    /// Whether log-probabilities were requested.
    let wantsLogprobs: Bool
    private let events = ServerSentEvents()

    init(id: String, created: Int, model: String, wantsLogprobs: Bool) {
        self.id = id
        self.created = created
        self.model = model
        self.wantsLogprobs = wantsLogprobs
    }

    func body(for output: CollectedGeneration) throws -> Data {
        let choice = ChatCompletionResponse.Choice(
            content: output.text, logprobs: output.logprobs.map { ChatLogprobs(content: $0) },
            finishReason: output.finishReason, stopReason: output.stopReason)
        let response = ChatCompletionResponse(
            id: id, created: created, model: model, choices: [choice], usage: output.usage)
        return try ServerSentEvents.jsonEncoder().encode(response)
    }

    func openingEvents() throws -> [Data] {
        [try chunk(.init(role: "assistant", content: ""))]
    }

    func tokenEvent(_ token: GeneratedToken, textOffset: Int) throws -> Data? {
        let logprobs = wantsLogprobs ? token.logprob.map { ChatLogprobs(content: [$0]) } : nil
        guard !token.text.isEmpty || logprobs != nil else { return nil }
        return try chunk(.init(content: token.text, logprobs: logprobs))
    }

    func finishEvent(reason: FinishReason, stopReason: StopReason?) throws -> Data {
        try chunk(.init(finishReason: reason, stopReason: stopReason))
    }

    func usageEvent(_ usage: Usage) throws -> Data {
        try events.event(ChatCompletionChunk(id: id, created: created, model: model, choices: [], usage: usage))
    }

    private func chunk(_ choice: ChatCompletionChunk.Choice) throws -> Data {
        try events.event(ChatCompletionChunk(id: id, created: created, model: model, choices: [choice]))
    }
}
