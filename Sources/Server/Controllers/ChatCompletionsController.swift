// `POST /v1/chat/completions`: decode and validate the body (OpenAIAPI), then hand it to
// GenerationResponder with the chat formatter; the engine renders the chat template
// (formats-and-api.md §A.3, §A.4, §A.5).

import Foundation
import Hummingbird
import OpenAIAPI

// MARK: - ChatCompletionsController

/// The chat endpoint.
struct ChatCompletionsController: Sendable {
    let generation: GenerationResponder
    let configuration: ServerConfiguration

    /// Routes relative to `/v1`.
    var endpoints: RouteCollection<ServerRequestContext> {
        let routes = RouteCollection(context: ServerRequestContext.self)
        routes.post("chat/completions", use: create)
        return routes
    }

    @Sendable func create(request: Request, context: ServerRequestContext) async throws -> Response {
        let arrival = ContinuousClock.now
        var request = request
        let body = try await request.decodeOpenAI(
            ChatCompletionRequest.self, knownFields: ChatCompletionRequest.knownFields,
            integerFields: ChatCompletionRequest.integerFields,
            limit: configuration.maxBodyByteCount, context: context)
        let validated: ValidatedGenerationRequest
        do {
            validated = try body.validated()
        } catch {
            throw OpenAIError.invalidRequest(error)
        }
        let formatter = ChatFormatter(
            id: "chatcmpl-\(context.effectiveRequestID)", created: Int(Date().timeIntervalSince1970),
            model: validated.model ?? configuration.servedModelName, wantsLogprobs: validated.sampling.logprobs != nil)
        return try await generation.respond(
            to: request, context: context, validated: validated, formatter: formatter, arrival: arrival)
    }
}
