// While the server drains before shutdown, new `/v1` requests get 503 with `x-should-retry: true`
// (formats-and-api.md §F.1); requests already running are not affected. `/health` answers 503 on its
// own, and `/metrics` stays readable.

import Hummingbird

// MARK: - DrainingMiddleware

/// Refuses `/v1` requests once ``DrainState/beginDraining()`` was called.
public struct DrainingMiddleware: RouterMiddleware {
    public typealias Context = ServerRequestContext

    private let drain: DrainState

    public init(drain: DrainState) {
        self.drain = drain
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if drain.isDraining, path == "/v1" || path.hasPrefix("/v1/") {
            throw OpenAIError.draining
        }
        return try await next(request, context)
    }
}
