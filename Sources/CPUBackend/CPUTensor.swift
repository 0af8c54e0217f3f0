// Host buffers of the CPU backend: a flat f32 array owned by a class (freed in deinit), and the
// prepared step. Weights are in CPUWeight.swift.

import Backend

/// A flat f32 buffer owned by the CPU backend.
public final class CPUTensor: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// A read-write view of the elements.
    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

/// One step's batch as the CPU backend reads it (plain host arrays).
public struct CPUPreparedStep: Sendable {
    public let step: StepBatch
    public let adapters: AdapterBatch
}
