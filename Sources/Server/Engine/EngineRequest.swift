// One validated generation request as handed to the engine: which model or adapter, the prompt (text,
// token ids or a conversation; the engine tokenizes), sampling settings, and identity/timing.

import OpenAIAPI

// MARK: - EngineRequest

/// A request for ``InferenceEngine/submit(_:)``.
public struct EngineRequest: Sendable, Equatable {
    /// The request id for logs and correlation: the client's `X-Request-Id`, or one the server made. A
    /// client may reuse its id, so it is not guaranteed unique; the engine keys its state by its own ids.
    public var id: String
    /// An adapter name or the base model's name; nil selects the base model.
    public var model: String?
    /// Text, token ids or chat messages; the engine tokenizes and applies the chat template.
    public var prompt: GenerationPrompt
    /// Range-checked sampling settings; nil fields mean "engine default".
    public var sampling: SamplingOptions
    /// When the server received the request (queue time and TTFT are measured from here).
    public var arrivalTime: ContinuousClock.Instant

    public init(
        id: String, model: String?, prompt: GenerationPrompt, sampling: SamplingOptions,
        arrivalTime: ContinuousClock.Instant
    ) {
        self.id = id
        self.model = model
        self.prompt = prompt
        self.sampling = sampling
        self.arrivalTime = arrivalTime
    }
}
