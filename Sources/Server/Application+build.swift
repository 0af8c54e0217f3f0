// Assembles the HTTP edge of `slora serve`: the router with its middleware and controllers, and the
// Hummingbird application around it. Everything is passed in (engine, configuration, metrics registry,
// drain switch), so tests build the same router around a fake engine (style.md §1.F, §3).

import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

// MARK: - Building

/// The router of `slora serve`.
///
/// Middleware, outermost first: request id → HTTP metrics → OpenAI error envelope → API key (`/v1`) →
/// draining (`/v1`). Routes: `POST /v1/completions`, `POST /v1/chat/completions`, `GET /v1/models`,
/// `GET /v1/models/{id}`, `POST /v1/load_lora_adapter`, `POST /v1/unload_lora_adapter`, `GET /health`,
/// `GET /metrics`.
///
/// ```swift
/// let router = buildRouter(engine: engine, configuration: .init(servedModelName: "llama"))
/// let app = Application(router: router)
/// try await app.test(.router) { client in ... }
/// ```
public func buildRouter(
    engine: any InferenceEngine, configuration: ServerConfiguration, metrics: ServerMetrics? = nil,
    drain: DrainState = DrainState()
) -> Router<ServerRequestContext> {
    let metrics =
        metrics ?? ServerMetrics(registry: PrometheusCollectorRegistry(), modelName: configuration.servedModelName)
    let router = Router(context: ServerRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
    router.add(middleware: OpenAIErrorMiddleware())
    if let apiKey = configuration.apiKey { router.add(middleware: APIKeyMiddleware(apiKey: apiKey)) }
    router.add(middleware: DrainingMiddleware(drain: drain))

    let generation = GenerationResponder(
        engine: engine, metrics: metrics, gate: AdmissionGate(limit: configuration.maxInFlightRequests),
        retryAfterSeconds: configuration.retryAfterSeconds)
    router.addRoutes(
        CompletionsController(generation: generation, configuration: configuration).endpoints, atPath: "/v1")
    router.addRoutes(
        ChatCompletionsController(generation: generation, configuration: configuration).endpoints, atPath: "/v1")
    router.addRoutes(ModelsController(engine: engine).endpoints, atPath: "/v1")
    if configuration.allowRuntimeAdapterUpdates {
        router.addRoutes(AdaptersController(engine: engine, configuration: configuration).endpoints, atPath: "/v1")
    }
    router.addRoutes(HealthController(engine: engine, drain: drain).endpoints)
    router.addRoutes(MetricsController(engine: engine, metrics: metrics).endpoints)
    return router
}

/// The Hummingbird application of `slora serve`, bound to `configuration.host:port`.
///
/// - Parameters:
///   - engine: the engine the routes call.
///   - configuration: the HTTP edge's settings.
///   - metrics: instruments over the registry `/metrics` exposes; a fresh registry when nil.
///   - drain: flipped by the caller on SIGTERM to refuse new requests while in-flight ones finish.
///   - services: run alongside the server (e.g. the engine's own `Service`), started before it.
///   - logger: the application logger.
///
/// ```swift
/// let app = buildApplication(engine: engine, configuration: configuration, services: [engineService])
/// try await app.runService()
/// ```
public func buildApplication(
    engine: any InferenceEngine, configuration: ServerConfiguration, metrics: ServerMetrics? = nil,
    drain: DrainState = DrainState(), services: [any Service] = [], logger: Logger? = nil
) -> some ApplicationProtocol {
    let router = buildRouter(engine: engine, configuration: configuration, metrics: metrics, drain: drain)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName),
        services: services,
        logger: logger ?? Logger(label: "slora.server"))
}
