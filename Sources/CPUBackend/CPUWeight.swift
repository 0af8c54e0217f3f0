// A weight matrix on the CPU backend: plain f32 values, or blocks kept quantized (CPUQuantizedWeight)
// that matmul reads directly and embed dequantizes one row at a time.

import Backend

/// A `[rows, cols]` weight matrix, row-major: f32, or quantized (see `CPUQuantizedWeight`).
public final class CPUWeight: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    /// `[rows, cols]` f32 values; nil when the weight is kept quantized.
    let values: CPUTensor?
    /// The quantized blocks; nil for an f32 weight.
    let quantized: CPUQuantizedWeight?

    init(_ data: [Float], rows: Int, cols: Int) {
        precondition(data.count == rows * cols, "weight has \(data.count) values, expected \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        let values = CPUTensor(count: data.count)
        data.withUnsafeBufferPointer { values.pointer.update(from: $0.baseAddress!, count: data.count) }
        self.values = values
        quantized = nil
    }

    init(quantized matrix: QuantizedMatrix) {
        rows = matrix.rows
        cols = matrix.cols
        values = nil
        quantized = CPUQuantizedWeight(matrix)
    }

    /// The quantization format, nil for f32.
    public var format: QuantizedMatrix.Format? { quantized?.format }

    /// Bytes this weight occupies in memory.
    public var byteCount: Int { values.map { $0.count * 4 } ?? quantized?.byteCount ?? 0 }

    /// Row `row` as f32 into `destination` `[cols]`: the stored values, or the exact dequantization.
    func copyRow(_ row: Int, into destination: UnsafeMutablePointer<Float>) {
        if let values {
            destination.update(from: values.pointer + row * cols, count: cols)
        } else if let quantized {
            quantized.dequantizeRow(row, into: destination)
        }
    }
}
