// The engine's readiness, as `GET /health` reports it (formats-and-api.md §D.3: 200 when healthy, 503
// otherwise).

// MARK: - EngineHealth

/// State reported by ``InferenceEngine/health()``.
public enum EngineHealth: Sendable, Equatable {
    /// Serving requests.
    case ready
    /// Loading weights; not yet serving.
    case starting
    /// Finishing in-flight requests before shutdown; refusing new ones.
    case draining
    /// Dead (e.g. a sticky device error); will not recover.
    case failed(reason: String)
}
