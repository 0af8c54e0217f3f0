// The result of validating either generation request: everything the server needs to submit it to the
// engine and to shape the response.

// MARK: - ValidatedGenerationRequest

/// A request that passed validation.
public struct ValidatedGenerationRequest: Sendable, Equatable {
    /// Base model or adapter name; nil selects the base model (formats-and-api.md §A.8).
    public var model: String?
    public var prompt: GenerationPrompt
    public var sampling: SamplingOptions
    /// Answer with server-sent events.
    public var stream: Bool
    /// Send the `"choices": []` usage chunk before `[DONE]` (streaming only).
    public var includeUsage: Bool

    public init(
        model: String?, prompt: GenerationPrompt, sampling: SamplingOptions, stream: Bool, includeUsage: Bool
    ) {
        self.model = model
        self.prompt = prompt
        self.sampling = sampling
        self.stream = stream
        self.includeUsage = includeUsage
    }
}
