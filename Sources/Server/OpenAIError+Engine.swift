// How engine-side failures become HTTP errors (formats-and-api.md §A.6, §A.9, §F.1). Internal reasons are
// logged by the caller and never sent to clients.

import OpenAIAPI

// MARK: - Engine errors

extension OpenAIError {
    /// The response for a submission rejected by the engine.
    public init(_ error: EngineSubmitError) {
        switch error {
        case .unknownModel(let name):
            self = .modelNotFound(name)
        case .promptTooLong(let count, let max):
            self.init(
                status: .badRequest, type: .invalidRequest,
                message: "Input length (\(count)) exceeds model's maximum context length (\(max)).",
                param: "prompt", code: "context_length_exceeded")
        case .contextLengthExceeded(let count, let maxTokens, let max):
            self.init(
                status: .badRequest, type: .invalidRequest,
                message: "This model's maximum context length is \(max) tokens. However, your request has "
                    + "\(count) input tokens plus \(maxTokens) 'max_tokens'. Please reduce one or the other.",
                param: "input_tokens, max_tokens", code: "context_length_exceeded")
        case .invalidPrompt(let message):
            self.init(
                status: .badRequest, type: .invalidRequest, message: message, param: "prompt", code: "invalid_prompt")
        case .unsupported(let parameter, let message):
            self.init(
                status: .badRequest, type: .invalidRequest, message: message, param: parameter,
                code: "unsupported_parameter")
        case .queueFull(let seconds):
            self = .overloaded(
                code: "queue_full", message: "The server is overloaded; retry later.", retryAfterSeconds: seconds)
        case .deadlineUnattainable(let seconds):
            self = .overloaded(
                code: "deadline_unattainable", message: "The server cannot meet the first-token deadline; retry later.",
                retryAfterSeconds: seconds)
        case .draining:
            self = .draining
        case .notReady:
            self.init(
                status: .serviceUnavailable, type: .serviceUnavailable, message: "The engine is still starting.",
                code: "engine_starting", headers: [.retryAfter: "5"])
        case .failed:
            self = .internalError("The engine has failed.", retryable: false)
        }
    }

    /// The response for a failure after admission (non-streaming requests; streams send it as an event).
    public init(_ error: EngineStreamError) {
        switch error {
        case .deadlineExceeded(let seconds):
            self = .overloaded(
                code: "deadline_exceeded", message: "The request waited past its first-token deadline; retry later.",
                retryAfterSeconds: seconds)
        case .engineFailed:
            self = .internalError("The engine failed while generating.", retryable: false)
        }
    }

    /// The response for a failed adapter load or unload (vLLM's statuses and messages, §A.9).
    public init(_ error: AdapterLoadError) {
        switch error {
        case .alreadyLoaded:
            self.init(
                status: .badRequest, type: .invalidRequest, message: error.description, param: "lora_name",
                code: "adapter_already_loaded")
        case .nameTaken:
            self.init(
                status: .badRequest, type: .invalidRequest, message: error.description, param: "lora_name",
                code: "adapter_name_taken")
        case .notLoaded:
            self.init(
                status: .notFound, type: .notFound, message: error.description, param: "lora_name",
                code: "adapter_not_found")
        case .pathNotFound:
            self.init(
                status: .notFound, type: .notFound, message: error.description, param: "lora_path",
                code: "adapter_path_not_found")
        case .invalidAdapter:
            self.init(
                status: .badRequest, type: .invalidRequest, message: error.description, param: "lora_path",
                code: "invalid_adapter")
        case .engineFailure:
            self = .internalError("The engine could not update adapters.")
        }
    }
}
