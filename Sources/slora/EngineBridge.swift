// Translations between the HTTP layer's types (OpenAIAPI, Server) and the Engine module's own, used by
// ServingEngine. Kept apart from the generic engine wrapper so the @Sendable mapping functions capture
// no generic context.

import ChatTemplates
import Engine
import OpenAIAPI
import Server

/// Type mappings Server ⇄ Engine.
enum EngineBridge {
    static func prompt(_ prompt: GenerationPrompt) -> PromptInput {
        switch prompt {
        case .text(let text, let addSpecialTokens): .text(text, addSpecialTokens: addSpecialTokens)
        case .tokenIDs(let ids): .tokenIDs(ids)
        case .chat(let chat):
            .chat(
                ChatConversation(
                    messages: chat.messages.map {
                        ChatMessage(role: $0.role.rawValue, content: $0.content, name: $0.name, toolCallID: $0.toolCallID)
                    },
                    addGenerationPrompt: chat.addGenerationPrompt, continueFinalMessage: chat.continueFinalMessage,
                    addSpecialTokens: chat.addSpecialTokens))
        }
    }

    static func parameters(_ options: SamplingOptions) -> GenerationParameters {
        GenerationParameters(
            temperature: options.temperature, topP: options.topP, topK: options.topK, seed: options.seed,
            maxTokens: options.maxTokens, stop: options.stop, stopTokenIDs: options.stopTokenIDs,
            logprobs: options.logprobs, ignoreEOS: options.ignoreEOS)
    }

    @Sendable static func event(_ event: GenerationEvent) -> TokenEvent {
        switch event {
        case .token(let token):
            return .token(GeneratedToken(id: token.id, text: token.text, logprob: token.logprobs.map(logprob)))
        case .finished(let finish):
            let reason: FinishReason =
                switch finish.reason {
                case .stop: .stop
                case .length: .length
                case .abort: .abort
                }
            let stopReason: StopReason? = finish.stopCause.map {
                switch $0 {
                case .string(let text): .string(text)
                case .tokenID(let id): .tokenID(id)
                }
            }
            return .finished(
                reason, stopReason: stopReason,
                usage: Usage(promptTokens: finish.promptTokenCount, completionTokens: finish.completionTokenCount))
        }
    }

    static func logprob(_ logprobs: TokenLogprobs) -> TokenLogprob {
        TokenLogprob(
            token: logprobs.chosen.text, bytes: logprobs.chosen.bytes, logprob: logprobs.chosen.logprob,
            top: logprobs.top.map { TokenLogprob.Alternative(token: $0.text, bytes: $0.bytes, logprob: $0.logprob) })
    }

    @Sendable static func failure(_ failure: GenerationFailure) -> any Error {
        switch failure {
        case .deadlineExceeded(let seconds): EngineStreamError.deadlineExceeded(retryAfterSeconds: seconds)
        case .engineFailed(let reason): EngineStreamError.engineFailed(reason: reason)
        }
    }

    static func submitError(_ error: SubmissionError) -> EngineSubmitError {
        switch error {
        case .unknownModel(let name): .unknownModel(name)
        case .promptTooLong(let count, let max): .promptTooLong(promptTokenCount: count, maxModelLength: max)
        case .contextLengthExceeded(let count, let maxTokens, let max):
            .contextLengthExceeded(promptTokenCount: count, maxTokens: maxTokens, maxModelLength: max)
        case .invalidPrompt(let message): .invalidPrompt(message: message)
        case .queueFull(let seconds): .queueFull(retryAfterSeconds: seconds)
        case .deadlineUnattainable(let seconds): .deadlineUnattainable(retryAfterSeconds: seconds)
        case .draining: .draining
        case .failed(let reason): .failed(reason: reason)
        }
    }

    static func adapterError(_ error: AdapterRegistrationError, name: String) -> AdapterLoadError {
        switch error {
        case .alreadyLoaded(let name): .alreadyLoaded(name: name)
        case .nameTaken(let name): .nameTaken(name: name)
        case .notLoaded(let name): .notLoaded(name: name)
        case .pathNotFound(let path): .pathNotFound(path: path)
        case .outsideRoot(let path, _): .invalidAdapter(name: name, reason: "'\(path)' is outside the adapter root")
        case .invalid(let name, let reason): .invalidAdapter(name: name, reason: reason)
        }
    }
}
