// `GET /metrics`: refreshes the engine gauges from a stats snapshot, then returns the registry in the
// Prometheus text format (formats-and-api.md §D.1).

import Hummingbird

// MARK: - MetricsController

/// Prometheus scrape endpoint.
struct MetricsController: Sendable {
    let engine: any InferenceEngine
    let metrics: ServerMetrics

    /// Routes at the root.
    var endpoints: RouteCollection<ServerRequestContext> {
        let routes = RouteCollection(context: ServerRequestContext.self)
        routes.get("metrics", use: scrape)
        return routes
    }

    @Sendable func scrape(request: Request, context: ServerRequestContext) async throws -> Response {
        metrics.update(with: await engine.stats())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
}
