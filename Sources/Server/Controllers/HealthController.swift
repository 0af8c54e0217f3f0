// `GET /health`: 200 with an empty body when the engine is ready and the server is not draining, else 503
// in the OpenAI error envelope (formats-and-api.md §D.3; vLLM answers 503 when the engine is dead).

import Hummingbird

// MARK: - HealthController

/// Readiness for load balancers and `slora serve` wait loops.
struct HealthController: Sendable {
    let engine: any InferenceEngine
    let drain: DrainState

    /// Routes at the root.
    var endpoints: RouteCollection<ServerRequestContext> {
        let routes = RouteCollection(context: ServerRequestContext.self)
        routes.get("health", use: check)
        return routes
    }

    @Sendable func check(request: Request, context: ServerRequestContext) async throws -> Response {
        if drain.isDraining { throw Self.unavailable("The server is draining.", code: "server_draining") }
        switch await engine.health() {
        case .ready:
            return Response(status: .ok)
        case .starting:
            throw Self.unavailable("The engine is starting.", code: "engine_starting")
        case .draining:
            throw Self.unavailable("The engine is draining.", code: "server_draining")
        case .failed(let reason):
            context.logger.error("Health check: engine failed: \(reason)")
            throw Self.unavailable("The engine has failed.", code: "engine_failed")
        }
    }

    static func unavailable(_ message: String, code: String) -> OpenAIError {
        OpenAIError(status: .serviceUnavailable, type: .serviceUnavailable, message: message, code: code)
    }
}
