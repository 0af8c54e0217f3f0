// `/v1/completions` bodies and events: `object: "text_completion"`, choices with `text`, legacy
// `logprobs` lists, `finish_reason` and `stop_reason` (formats-and-api.md §A.4–§A.5).

import Foundation
import OpenAIAPI

// MARK: - CompletionFormatter

/// Formats one completion request's output.
struct CompletionFormatter: GenerationFormatter {
    /// `cmpl-<request id>`.
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
        let choice = CompletionResponse.Choice(
            text: output.text, logprobs: output.logprobs.map { CompletionLogprobs(entries: $0) },
            finishReason: output.finishReason, stopReason: output.stopReason)
        let response = CompletionResponse(
            id: id, created: created, model: model, choices: [choice], usage: output.usage)
        return try ServerSentEvents.jsonEncoder().encode(response)
    }

    func openingEvents() throws -> [Data] {
        []
    }

    func tokenEvent(_ token: GeneratedToken, textOffset: Int) throws -> Data? {
        let logprobs =
            wantsLogprobs ? token.logprob.map { CompletionLogprobs(entries: [$0], startOffset: textOffset) } : nil
        guard !token.text.isEmpty || logprobs != nil else { return nil }
        return try chunk([.init(text: token.text, logprobs: logprobs, finishReason: nil)])
    }

    func finishEvent(reason: FinishReason, stopReason: StopReason?) throws -> Data {
        try chunk([.init(text: "", finishReason: reason, stopReason: stopReason)])
    }

    func usageEvent(_ usage: Usage) throws -> Data {
        try events.event(CompletionChunk(id: id, created: created, model: model, choices: [], usage: usage))
    }

    private func chunk(_ choices: [CompletionResponse.Choice]) throws -> Data {
        try events.event(CompletionChunk(id: id, created: created, model: model, choices: choices))
    }
}
