// Counts responses per route, method and status class into `http_requests_total`, the counter vLLM's
// FastAPI instrumentator exposes next to the engine metrics. `/metrics` itself is not counted.

import Hummingbird

// MARK: - HTTPMetricsMiddleware

/// Records every response in ``ServerMetrics``.
public struct HTTPMetricsMiddleware: RouterMiddleware {
    public typealias Context = ServerRequestContext

    private let metrics: ServerMetrics

    public init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response = try await next(request, context)
        if request.uri.path != "/metrics" {
            metrics.recordHTTPResponse(
                handler: context.endpointPath ?? "none", method: request.method.rawValue, status: response.status.code)
        }
        return response
    }
}
