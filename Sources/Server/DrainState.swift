// The server's "draining" switch: `slora serve` flips it on SIGTERM so that new generation and adapter
// requests get 503 while in-flight ones finish (formats-and-api.md §E.1 graceful shutdown), and
// `GET /health` turns 503 for load balancers.

import Synchronization

// MARK: - DrainState

/// A thread-safe flag shared by the middleware, the health route and the command.
public final class DrainState: Sendable {
    private let draining = Mutex(false)

    public init() {}

    /// Whether new requests are being refused.
    public var isDraining: Bool {
        draining.withLock { $0 }
    }

    /// Starts refusing new requests; idempotent.
    public func beginDraining() {
        draining.withLock { $0 = true }
    }
}
