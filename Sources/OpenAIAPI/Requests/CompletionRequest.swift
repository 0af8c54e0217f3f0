// The body of `POST /v1/completions` (vLLM `CompletionRequest`, formats-and-api.md §A.2): the OpenAI fields
// plus the vLLM sampling extensions slora understands. Unknown keys are ignored, not rejected.

// MARK: - CompletionRequest

/// A decoded `/v1/completions` body; call ``validated()`` before use.
public struct CompletionRequest: Sendable, Equatable, Decodable, SamplingRequestFields {
    public var model: String?
    public var prompt: CompletionPrompt?
    public var bestOf: Int?
    public var echo: Bool?
    public var frequencyPenalty: Double?
    public var logitBias: [String: Double]?
    /// Number of alternatives per token (an integer for completions).
    public var logprobs: Int?
    /// Legacy default 16.
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var n: Int?
    public var presencePenalty: Double?
    public var seed: Int64?
    public var stop: StopSequences?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var suffix: String?
    public var temperature: Double?
    public var topP: Double?
    public var user: String?
    // vLLM extensions
    public var topK: Int?
    public var minP: Double?
    public var repetitionPenalty: Double?
    public var stopTokenIDs: [Int]?
    public var ignoreEOS: Bool?
    public var addSpecialTokens: Bool?
    public var promptLogprobs: Int?
    public var useBeamSearch: Bool?

    /// `max_tokens` when the client sends neither limit (OpenAI's legacy completions default).
    public static let defaultMaxTokens = 16

    public init(prompt: CompletionPrompt?, model: String? = nil) {
        self.prompt = prompt
        self.model = model
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, prompt, echo, n, seed, stop, stream, suffix, temperature, user, logprobs
        case bestOf = "best_of"
        case frequencyPenalty = "frequency_penalty"
        case logitBias = "logit_bias"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case presencePenalty = "presence_penalty"
        case streamOptions = "stream_options"
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case repetitionPenalty = "repetition_penalty"
        case stopTokenIDs = "stop_token_ids"
        case ignoreEOS = "ignore_eos"
        case addSpecialTokens = "add_special_tokens"
        case promptLogprobs = "prompt_logprobs"
        case useBeamSearch = "use_beam_search"
    }

    /// The JSON keys this type reads; any other key is ignored (and may be logged).
    public static let knownFields = Set(CodingKeys.allCases.map(\.rawValue))

    /// Keys holding integers or integer lists (for ``OpenAIRequestDecoder/decode(_:from:integerFields:)``).
    public static let integerFields: Set<String> = [
        "best_of", "logprobs", "max_tokens", "max_completion_tokens", "n", "seed", "top_k", "stop_token_ids",
        "prompt_logprobs",
    ]

    // MARK: - Validation

    /// Checks every field (formats-and-api.md §A.2–§A.3) and returns what the engine needs.
    public func validated() throws(OpenAIRequestError) -> ValidatedGenerationRequest {
        if let bestOf, bestOf != 1 {
            guard bestOf >= 1 else { throw .outOfRange(field: "best_of", detail: "best_of must be at least 1.") }
            throw .unsupported(field: "best_of", detail: "Only best_of=1 is supported, got \(bestOf).")
        }
        if let suffix, !suffix.isEmpty {
            throw .unsupported(field: "suffix", detail: "suffix is not currently supported.")
        }
        if let promptLogprobs, promptLogprobs != 0 {
            throw .unsupported(field: "prompt_logprobs", detail: "prompt_logprobs is not supported.")
        }
        if let logprobs, !(0...SamplingOptions.maxLogprobs).contains(logprobs) {
            throw .outOfRange(
                field: "logprobs",
                detail: "logprobs must be in [0, \(SamplingOptions.maxLogprobs)], got \(logprobs).")
        }
        let prompt = try validatedPrompt()
        let sampling = try validatedSampling(defaultMaxTokens: Self.defaultMaxTokens, logprobs: logprobs)
        return ValidatedGenerationRequest(
            model: requestedModel, prompt: prompt, sampling: sampling, stream: stream ?? false,
            includeUsage: try validatedIncludeUsage())
    }

    private func validatedPrompt() throws(OpenAIRequestError) -> GenerationPrompt {
        let addSpecial = addSpecialTokens ?? true
        switch prompt {
        case nil:
            throw .missingField("prompt")
        case .text(let text):
            return try Self.nonEmpty(text, addSpecial: addSpecial)
        case .texts(let texts):
            guard texts.count == 1 else { throw Self.batchError(texts.count) }
            return try Self.nonEmpty(texts[0], addSpecial: addSpecial)
        case .tokenIDs(let ids):
            return .tokenIDs(try Self.tokenIDs(ids))
        case .tokenIDLists(let lists):
            guard lists.count == 1 else { throw Self.batchError(lists.count) }
            return .tokenIDs(try Self.tokenIDs(lists[0]))
        }
    }

    private static func nonEmpty(_ text: String, addSpecial: Bool) throws(OpenAIRequestError) -> GenerationPrompt {
        guard !text.isEmpty else { throw .invalidValue(field: "prompt", detail: "prompt must not be empty.") }
        return .text(text, addSpecialTokens: addSpecial)
    }

    private static func tokenIDs(_ ids: [Int]) throws(OpenAIRequestError) -> [Int32] {
        guard !ids.isEmpty else { throw .invalidValue(field: "prompt", detail: "prompt must not be empty.") }
        var result: [Int32] = []
        result.reserveCapacity(ids.count)
        for id in ids {
            guard let id32 = Int32(exactly: id), id32 >= 0 else {
                throw .outOfRange(
                    field: "prompt", detail: "Token ids must be greater than or equal to 0 and below 2^31, got \(id).")
            }
            result.append(id32)
        }
        return result
    }

    private static func batchError(_ count: Int) -> OpenAIRequestError {
        count == 0
            ? .invalidValue(field: "prompt", detail: "prompt must not be empty.")
            : .unsupported(field: "prompt", detail: "Only one prompt per request is supported, got \(count).")
    }
}
