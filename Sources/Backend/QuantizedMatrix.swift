// A weight matrix still in ggml block-quantized form (as GGUF stores it), handed to a backend that
// may keep it quantized. The reference dequantization lives here too: `makeWeight(quantized:)` must
// behave exactly as `makeWeight(dequantized(), …)` would. Block layouts from ggml-common.h.

/// A `[rows, cols]` row-major matrix in a ggml block format; blocks of 32 run along each row.
///
/// ```swift
/// let m = QuantizedMatrix(format: .q4_1, rows: 576, cols: 576, bytes: rawRowBytes)
/// let w = backend.makeWeight(quantized: m)   // same results as makeWeight(m.dequantized(), rows:cols:)
/// ```
public struct QuantizedMatrix: Sendable, Hashable {
    /// The block formats a backend may keep quantized.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// `{ f16 d; i8 qs[32] }`: value j = d · qs[j].
        case q8_0
        /// `{ f16 d; u8 qs[16] }`: value j = d · ((qs[j] & 0xF) − 8), value j+16 = d · ((qs[j] >> 4) − 8).
        case q4_0
        /// `{ f16 d; f16 m; u8 qs[16] }`: value j = d · (qs[j] & 0xF) + m, value j+16 = d · (qs[j] >> 4) + m.
        case q4_1

        /// Elements per block.
        public var blockSize: Int { 32 }

        /// Bytes per block: 34, 18, 20.
        public var bytesPerBlock: Int {
            switch self {
            case .q8_0: 34
            case .q4_0: 18
            case .q4_1: 20
            }
        }
    }

    public let format: Format
    public let rows: Int
    public let cols: Int
    /// `[rows, cols / 32]` blocks, row-major, exactly as ggml stores them (little-endian halves).
    public let bytes: [UInt8]

    /// - Precondition: `cols` is a multiple of 32 and `bytes.count == rows · rowByteCount`.
    public init(format: Format, rows: Int, cols: Int, bytes: [UInt8]) {
        precondition(rows >= 0 && cols >= 0 && cols % format.blockSize == 0, "cols \(cols) is not a multiple of 32")
        precondition(
            bytes.count == rows * (cols / format.blockSize) * format.bytesPerBlock,
            "\(bytes.count) bytes for a \(rows)×\(cols) \(format) matrix")
        self.format = format
        self.rows = rows
        self.cols = cols
        self.bytes = bytes
    }

    /// Blocks per row.
    public var blocksPerRow: Int { cols / format.blockSize }
    /// Bytes per row.
    public var rowByteCount: Int { blocksPerRow * format.bytesPerBlock }

    // MARK: - Reference dequantization

    /// All values as f32, `[rows, cols]`: the matrix this value stands for.
    public func dequantized() -> [Float] {
        [Float](unsafeUninitializedCapacity: rows * cols) { out, initialized in
            bytes.withUnsafeBytes { raw in
                for r in 0..<rows {
                    Self.dequantizeRow(
                        format, raw.baseAddress! + r * rowByteCount, cols: cols, into: out.baseAddress! + r * cols)
                }
            }
            initialized = rows * cols
        }
    }

    /// Dequantizes one row of `cols` elements from `source` (its blocks) into `destination`.
    ///
    /// Semantics per block as in ``Format``, the same products in the same order as ggml's
    /// `dequantize_row_*` (no fused multiply-add), halves converted exactly.
    public static func dequantizeRow(
        _ format: Format, _ source: UnsafeRawPointer, cols: Int, into destination: UnsafeMutablePointer<Float>
    ) {
        for b in 0..<(cols / 32) {
            let x = source + b * format.bytesPerBlock
            let y = destination + b * 32
            switch format {
            case .q8_0:
                let d = halfToFloat(UInt16(littleEndian: x.loadUnaligned(as: UInt16.self)))
                for j in 0..<32 { y[j] = Float(Int8(bitPattern: x.load(fromByteOffset: 2 + j, as: UInt8.self))) * d }
            case .q4_0:
                let d = halfToFloat(UInt16(littleEndian: x.loadUnaligned(as: UInt16.self)))
                for j in 0..<16 {
                    let q = x.load(fromByteOffset: 2 + j, as: UInt8.self)
                    y[j] = d * Float(Int(q & 0x0F) - 8)
                    y[j + 16] = d * Float(Int(q >> 4) - 8)
                }
            case .q4_1:
                let d = halfToFloat(UInt16(littleEndian: x.loadUnaligned(as: UInt16.self)))
                let m = halfToFloat(UInt16(littleEndian: x.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
                for j in 0..<16 {
                    let q = x.load(fromByteOffset: 4 + j, as: UInt8.self)
                    let low = d * Float(q & 0x0F)
                    let high = d * Float(q >> 4)
                    y[j] = low + m
                    y[j + 16] = high + m
                }
            }
        }
    }

    /// IEEE half bits → f32, exact for every pattern.
    public static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
