// A block-quantized weight repacked for the CPU kernels: block scales (and mins) kept as the file's f16
// bits (a Q4_1 block stays 20 bytes: batch-1 decode is bound by weight reads), ordered so a row's worth
// converts to f32 in a few SIMD ops, and the integer values reordered so that a few SIMD shifts/masks
// yield them in element order. Dequantizing a row gives exactly QuantizedMatrix.dequantizeRow's values.

import Backend
import CPUKernelABI

/// A `[rows, cols]` quantized matrix in the CPU backend's layout.
///
/// Per row, `blocksPerRow = cols / 32` blocks; block `(r, b)` has:
/// - d as f16 bits in `scales[r · scaleStride + halfIndex(b)]`, where within each group of 8 blocks the
///   order is 0, 4, 1, 5, 2, 6, 3, 7 (so the low/high halves of four 32-bit lanes are blocks 0–3 / 4–7;
///   `unpackHalves`); rows padded to `scaleStride`, a multiple of 8;
/// - for Q4_1 m likewise in `mins`; Q4_0 has none (its value is d·(q − 8));
/// - its values at `quants + (r·nb + b) · bytesPerPackedBlock`:
///   - Q4 (16 bytes): byte 2i = e[i] | e[i+8] << 4, byte 2i+1 = e[i+16] | e[i+24] << 4 (i < 8), so the
///     16-bit lane i holds nibbles of elements i, i+8, i+16, i+24 at bits 0, 4, 8, 12;
///   - Q8_0 (32 bytes): byte 2i = e[i], byte 2i+1 = e[i+16] (i < 16), so the 16-bit lane i holds
///     elements i (low byte) and i+16 (high byte).
final class CPUQuantizedWeight: @unchecked Sendable {
    let format: QuantizedMatrix.Format
    let rows: Int
    let cols: Int
    let blocksPerRow: Int
    /// Per-row length of `scales` / `mins`: blocksPerRow rounded up to a multiple of 8.
    let scaleStride: Int
    /// [rows, scaleStride] block scales d (f16 bits, order `halfIndex`).
    let scales: UnsafeMutablePointer<UInt16>
    /// [rows, scaleStride] block offsets m (Q4_1 only; a single unused entry otherwise).
    let mins: UnsafeMutablePointer<UInt16>
    /// [rows, blocksPerRow, bytesPerPackedBlock] repacked values.
    let quants: UnsafeMutableRawPointer

    /// Packed bytes per block: 16 for Q4_0/Q4_1, 32 for Q8_0.
    var bytesPerPackedBlock: Int { format == .q8_0 ? 32 : 16 }
    var isQ4: Bool { format != .q8_0 }
    /// The format as the kernels name it.
    var jobFormat: QuantizedRowJob.Format {
        switch format {
        case .q4_0: .q4_0
        case .q4_1: .q4_1
        case .q8_0: .q8_0
        }
    }
    var byteCount: Int { rows * (blocksPerRow * bytesPerPackedBlock + scaleStride * (format == .q4_1 ? 4 : 2)) }

    init(_ matrix: QuantizedMatrix) {
        format = matrix.format
        rows = matrix.rows
        cols = matrix.cols
        blocksPerRow = matrix.blocksPerRow
        let blockCount = rows * blocksPerRow
        let packed = matrix.format == .q8_0 ? 32 : 16
        scaleStride = (blocksPerRow + 7) / 8 * 8
        scales = .allocate(capacity: max(rows * scaleStride, 1))
        scales.initialize(repeating: 0, count: max(rows * scaleStride, 1))
        let minCount = matrix.format == .q4_1 ? max(rows * scaleStride, 1) : 1
        mins = .allocate(capacity: minCount)
        mins.initialize(repeating: 0, count: minCount)
        quants = .allocate(byteCount: max(blockCount * packed, 1), alignment: 64)
        matrix.bytes.withUnsafeBytes { raw in
            for block in 0..<blockCount {
                repack(block: block, from: raw.baseAddress! + block * matrix.format.bytesPerBlock)
            }
        }
    }

    deinit {
        scales.deallocate()
        mins.deallocate()
        quants.deallocate()
    }

    /// Where block `b` of a row keeps its f16 scale (and min) within the row's `scaleStride` entries.
    @inline(__always)
    static func halfIndex(_ b: Int) -> Int { (b & ~7) + (b & 3) * 2 + (b & 7) / 4 }

    /// Offset in `scales` / `mins` of row-major block `block`.
    @inline(__always)
    func halfOffset(block: Int) -> Int { (block / blocksPerRow) * scaleStride + Self.halfIndex(block % blocksPerRow) }

    /// Fills block `block` (row-major block index) from its ggml bytes.
    private func repack(block: Int, from x: UnsafeRawPointer) {
        scales[halfOffset(block: block)] = UInt16(littleEndian: x.loadUnaligned(as: UInt16.self))
        let out = quants.assumingMemoryBound(to: UInt8.self) + block * bytesPerPackedBlock
        switch format {
        case .q8_0:
            for i in 0..<16 {
                out[2 * i] = x.load(fromByteOffset: 2 + i, as: UInt8.self)
                out[2 * i + 1] = x.load(fromByteOffset: 2 + i + 16, as: UInt8.self)
            }
        case .q4_0, .q4_1:
            let qsOffset = format == .q4_1 ? 4 : 2
            if format == .q4_1 {
                mins[halfOffset(block: block)] = UInt16(littleEndian: x.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
            }
            /// Element j's nibble in the ggml block: qs[j] low nibble (j < 16) or qs[j − 16] high nibble.
            func element(_ j: Int) -> UInt8 {
                let byte = x.load(fromByteOffset: qsOffset + j % 16, as: UInt8.self)
                return j < 16 ? byte & 0x0F : byte >> 4
            }
            for i in 0..<8 {
                out[2 * i] = element(i) | (element(i + 8) << 4)
                out[2 * i + 1] = element(i + 16) | (element(i + 24) << 4)
            }
        }
    }

    /// Integer value of element `j` (0..<32) of block `block`: the nibble (0…15) or the signed byte.
    @inline(__always)
    func value(block: Int, element j: Int) -> Int {
        let bytes = quants.assumingMemoryBound(to: UInt8.self) + block * bytesPerPackedBlock
        switch format {
        case .q8_0:
            return Int(Int8(bitPattern: bytes[2 * (j % 16) + j / 16]))
        case .q4_0, .q4_1:
            let byte = bytes[2 * (j % 8) + j / 16]
            return Int((j / 8) % 2 == 0 ? byte & 0x0F : byte >> 4)
        }
    }

    /// Row `row` dequantized into `destination` `[cols]`, bit-identical to `QuantizedMatrix.dequantizeRow`.
    func dequantizeRow(_ row: Int, into destination: UnsafeMutablePointer<Float>) {
        for b in 0..<blocksPerRow {
            let block = row * blocksPerRow + b
            let d = QuantizedMatrix.halfToFloat(scales[halfOffset(block: block)])
            let y = destination + b * 32
            switch format {
            case .q8_0:
                for j in 0..<32 { y[j] = Float(value(block: block, element: j)) * d }
            case .q4_0:
                for j in 0..<32 { y[j] = d * Float(value(block: block, element: j) - 8) }
            case .q4_1:
                let m = QuantizedMatrix.halfToFloat(mins[halfOffset(block: block)])
                for j in 0..<32 {
                    let low = d * Float(value(block: block, element: j))
                    y[j] = low + m
                }
            }
        }
    }
}
