// The per-request context of slora's router: Hummingbird's core storage plus the request id that
// RequestIDMiddleware assigns (client `X-Request-Id` or a fresh one).

import Hummingbird

// MARK: - ServerRequestContext

/// Request context for every slora route.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``RequestIDMiddleware``; empty until then.
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = ""
    }

    /// The request id, falling back to Hummingbird's own if the middleware did not run.
    var effectiveRequestID: String {
        requestID.isEmpty ? id : requestID
    }
}
