// Replays a workload against a target: each request is sent at its arrival time (seconds after the
// start) by its own task, and the run ends when the last request has ended, so the wall time includes
// the drain (S-LoRA's way of counting throughput).

import Foundation
import Workload

/// Sends a workload on schedule and gathers the outcomes.
struct ServeBenchDriver {
    let requests: [BenchRequest]
    let showProgress: Bool

    /// Runs the whole workload; returns the outcomes in workload order and the wall seconds.
    func run(on target: some ServeBenchTarget) async -> (outcomes: [RequestOutcome], wallSeconds: Double) {
        let progress = BenchProgress(total: requests.count)
        // A short lead so the first requests are not late because of task start-up.
        let origin = ContinuousClock.now + .milliseconds(20)
        let display = showProgress ? progress.display { ContinuousClock.now.seconds(since: origin) } : nil
        var outcomes: [RequestOutcome] = []
        outcomes.reserveCapacity(requests.count)
        await withTaskGroup(of: RequestOutcome.self) { group in
            for request in requests {
                let due = origin + .nanoseconds(Int64((request.trace.arrival * 1e9).rounded()))
                if due > ContinuousClock.now { try? await Task.sleep(until: due, clock: .continuous) }
                progress.requestSent()
                group.addTask { await target.send(request, origin: origin, progress: progress) }
            }
            for await outcome in group { outcomes.append(outcome) }
        }
        let wall = ContinuousClock.now.seconds(since: origin)
        display?.cancel()
        if showProgress { progress.finish(elapsed: wall) }
        return (outcomes.sorted { $0.index < $1.index }, wall)
    }
}
