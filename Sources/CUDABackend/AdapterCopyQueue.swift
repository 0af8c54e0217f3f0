// Adapter loads on their own stream: host→pool copies queued on a copy stream, ordered against the
// compute stream with events only (no host waits). A copy starts after a fence on the compute stream
// (the start of the current step when it may overlap that step, else "now"); the compute stream waits
// for the copies before the next op that reads the pool. Host copies stay referenced until the compute
// stream has provably passed them.

import CUDADriver

/// The copy stream and its fences. Single owner (the backend's thread).
final class AdapterCopyQueue {
    let stream: CUDAStream
    /// Recorded on the copy stream after the latest copy.
    private let copied: CUDAEvent
    /// Recorded on the compute stream when a step begins (before its ops).
    private let stepStart: CUDAEvent
    private var stepStartRecorded = false
    /// Recorded on the compute stream for ordered copies.
    private let now: CUDAEvent
    /// Copies queued that the compute stream has not been told to wait for.
    private(set) var pending = false
    /// Host copies of queued loads (freed only after the compute stream waited and synchronized).
    private var inFlight: [CUDAHostAdapter] = []
    /// Totals for reports.
    private(set) var bytesCopied = 0
    private(set) var loads = 0

    init(context: CUDAContext) throws(CUDAError) {
        stream = try CUDAStream(context: context)
        copied = try CUDAEvent(context: context, timing: false)
        stepStart = try CUDAEvent(context: context, timing: false)
        now = try CUDAEvent(context: context, timing: false)
    }

    /// The compute stream begins a step: it first waits for queued copies, then marks the step's start.
    func beginStep(compute: CUDAStream) throws(CUDAError) {
        try awaitCopies(compute: compute)
        try stepStart.record(on: compute)
        stepStartRecorded = true
    }

    /// Makes the compute stream wait for every copy queued so far (no-op when none is pending).
    func awaitCopies(compute: CUDAStream) throws(CUDAError) {
        guard pending else { return }
        try compute.wait(for: copied)
        pending = false
    }

    /// After the compute stream synchronized: host copies of loads it has waited for can go.
    func computeSynchronized() {
        if !pending { inFlight.removeAll() }
    }

    /// Queues `runs` (host byte offset in `adapter`, device address, bytes) on the copy stream.
    func load(
        _ adapter: CUDAHostAdapter, runs: [(hostOffset: Int, device: CUdeviceptr, bytes: Int)], compute: CUDAStream,
        overlappingCurrentStep: Bool
    ) throws(CUDAError) {
        guard !runs.isEmpty else { return }
        if overlappingCurrentStep && stepStartRecorded {
            try stream.wait(for: stepStart)
        } else {
            try now.record(on: compute)
            try stream.wait(for: now)
        }
        let driver = stream.context.driver
        for run in runs {
            try driver.check(
                driver.cuMemcpyHtoDAsync(run.device, adapter.pointer + run.hostOffset, run.bytes, stream.handle),
                "cuMemcpyHtoDAsync_v2")
            bytesCopied += run.bytes
        }
        try copied.record(on: stream)
        pending = true
        loads += 1
        inFlight.append(adapter)
        if !overlappingCurrentStep { try awaitCopies(compute: compute) }
    }
}
