// The endpoint-specific half of a generation response: how `/v1/completions` and `/v1/chat/completions`
// shape a finished result and each stream event. GenerationResponder drives either one.

import Foundation
import OpenAIAPI

// MARK: - GenerationFormatter

/// Renders one endpoint's response body and SSE events (formats-and-api.md §A.4–§A.5).
protocol GenerationFormatter: Sendable {
    /// The non-streaming JSON body.
    func body(for output: CollectedGeneration) throws -> Data
    /// Events sent before the first token (chat: the role chunk).
    func openingEvents() throws -> [Data]
    /// The event for one token, or nil to send nothing (an empty delta without log-probabilities).
    /// `textOffset` is the token's character offset in the whole completion.
    func tokenEvent(_ token: GeneratedToken, textOffset: Int) throws -> Data?
    /// The chunk carrying `finish_reason`.
    func finishEvent(reason: FinishReason, stopReason: StopReason?) throws -> Data
    /// The `"choices": []` usage chunk.
    func usageEvent(_ usage: Usage) throws -> Data
}

// MARK: - CollectedGeneration

/// A finished non-streaming generation.
struct CollectedGeneration: Sendable, Equatable {
    var text: String
    /// One entry per generated token when log-probabilities were requested, else nil.
    var logprobs: [TokenLogprob]?
    var finishReason: FinishReason
    var stopReason: StopReason?
    var usage: Usage
}
