// Slicing block-quantized matrices for tensor parallelism without dequantizing them.

import Backend
import MemoryPool
import Testing

@testable import Llama

@Suite("Quantized weight slices")
struct QuantizedSliceTests {
    /// A Q8_0 matrix with scale 1.0 (f16 0x3C00) and deterministic int8 values.
    static func matrix(rows: Int, cols: Int) -> QuantizedMatrix {
        var bytes: [UInt8] = []
        for r in 0..<rows {
            for b in 0..<(cols / 32) {
                bytes += [0x00, 0x3C]
                for j in 0..<32 { bytes.append(UInt8(truncatingIfNeeded: (r * 31 + b * 7 + j * 3) % 255 - 127)) }
            }
        }
        return QuantizedMatrix(format: .q8_0, rows: rows, cols: cols, bytes: bytes)
    }

    /// Oracle: slicing the dequantized values. A row slice, and a column slice on whole 32-element
    /// blocks, dequantize to exactly the sliced f32 matrix; a column slice that cuts a block is refused
    /// (nil: the loader then dequantizes).
    @Test func slicesDequantizeToTheSlicedMatrix() {
        let m = Self.matrix(rows: 8, cols: 128)
        let values = m.dequantized()  // [8, 128]
        for worldSize in [2, 4] {
            for rank in 0..<worldSize {
                let shard = TensorParallelShard(rank: rank, worldSize: worldSize)
                let rows = m.slice(.rows, shard: shard)
                let rowRange = shard.range(of: 8)
                #expect(rows?.dequantized() == Array(values[(rowRange.lowerBound * 128)..<(rowRange.upperBound * 128)]))
                let columns = m.slice(.columns, shard: shard)
                let colRange = shard.range(of: 128)
                var expected: [Float] = []
                for r in 0..<8 { expected += values[(r * 128 + colRange.lowerBound)..<(r * 128 + colRange.upperBound)] }
                #expect(columns?.dequantized() == expected)
            }
        }
        let cut = Self.matrix(rows: 2, cols: 96).slice(.columns, shard: TensorParallelShard(rank: 1, worldSize: 2))
        #expect(cut == nil)
    }
}
