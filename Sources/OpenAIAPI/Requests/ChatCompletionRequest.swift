// The body of `POST /v1/chat/completions` (vLLM `ChatCompletionRequest`, formats-and-api.md §A.3): OpenAI
// fields plus the vLLM extensions slora understands. Tools and non-text content are rejected with 400.

// MARK: - ChatCompletionRequest

/// A decoded `/v1/chat/completions` body; call ``validated()`` before use.
public struct ChatCompletionRequest: Sendable, Equatable, Decodable, SamplingRequestFields {
    public var messages: [ChatMessageInput]?
    public var model: String?
    public var frequencyPenalty: Double?
    public var logitBias: [String: Double]?
    /// Chat's `logprobs` is a boolean; the count is `top_logprobs`.
    public var logprobs: Bool?
    public var topLogprobs: Int?
    /// Deprecated by OpenAI in favour of `max_completion_tokens`.
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var n: Int?
    public var presencePenalty: Double?
    public var responseFormat: ResponseFormat?
    public var seed: Int64?
    public var stop: StopSequences?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var temperature: Double?
    public var topP: Double?
    public var tools: [AnyJSON]?
    public var toolChoice: ToolChoice?
    public var user: String?
    // vLLM extensions
    public var echo: Bool?
    public var topK: Int?
    public var minP: Double?
    public var repetitionPenalty: Double?
    public var stopTokenIDs: [Int]?
    public var ignoreEOS: Bool?
    public var addGenerationPrompt: Bool?
    public var continueFinalMessage: Bool?
    public var addSpecialTokens: Bool?
    public var useBeamSearch: Bool?

    public init(messages: [ChatMessageInput]?, model: String? = nil) {
        self.messages = messages
        self.model = model
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case messages, model, logprobs, n, seed, stop, stream, temperature, tools, user, echo
        case frequencyPenalty = "frequency_penalty"
        case logitBias = "logit_bias"
        case topLogprobs = "top_logprobs"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case presencePenalty = "presence_penalty"
        case responseFormat = "response_format"
        case streamOptions = "stream_options"
        case topP = "top_p"
        case toolChoice = "tool_choice"
        case topK = "top_k"
        case minP = "min_p"
        case repetitionPenalty = "repetition_penalty"
        case stopTokenIDs = "stop_token_ids"
        case ignoreEOS = "ignore_eos"
        case addGenerationPrompt = "add_generation_prompt"
        case continueFinalMessage = "continue_final_message"
        case addSpecialTokens = "add_special_tokens"
        case useBeamSearch = "use_beam_search"
    }

    /// The JSON keys this type reads; any other key is ignored (and may be logged).
    public static let knownFields = Set(CodingKeys.allCases.map(\.rawValue))

    /// Keys holding integers or integer lists (for ``OpenAIRequestDecoder/decode(_:from:integerFields:)``).
    public static let integerFields: Set<String> = [
        "top_logprobs", "max_tokens", "max_completion_tokens", "n", "seed", "top_k", "stop_token_ids",
    ]

    // MARK: - Nested field types

    /// `{"type": "text"}`; `json_object` / `json_schema` are not supported.
    public struct ResponseFormat: Sendable, Equatable, Decodable {
        public var type: String
    }

    /// `"none"`, `"auto"`, `"required"` or a named function object.
    public enum ToolChoice: Sendable, Equatable, Decodable {
        case mode(String)
        case named

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let mode = try? container.decode(String.self) {
                self = .mode(mode)
            } else {
                _ = try container.decode(AnyJSON.self)
                self = .named
            }
        }
    }

    // MARK: - Validation

    /// Checks every field (formats-and-api.md §A.3) and returns what the engine needs. With no
    /// `max_tokens`, the engine fills the remaining context (vLLM's chat default).
    public func validated() throws(OpenAIRequestError) -> ValidatedGenerationRequest {
        try checkChatOnlyFields()
        let topCount = try validatedLogprobs()
        let sampling = try validatedSampling(defaultMaxTokens: nil, logprobs: topCount)
        let addGeneration = addGenerationPrompt ?? true
        let continueFinal = continueFinalMessage ?? false
        if addGeneration && continueFinal {
            throw .invalidValue(
                field: "continue_final_message",
                detail: "Cannot set both `continue_final_message` and `add_generation_prompt` to true.")
        }
        let chat = ChatPrompt(
            messages: try validatedMessages(), addGenerationPrompt: addGeneration,
            continueFinalMessage: continueFinal, addSpecialTokens: addSpecialTokens ?? false)
        if continueFinal, chat.messages.last?.role != .assistant {
            throw .invalidValue(
                field: "continue_final_message",
                detail: "continue_final_message requires the last message to be from the assistant.")
        }
        return ValidatedGenerationRequest(
            model: requestedModel, prompt: .chat(chat), sampling: sampling, stream: stream ?? false,
            includeUsage: try validatedIncludeUsage())
    }

    private func checkChatOnlyFields() throws(OpenAIRequestError) {
        if let tools, !tools.isEmpty { throw .unsupported(field: "tools", detail: "Tool calling is not supported.") }
        switch toolChoice {
        case nil, .mode("none"), .mode("auto"): break
        case .mode(let mode):
            throw .invalidValue(field: "tool_choice", detail: "tool_choice \"\(mode)\" requires tools.")
        case .named:
            throw .invalidValue(field: "tool_choice", detail: "A named tool_choice requires tools.")
        }
        if let responseFormat, responseFormat.type != "text" {
            throw .unsupported(
                field: "response_format", detail: "response_format \"\(responseFormat.type)\" is not supported.")
        }
    }

    private func validatedLogprobs() throws(OpenAIRequestError) -> Int? {
        if let topLogprobs {
            guard (0...SamplingOptions.maxLogprobs).contains(topLogprobs) else {
                throw .outOfRange(
                    field: "top_logprobs",
                    detail: "top_logprobs must be in [0, \(SamplingOptions.maxLogprobs)], got \(topLogprobs).")
            }
            if topLogprobs > 0, logprobs != true {
                throw .invalidValue(
                    field: "top_logprobs", detail: "when using `top_logprobs`, `logprobs` must be set to true.")
            }
        }
        return logprobs == true ? (topLogprobs ?? 0) : nil
    }

    private func validatedMessages() throws(OpenAIRequestError) -> [ChatTurn] {
        guard let messages else { throw .missingField("messages") }
        guard !messages.isEmpty else {
            throw .invalidValue(field: "messages", detail: "messages must contain at least one message.")
        }
        var turns: [ChatTurn] = []
        for (index, message) in messages.enumerated() {
            turns.append(try Self.turn(message, field: "messages[\(index)]"))
        }
        return turns
    }

    private static func turn(_ message: ChatMessageInput, field: String) throws(OpenAIRequestError) -> ChatTurn {
        guard let role = ChatRole(rawValue: message.role) else {
            let allowed = ChatRole.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidValue(
                field: "\(field).role", detail: "Unknown role \"\(message.role)\"; expected one of \(allowed).")
        }
        if let toolCalls = message.toolCalls, !toolCalls.isEmpty {
            throw .unsupported(field: "\(field).tool_calls", detail: "Tool calls are not supported.")
        }
        let content: String?
        switch message.content {
        case nil:
            guard role == .assistant else {
                throw .missingField("\(field).content")
            }
            content = nil
        case .text(let text):
            content = text
        case .parts(let parts):
            var texts: [String] = []
            for (partIndex, part) in parts.enumerated() {
                guard part.type == "text" else {
                    throw .unsupported(
                        field: "\(field).content[\(partIndex)]",
                        detail: "Content part type \"\(part.type)\" is not supported; only \"text\" parts are.")
                }
                guard let text = part.text else { throw .missingField("\(field).content[\(partIndex)].text") }
                texts.append(text)
            }
            content = texts.joined(separator: "\n")
        }
        return ChatTurn(role: role, content: content, name: message.name, toolCallID: message.toolCallID)
    }
}
