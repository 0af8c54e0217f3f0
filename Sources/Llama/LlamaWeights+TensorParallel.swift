// Loading one tensor-parallel rank's slice of a split matrix (Megatron: q/k/v/gate/up keep the rows of
// the rank's heads / MLP rows, o/down the matching columns), straight from the weight source, keeping
// block-quantized matrices quantized whenever the slice falls on whole 32-element blocks.

import Backend
import MemoryPool

/// How a weight matrix `[rows, cols]` is split across tensor-parallel ranks.
enum MatrixSplit: Sendable {
    /// Replicated on every rank (embedding, lm_head).
    case whole
    /// Column-parallel: rank r keeps rows `shard.range(of: rows)` (its output features).
    case rows
    /// Row-parallel: rank r keeps columns `shard.range(of: cols)` (its input features).
    case columns
}

extension LlamaWeights {
    /// Rank `shard`'s slice of matrix `name` `[rows, cols]` (`split` is `.rows` or `.columns`).
    static func shardedMatrix(
        _ name: String, rows: Int, cols: Int, split: MatrixSplit, shard: TensorParallelShard,
        from source: any LlamaWeightSource, on backend: B, keepQuantized: Bool
    ) throws -> B.Weight {
        if keepQuantized, let blocks = try source.quantized(name, shape: [rows, cols]),
            let part = blocks.slice(split, shard: shard)
        {
            return backend.makeWeight(quantized: part)
        }
        let values = try source.floats(name, shape: [rows, cols])  // [rows, cols]
        switch split {
        case .whole:
            return backend.makeWeight(values, rows: rows, cols: cols)
        case .rows:
            let range = shard.range(of: rows)
            return backend.makeWeight(
                Array(values[(range.lowerBound * cols)..<(range.upperBound * cols)]), rows: range.count, cols: cols)
        case .columns:
            let range = shard.range(of: cols)
            var part = [Float]()  // [rows, range.count]
            part.reserveCapacity(rows * range.count)
            for r in 0..<rows { part += values[(r * cols + range.lowerBound)..<(r * cols + range.upperBound)] }
            return backend.makeWeight(part, rows: rows, cols: range.count)
        }
    }
}

extension QuantizedMatrix {
    /// Rank `shard`'s slice (`split` as in `MatrixSplit`), or nil when a column slice would cut a
    /// 32-element block.
    func slice(_ split: MatrixSplit, shard: TensorParallelShard) -> QuantizedMatrix? {
        let matrix = self
        let rowBytes = matrix.rowByteCount
        switch split {
        case .whole:
            return matrix
        case .rows:
            let range = shard.range(of: matrix.rows)
            return QuantizedMatrix(
                format: matrix.format, rows: range.count, cols: matrix.cols,
                bytes: Array(matrix.bytes[(range.lowerBound * rowBytes)..<(range.upperBound * rowBytes)]))
        case .columns:
            let range = shard.range(of: matrix.cols)
            let block = matrix.format.blockSize
            guard range.lowerBound % block == 0, range.count % block == 0 else { return nil }
            let first = range.lowerBound / block * matrix.format.bytesPerBlock
            let count = range.count / block * matrix.format.bytesPerBlock
            var bytes = [UInt8]()  // [rows, count]
            bytes.reserveCapacity(matrix.rows * count)
            for r in 0..<matrix.rows { bytes += matrix.bytes[(r * rowBytes + first)..<(r * rowBytes + first + count)] }
            return QuantizedMatrix(format: matrix.format, rows: matrix.rows, cols: range.count, bytes: bytes)
        }
    }
}
