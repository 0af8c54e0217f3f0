// One generation request as the serving engine receives it: which model, the prompt, the parameters,
// and when it arrived.

/// A request for ``EngineLoop/submit(_:)``.
public struct GenerationInput: Sendable, Equatable {
    /// The base model's served name or an adapter's name; nil or empty selects the base model.
    public var model: String?
    public var prompt: PromptInput
    public var parameters: GenerationParameters
    /// When the request arrived (the first-token deadline counts from here).
    public var arrival: ContinuousClock.Instant

    public init(
        model: String?, prompt: PromptInput, parameters: GenerationParameters = GenerationParameters(),
        arrival: ContinuousClock.Instant = .now
    ) {
        self.model = model
        self.prompt = prompt
        self.parameters = parameters
        self.arrival = arrival
    }
}
