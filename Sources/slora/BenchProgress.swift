// The benchmark's live counters and its progress line on stderr: sent, finished, in flight, aborted
// and generated tokens, redrawn in place twice a second on a terminal (a new line every 5 s otherwise).

import Foundation
import Synchronization

/// Counters shared by the benchmark's request tasks.
final class BenchProgress: Sendable {
    struct Counts {
        var sent = 0
        var finished = 0
        var aborted = 0
        var failed = 0
        var tokens = 0
    }

    let total: Int
    private let counts = Mutex(Counts())

    init(total: Int) { self.total = total }

    func requestSent() { counts.withLock { $0.sent += 1 } }
    func tokenArrived() { counts.withLock { $0.tokens += 1 } }

    func requestEnded(_ status: RequestStatusForProgress) {
        counts.withLock {
            $0.finished += 1
            if status == .aborted { $0.aborted += 1 }
            if status == .failed { $0.failed += 1 }
        }
    }

    var snapshot: Counts { counts.withLock { $0 } }

    /// Redraws the progress line until cancelled; `elapsed` gives seconds since the start.
    func display(elapsed: @Sendable @escaping () -> Double) -> Task<Void, Never> {
        let terminal = isatty(2) != 0
        return Task {
            var lastLine = -5.0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                let t = elapsed()
                if !terminal && t - lastLine < 5 { continue }
                lastLine = t
                FileHandle.standardError.write(Data(((terminal ? "\r" : "") + line(elapsed: t) + (terminal ? "" : "\n")).utf8))
            }
        }
    }

    /// Ends the line on a terminal (after `display` is cancelled).
    func finish(elapsed: Double) {
        FileHandle.standardError.write(Data(((isatty(2) != 0 ? "\r" : "") + line(elapsed: elapsed) + "\n").utf8))
    }

    func line(elapsed: Double) -> String {
        let c = snapshot
        let width = 24
        let filled = total == 0 ? width : min(width, c.finished * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = elapsed > 0 ? Double(c.tokens) / elapsed : 0
        return "[\(bar)] " + String(format: "%6.1f s", elapsed)
            + "  sent \(c.sent)/\(total)  done \(c.finished)  in flight \(c.sent - c.finished)  aborted \(c.aborted)"
            + "  failed \(c.failed)  " + String(format: "%.0f", rate) + " tok/s "
    }
}

/// How a request ended, for the counters.
enum RequestStatusForProgress { case completed, aborted, failed }
