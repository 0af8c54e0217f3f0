// Host buffers of the CPU backend: a flat f32 array owned by a class (freed in deinit).

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

/// A `[rows, cols]` f32 weight matrix, row-major.
public final class CPUWeight: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    let values: CPUTensor

    init(_ data: [Float], rows: Int, cols: Int) {
        precondition(data.count == rows * cols, "weight has \(data.count) values, expected \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        values = CPUTensor(count: data.count)
        data.withUnsafeBufferPointer { values.pointer.update(from: $0.baseAddress!, count: data.count) }
    }
}

/// One step's batch as the CPU backend reads it (plain host arrays).
public struct CPUPreparedStep: Sendable {
    public let step: StepBatch
    public let adapters: AdapterBatch
}
