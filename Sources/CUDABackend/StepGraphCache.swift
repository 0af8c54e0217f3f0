// Captured decode steps: per (caller's reuse key, StepShape), a fixed device buffer for the step's
// packed arrays and, from the second time the shape is seen, a CUDA graph of the step's ops. Replaying
// uploads the new step's arrays into the fixed buffer and launches the graph. Least recently used
// records are dropped beyond `capacity`.

import CUDADriver

/// The graph records of one backend. Single owner.
final class StepGraphCache {
    struct Key: Hashable {
        let reuseKey: AnyHashable
        let shape: StepShape
    }

    final class Record {
        /// The packed step arrays every replay reads.
        let buffer: DeviceAllocation
        let layout: StepLayout
        var graph: CUDAGraph?
        /// What the captured body returned (kept alive with the graph).
        var output: CUDATensor?
        /// Every tensor the captured ops touch (never freed or handed out again while the graph lives).
        var retained: [CUDATensor] = []
        /// Weights the captured ops read (kept alive as long as the graph).
        var retainedWeights: [CUDAWeight] = []
        var timesSeen = 0
        var lastUse = 0
        /// Capture failed once: run this shape eagerly.
        var failed = false

        init(buffer: DeviceAllocation, layout: StepLayout) {
            self.buffer = buffer
            self.layout = layout
        }
    }

    let capacity: Int
    /// Steps after which an unused record is dropped.
    static let staleAfter = 2048
    private var records: [Key: Record] = [:]
    private var clock = 0
    /// The record whose graph is being captured right now.
    var capturing: Record?
    /// Replays and captures so far (reports).
    private(set) var replays = 0
    private(set) var captures = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// The record for `key`, created with a buffer of `layout.wordCount` words on first sight.
    func record(for key: Key, layout: StepLayout, context: CUDAContext) throws(CUDAError) -> Record {
        clock += 1
        // Records of keys not seen for a long time (an old pool or scratch generation) hold memory for
        // nothing: drop them now and then.
        if clock % 256 == 0 { records = records.filter { clock - $0.value.lastUse < Self.staleAfter } }
        if let record = records[key] {
            precondition(record.layout == layout, "equal step shapes packed differently")
            record.lastUse = clock
            return record
        }
        if records.count >= capacity, let victim = records.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            records[victim] = nil
        }
        let record = Record(buffer: try DeviceAllocation(context: context, byteCount: layout.wordCount * 4), layout: layout)
        record.lastUse = clock
        records[key] = record
        return record
    }

    func noteReplay() { replays += 1 }
    func noteCapture() { captures += 1 }

    /// Drops every record (their graphs, buffers and retained temporaries).
    func removeAll() { records.removeAll() }
}
