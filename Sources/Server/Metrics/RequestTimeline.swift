// Timing of one generation request as the server sees it, feeding ServerMetrics: TTFT from arrival to the
// first token event, each inter-token gap, end-to-end latency at the finish event.

import OpenAIAPI

// MARK: - RequestTimeline

/// Per-request timing; owned by the task consuming the request's token stream.
struct RequestTimeline {
    let arrival: ContinuousClock.Instant
    private let metrics: ServerMetrics
    private let clock = ContinuousClock()
    private var lastToken: ContinuousClock.Instant?

    init(arrival: ContinuousClock.Instant, metrics: ServerMetrics) {
        self.arrival = arrival
        self.metrics = metrics
    }

    /// Call on every token event.
    mutating func tokenArrived() {
        let now = clock.now
        if let lastToken {
            metrics.recordInterToken(Self.seconds(now - lastToken))
        } else {
            metrics.recordFirstToken(after: Self.seconds(now - arrival))
        }
        lastToken = now
    }

    /// Call on the finish event.
    func finished(reason: FinishReason, usage: Usage) {
        metrics.recordFinished(reason: reason, usage: usage, endToEndSeconds: Self.seconds(clock.now - arrival))
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
