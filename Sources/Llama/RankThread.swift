// A persistent thread of one tensor-parallel rank: jobs posted to it run on it, one at a time, in the
// order posted. A GPU rank keeps its device context current on its own thread for its whole life, so
// every op of that rank (and the release of its buffers) happens on the same thread.

import Foundation

/// A dedicated thread running posted jobs in order until `stop()`.
final class RankThread: @unchecked Sendable {
    /// Guards `jobs` and `stopping`.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false
    private let exited = DispatchSemaphore(value: 0)

    /// Starts the thread (named `name`, for debuggers and crash reports).
    init(name: String, stackSize: Int = 16 << 20) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    /// Queues `job` (the caller waits for it by other means, e.g. a DispatchGroup).
    func post(_ job: @escaping () -> Void) {
        condition.lock()
        precondition(!stopping, "job posted to a stopped rank thread")
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the queued jobs finish, then ends the thread and waits for it.
    func stop() {
        condition.lock()
        let first = !stopping
        stopping = true
        condition.signal()
        condition.unlock()
        if first { exited.wait() }
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                break
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
        exited.signal()
    }
}
