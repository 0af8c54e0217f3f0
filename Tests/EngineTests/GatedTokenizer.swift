// A test tokenizer that can hold the engine thread: `decode` (called twice as each sampled token is
// turned into text, by StreamingDetokenizer) waits while the gate is closed, after letting the first
// `passing` calls through. A test that must act while a request is certainly running submits, waits for
// `hasWaiter`, acts, then opens the gate; no timing is involved.

import Foundation
import Synchronization
import Tokenization

/// ByteTokenizer behind a gate (closed at start).
final class GatedTokenizer: TextTokenizer {
    private let inner = ByteTokenizer()
    private let state: Mutex<(closed: Bool, waiting: Int, passing: Int)>

    /// `passing`: decode calls let through before the gate holds (2 = the first sampled token, so the
    /// engine publishes the snapshot of its first step and is held in the second).
    init(passing: Int = 0) { state = Mutex((closed: true, waiting: 0, passing: passing)) }

    /// Lets every waiting and future `decode` through.
    func open() { state.withLock { $0.closed = false } }

    /// Whether some thread (the engine's) is waiting inside `decode`.
    var hasWaiter: Bool { state.withLock { $0.waiting > 0 } }

    /// Polls until the engine thread is held in `decode` (at most `seconds`).
    func waitForWaiter(seconds: Double = 60) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if hasWaiter { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        let passes = state.withLock { s in
            guard s.passing > 0 else {
                s.waiting += 1
                return false
            }
            s.passing -= 1
            return true
        }
        if passes { return inner.decode(ids, skipSpecialTokens: skipSpecialTokens) }
        while state.withLock({ $0.closed }) { usleep(500) }
        state.withLock { $0.waiting -= 1 }
        return inner.decode(ids, skipSpecialTokens: skipSpecialTokens)
    }

    func encode(_ text: String, addSpecialTokens: Bool) -> [Int] { inner.encode(text, addSpecialTokens: addSpecialTokens) }
    var bosTokenID: Int? { inner.bosTokenID }
    var eosTokenIDs: [Int] { inner.eosTokenIDs }
    var vocabularySize: Int { inner.vocabularySize }
    func tokenID(for token: String) -> Int? { inner.tokenID(for: token) }
    func token(for id: Int) -> String? { inner.token(for: id) }
}
