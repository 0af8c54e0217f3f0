// `GET /v1/models` and `GET /v1/models/{id}`: the base model and every served adapter with its parent
// (formats-and-api.md §A.7; unknown id → 404 "does not exist").

import Hummingbird
import OpenAIAPI

// MARK: - ModelsController

/// Lists what clients may put in `model`.
struct ModelsController: Sendable {
    let engine: any InferenceEngine

    /// Routes relative to `/v1`.
    var endpoints: RouteCollection<ServerRequestContext> {
        let routes = RouteCollection(context: ServerRequestContext.self)
        routes.get("models", use: list)
        routes.get("models/{id}", use: retrieve)
        return routes
    }

    @Sendable func list(request: Request, context: ServerRequestContext) async throws -> Response {
        let cards = await engine.models().map(Self.card)
        return try Self.json(ModelList(data: cards))
    }

    @Sendable func retrieve(request: Request, context: ServerRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let model = await engine.models().first(where: { $0.id == id }) else {
            throw OpenAIError.modelNotFound(id)
        }
        return try Self.json(Self.card(model))
    }

    static func card(_ model: ServedModel) -> ModelCard {
        ModelCard(
            id: model.id, created: model.created, root: model.root, parent: model.parent,
            maxModelLength: model.maxModelLength)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let data = try ServerSentEvents.jsonEncoder().encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
