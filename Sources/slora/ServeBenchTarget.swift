// What `slora bench serve` sends requests to: the engine in this process, or a running `slora serve`
// over HTTP. A target sends one request and reports when its first and last tokens came back.

import Foundation
import Workload

/// One request as the benchmark sends it.
struct BenchRequest: Sendable {
    let index: Int
    let trace: TraceRequest
    /// [trace.promptLength] token ids.
    let prompt: [Int32]
}

/// Sends benchmark requests somewhere and times them.
protocol ServeBenchTarget: Sendable {
    /// Sends `request` now and returns its outcome once it ended; times are seconds since `origin`.
    func send(_ request: BenchRequest, origin: ContinuousClock.Instant, progress: BenchProgress) async -> RequestOutcome
}

extension ContinuousClock.Instant {
    /// Seconds from `origin` to this instant.
    func seconds(since origin: ContinuousClock.Instant) -> Double {
        let d = (self - origin).components
        return Double(d.seconds) + Double(d.attoseconds) * 1e-18
    }
}
