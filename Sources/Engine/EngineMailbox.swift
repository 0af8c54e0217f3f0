// The only state shared between the async side of the engine and its thread: a Mutex-protected inbox
// of messages, the registry of served adapter names, the last published snapshot and the phase, plus
// a semaphore that wakes the thread when a message arrives (style.md §4.9).

import Adapters
import Dispatch
import Synchronization

/// Messages from the async side to the engine thread, applied in order before the next step.
enum EngineMessage: Sendable {
    case submit(PreparedRequest)
    case cancel(RequestID)
    case register(AdapterID, LoRAAdapter)
    case retire(AdapterID)
    case stop
}

/// Where the engine is in its life.
public enum EnginePhase: Sendable, Equatable {
    /// Taking requests.
    case running
    /// Refusing new requests while in-flight ones finish.
    case draining
    /// The thread has exited.
    case stopped
}

/// A served adapter name as the async side sees it.
struct ServedAdapter: Sendable {
    let id: AdapterID
    let name: String
    let path: String
    /// Pool pages it takes when resident.
    let pageCount: Int
    /// Unix seconds of the load.
    let created: Int
    /// Position in load order.
    let order: Int
}

/// State shared by the async side and the engine thread.
struct EngineSharedState {
    var inbox: [EngineMessage] = []
    /// Submissions in `inbox`, and their prompt tokens (they count as waiting).
    var pendingSubmissions = 0
    var pendingTokens = 0
    var snapshot = EngineSnapshot()
    /// Served adapters by name.
    var adapters: [String: ServedAdapter] = [:]
    /// Names being loaded (reserved so two loads of one name cannot race).
    var loading: Set<String> = []
    var nextRequestID = 0
    var nextAdapterID = 0
    var nextLoadOrder = 0
    var phase = EnginePhase.running
}

/// The Mutex-protected shared state plus the thread's wake-up.
final class EngineMailbox: Sendable {
    let state = Mutex(EngineSharedState())
    private let wakeup = DispatchSemaphore(value: 0)

    /// Runs `body` under the lock.
    func withState<R: Sendable, E: Error>(_ body: (inout EngineSharedState) throws(E) -> R) throws(E) -> R {
        try state.withLock { (state: inout EngineSharedState) throws(E) -> R in try body(&state) }
    }

    /// Appends a message and wakes the thread.
    func post(_ message: EngineMessage) {
        state.withLock { $0.inbox.append(message) }
        wake()
    }

    func wake() { wakeup.signal() }

    // MARK: - Engine thread side

    /// Takes every queued message; submissions taken now count as waiting until the next snapshot.
    func takeMessages() -> [EngineMessage] {
        state.withLock { s in
            let messages = s.inbox
            s.inbox = []
            s.snapshot.waitingCount += s.pendingSubmissions
            s.snapshot.liveRequestCount += s.pendingSubmissions
            s.snapshot.waitingTokenCount += s.pendingTokens
            s.pendingSubmissions = 0
            s.pendingTokens = 0
            return messages
        }
    }

    func publish(_ snapshot: EngineSnapshot) { state.withLock { $0.snapshot = snapshot } }

    /// Blocks the engine thread until a message is posted (or one was posted since the last wait).
    func waitForMessages() { wakeup.wait() }
}
