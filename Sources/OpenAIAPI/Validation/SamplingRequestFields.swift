// The sampling fields `/v1/completions` and `/v1/chat/completions` share, and their validation
// (formats-and-api.md §A.2–§A.3: vLLM `_verify_args` ranges, OpenAI's 0...2 temperature and 4 stop strings).
// Fields slora recognises but does not implement are accepted only at their neutral value.

// MARK: - SamplingRequestFields

/// The common sampling fields of both generation request DTOs.
public protocol SamplingRequestFields {
    var model: String? { get }
    var n: Int? { get }
    var temperature: Double? { get }
    var topP: Double? { get }
    var topK: Int? { get }
    var minP: Double? { get }
    var seed: Int64? { get }
    var stop: StopSequences? { get }
    var stopTokenIDs: [Int]? { get }
    var maxTokens: Int? { get }
    var maxCompletionTokens: Int? { get }
    var frequencyPenalty: Double? { get }
    var presencePenalty: Double? { get }
    var repetitionPenalty: Double? { get }
    var logitBias: [String: Double]? { get }
    var stream: Bool? { get }
    var streamOptions: StreamOptions? { get }
    var ignoreEOS: Bool? { get }
    var echo: Bool? { get }
    var useBeamSearch: Bool? { get }
}

extension SamplingRequestFields {
    /// The model name, or nil when omitted or empty (vLLM: the base model, formats-and-api.md §A.8).
    public var requestedModel: String? {
        guard let model, !model.isEmpty else { return nil }
        return model
    }

    /// Whether a final usage chunk is requested; validates `stream_options` (only with `stream: true`).
    func validatedIncludeUsage() throws(OpenAIRequestError) -> Bool {
        guard let streamOptions else { return false }
        guard stream == true else {
            throw .invalidValue(
                field: "stream_options", detail: "Stream options can only be defined when `stream=True`.")
        }
        return streamOptions.includeUsage ?? true
    }

    /// Range-checks the shared fields into ``SamplingOptions``.
    /// - Parameters:
    ///   - defaultMaxTokens: used when neither `max_tokens` nor `max_completion_tokens` is given.
    ///   - logprobs: the endpoint-specific, already validated log-probability count.
    func validatedSampling(defaultMaxTokens: Int?, logprobs: Int?) throws(OpenAIRequestError) -> SamplingOptions {
        try checkUnsupported()
        if let n {
            guard n >= 1 else { throw .outOfRange(field: "n", detail: "n must be at least 1, got \(n).") }
            guard n == 1 else { throw .unsupported(field: "n", detail: "Only n=1 is supported, got \(n).") }
        }
        if let temperature, !(0...2).contains(temperature) {
            throw .outOfRange(field: "temperature", detail: "temperature must be in [0, 2], got \(temperature).")
        }
        if let topP, !(topP > 0 && topP <= 1) {
            throw .outOfRange(field: "top_p", detail: "top_p must be in (0, 1], got \(topP).")
        }
        if let topK, topK < -1 {
            throw .outOfRange(field: "top_k", detail: "top_k must be -1 or 0 (disabled) or at least 1, got \(topK).")
        }
        var options = SamplingOptions(
            temperature: temperature, topP: topP, topK: (topK ?? 0) >= 1 ? topK : nil, seed: seed,
            maxTokens: try validatedMaxTokens(default: defaultMaxTokens), logprobs: logprobs,
            ignoreEOS: ignoreEOS ?? false)
        options.stop = try validatedStop()
        options.stopTokenIDs = try validatedStopTokenIDs()
        return options
    }

    // MARK: - Field checks

    private func validatedMaxTokens(default defaultValue: Int?) throws(OpenAIRequestError) -> Int? {
        // max_completion_tokens is the newer name; when both are sent it wins (formats-and-api.md §A.3 notes
        // this precedence is unverified in vLLM mainline).
        let (field, value) =
            maxCompletionTokens.map { ("max_completion_tokens", $0) } ?? ("max_tokens", maxTokens ?? defaultValue)
        guard let value else { return nil }
        guard value >= 1 else { throw .outOfRange(field: field, detail: "\(field) must be at least 1, got \(value).") }
        return value
    }

    private func validatedStop() throws(OpenAIRequestError) -> [String] {
        let values = stop?.values ?? []
        guard values.count <= SamplingOptions.maxStopSequences else {
            throw .outOfRange(
                field: "stop",
                detail: "stop supports up to \(SamplingOptions.maxStopSequences) sequences, got \(values.count).")
        }
        guard !values.contains("") else {
            throw .invalidValue(field: "stop", detail: "stop strings must not be empty.")
        }
        return values
    }

    private func validatedStopTokenIDs() throws(OpenAIRequestError) -> [Int32] {
        var ids: [Int32] = []
        for id in stopTokenIDs ?? [] {
            guard let id32 = Int32(exactly: id), id32 >= 0 else {
                throw .outOfRange(field: "stop_token_ids", detail: "stop_token_ids must be token ids ≥ 0, got \(id).")
            }
            ids.append(id32)
        }
        return ids
    }

    /// Recognised OpenAI/vLLM fields with no implementation: accepted only at their neutral value.
    private func checkUnsupported() throws(OpenAIRequestError) {
        for (field, value) in [("frequency_penalty", frequencyPenalty), ("presence_penalty", presencePenalty)] {
            guard let value else { continue }
            guard (-2...2).contains(value) else {
                throw .outOfRange(field: field, detail: "\(field) must be in [-2, 2], got \(value).")
            }
            guard value == 0 else { throw .unsupported(field: field, detail: "\(field) is not supported.") }
        }
        if let repetitionPenalty {
            guard repetitionPenalty > 0 else {
                throw .outOfRange(field: "repetition_penalty", detail: "repetition_penalty must be > 0.")
            }
            guard repetitionPenalty == 1 else {
                throw .unsupported(field: "repetition_penalty", detail: "repetition_penalty is not supported.")
            }
        }
        if let minP {
            guard (0...1).contains(minP) else { throw .outOfRange(field: "min_p", detail: "min_p must be in [0, 1].") }
            guard minP == 0 else { throw .unsupported(field: "min_p", detail: "min_p is not supported.") }
        }
        if let logitBias, !logitBias.isEmpty {
            throw .unsupported(field: "logit_bias", detail: "logit_bias is not supported.")
        }
        if echo == true { throw .unsupported(field: "echo", detail: "echo is not supported.") }
        if useBeamSearch == true {
            throw .unsupported(field: "use_beam_search", detail: "Beam search is not supported.")
        }
    }
}
