// Per-op GPU time of eagerly queued steps: a timing event after every kernel or cuBLAS call, the time
// between consecutive events charged to the op that ended at the later one. For benchmarks
// (`slora gpu-check profile`); the backend runs without graphs while a profiler is attached.

import CUDADriver

/// Accumulates GPU milliseconds per op name over the steps run while attached to a backend.
public final class CUDAOpProfiler {
    /// Totals of one op name.
    public struct Total: Sendable {
        public var milliseconds = 0.0
        public var calls = 0
    }

    let context: CUDAContext
    /// Reused events; `marks[i]` uses `events[i + 1]`, `events[0]` is the start of the window.
    private var events: [CUDAEvent] = []
    /// [marks] the op each event closes.
    private var marks: [String] = []
    private var started = false
    public private(set) var totals: [String: Total] = [:]

    public init(context: CUDAContext) {
        self.context = context
    }

    private func event(_ index: Int) throws(CUDAError) -> CUDAEvent {
        while events.count <= index { events.append(try CUDAEvent(context: context)) }
        return events[index]
    }

    /// Records the start of a window on `stream` (queued work before it is not counted).
    func begin(on stream: CUDAStream) throws(CUDAError) {
        try event(0).record(on: stream)
        marks.removeAll(keepingCapacity: true)
        started = true
    }

    /// Records the end of `op` (queued just before this call) on `stream`.
    func mark(_ op: String, on stream: CUDAStream) throws(CUDAError) {
        guard started else { return }
        try event(marks.count + 1).record(on: stream)
        marks.append(op.replacing(/, layer \d+/, with: ""))  // per-layer LoRA op names → one row per module
    }

    /// Waits for the window's last event and adds each interval to its op.
    func collect() throws(CUDAError) {
        guard started else { return }
        started = false
        guard let lastIndex = marks.indices.last else { return }
        try events[lastIndex + 1].synchronize()
        for (i, op) in marks.enumerated() {
            let ms = try events[i + 1].milliseconds(since: events[i])
            totals[op, default: Total()].milliseconds += ms
            totals[op, default: Total()].calls += 1
        }
        marks.removeAll(keepingCapacity: true)
    }

    /// Forgets the totals.
    public func reset() { totals.removeAll() }

    /// Milliseconds of all ops.
    public var totalMilliseconds: Double { totals.values.reduce(0) { $0 + $1.milliseconds } }
}

extension CUDAComputeBackend {
    /// Starts timing every op queued from now on (graphs are off while profiling).
    public func beginProfile(_ profiler: CUDAOpProfiler) {
        bindThread()
        do { try profiler.begin(on: stream) } catch { fail(error, "beginProfile") }
        activeProfiler = profiler
    }

    /// Waits for the profiled ops and adds their times to the profiler's totals.
    public func endProfile() {
        guard let profiler = activeProfiler else { return }
        activeProfiler = nil
        do { try profiler.collect() } catch { fail(error, "endProfile") }
    }

    /// Called after each launch: charges the interval since the last mark to `op`.
    func profileMark(_ op: String) {
        guard let profiler = activeProfiler else { return }
        do { try profiler.mark(op, on: stream) } catch { fail(error, "profile mark") }
    }
}
