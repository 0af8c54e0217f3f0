// A bound on generation requests in flight at the HTTP edge (TGI's `max_concurrent_requests` semaphore,
// formats-and-api.md §E.1, answered with 503 + `retry-after` as §A.6 recommends). A slot is held by an
// ``AdmissionTicket`` and returned when the ticket is released, whatever path the request took.

import Synchronization

// MARK: - AdmissionGate

/// Counts in-flight requests against an optional limit.
public final class AdmissionGate: Sendable {
    /// nil: unlimited; otherwise at least 1.
    public let limit: Int?
    private let inFlight = Mutex(0)

    /// - Parameter limit: most tickets out at once; values below 1 are raised to 1.
    public init(limit: Int?) {
        self.limit = limit.map { max($0, 1) }
    }

    /// Requests currently holding a ticket.
    public var inFlightCount: Int {
        inFlight.withLock { $0 }
    }

    /// A ticket, or nil when the limit is reached.
    public func admit() -> AdmissionTicket? {
        let admitted = inFlight.withLock { count -> Bool in
            if let limit, count >= limit { return false }
            count += 1
            return true
        }
        return admitted ? AdmissionTicket(gate: self) : nil
    }

    fileprivate func release() {
        inFlight.withLock { $0 -= 1 }
    }
}

// MARK: - AdmissionTicket

/// One admitted request's slot; the slot is freed when the last reference goes away (the response body
/// finished, failed, or was never written), so no code path can leak it.
public final class AdmissionTicket: Sendable {
    private let gate: AdmissionGate

    fileprivate init(gate: AdmissionGate) {
        self.gate = gate
    }

    deinit {
        gate.release()
    }
}
