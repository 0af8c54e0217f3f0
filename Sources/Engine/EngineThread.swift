// The engine's dedicated thread: applies inbox messages to the EngineCore, steps it while there is
// work, publishes a snapshot after each step, and sleeps on the mailbox's semaphore when idle. A
// Foundation Thread, not a task: a step is long synchronous compute that must not occupy the Swift
// concurrency pool or NIO's event loops.

import Backend
import Foundation

/// Owns the core on its thread. Only that thread touches `core` after `start()`, which is what makes
/// the unchecked `Sendable` sound.
final class EngineThread<B: ComputeBackend>: EngineThreadBody, @unchecked Sendable {
    /// Released on this thread before the engine reports `stopped`, so device memory and threads are gone
    /// by the time a caller of `shutdown()` goes on (a process may exit right after it).
    private var core: EngineCore<B>!
    private let mailbox: EngineMailbox

    init(core: EngineCore<B>, mailbox: EngineMailbox) {
        self.core = core
        self.mailbox = mailbox
    }

    func start() { startEngineThread(self) }

    /// Apply messages, step while there is work, wait for messages otherwise; exit on `.stop`.
    func run() {
        running: while true {
            for message in mailbox.takeMessages() {
                switch message {
                case .submit(let request): core.admit(request)
                case .cancel(let id): core.cancel(id)
                case .register(let id, let adapter): core.registerAdapter(adapter, as: id)
                case .retire(let id): core.retireAdapter(id)
                case .stop:
                    core.abortAll()
                    break running
                }
            }
            let start = ContinuousClock.now
            let worked = core.step(now: start)
            if worked {
                let elapsed = (ContinuousClock.now - start).components
                core.scheduler.observeStep(seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
            }
            let snapshotStart = ContinuousClock.now
            mailbox.publish(core.snapshot())
            if worked { core.timings.snapshotSeconds += snapshotStart.secondsElapsed }
            if !worked { mailbox.waitForMessages() }
        }
        // Submissions that raced the stop end with an error rather than never.
        for message in mailbox.takeMessages() {
            if case .submit(let request) = message { request.sink.fail(.engineFailed(reason: "the engine stopped")) }
        }
        var final = core.snapshot()
        final.liveRequestCount = 0
        mailbox.publish(final)
        core.runner.executor.shutdown()  // the ranks' threads and device memory go before `stopped`
        core = nil  // the model, its backend and pool: freed here, not racing the process's exit
        mailbox.withState { $0.phase = .stopped }
    }
}

/// The thread's work, type-erased so the thread's closure captures no generic metatype.
protocol EngineThreadBody: AnyObject, Sendable {
    func run()
}

/// Starts the named engine thread running `body`.
private func startEngineThread(_ body: any EngineThreadBody) {
    let thread = Thread { body.run() }
    thread.name = "slora-engine"
    thread.stackSize = 16 << 20
    thread.start()
}
