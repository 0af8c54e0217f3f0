// The plain-data description of one quantized matmul that the CPU kernel variants (CPUKernelsBaseline,
// CPUKernelsAVX2: one source compiled for two instruction sets) take from the CPU backend. Only raw
// pointers and sizes cross this seam, so both variants agree on it.

/// y = x·Wᵀ for a block-quantized `W` `[rows, cols]` in the CPU backend's repacked layout, with the
/// activations `x` `[tokens, cols]` already quantized per block of 32 (`QuantizedRows.quantizeActivations`).
///
/// Weight layout (see CPUBackend's `CPUQuantizedWeight`): per row `blocksPerRow` blocks of
/// `bytesPerPackedBlock` repacked values; f16 scales (and Q4_1 mins) in rows of `scaleStride` entries,
/// each group of 8 in the order 0, 4, 1, 5, 2, 6, 3, 7.
public struct QuantizedRowJob: @unchecked Sendable {
    /// The block format of the weight.
    public enum Format: Sendable {
        case q4_0, q4_1, q8_0
    }

    public let format: Format
    /// Output features (weight rows).
    public let rows: Int
    /// Input features (weight columns), a multiple of 32.
    public let cols: Int
    /// f16 entries per row of `scales` / `mins`: blocksPerRow rounded up to a multiple of 8.
    public let scaleStride: Int
    /// [rows, blocksPerRow, bytesPerPackedBlock] repacked values.
    public let quants: UnsafeRawPointer
    /// [rows, scaleStride] f16 block scales.
    public let scales: UnsafePointer<UInt16>
    /// [rows, scaleStride] f16 block mins (Q4_1 only).
    public let mins: UnsafePointer<UInt16>
    /// [tokens, cols] quantized activations in kernel order.
    public let values: UnsafeMutablePointer<Int16>
    /// [tokens, blocksPerRow] activation block scales d_x.
    public let activationScales: UnsafeMutablePointer<Float>
    /// [tokens, blocksPerRow] exact Σx per block.
    public let sums: UnsafeMutablePointer<Float>
    /// [tokens, blocksPerRow / 2, 8] (d_2p ×4, d_2p+1 ×4) per pair of blocks.
    public let pairScales: UnsafeMutablePointer<Float>
    /// [tokens, rows] the result.
    public let out: UnsafeMutablePointer<Float>

    public init(
        format: Format, rows: Int, cols: Int, scaleStride: Int, quants: UnsafeRawPointer, scales: UnsafePointer<UInt16>,
        mins: UnsafePointer<UInt16>, values: UnsafeMutablePointer<Int16>, activationScales: UnsafeMutablePointer<Float>,
        sums: UnsafeMutablePointer<Float>, pairScales: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        precondition(cols % 32 == 0, "quantized weights have whole blocks of 32 columns")
        self.format = format
        self.rows = rows
        self.cols = cols
        self.scaleStride = scaleStride
        self.quants = quants
        self.scales = scales
        self.mins = mins
        self.values = values
        self.activationScales = activationScales
        self.sums = sums
        self.pairScales = pairScales
        self.out = out
    }

    public var blocksPerRow: Int { cols / 32 }
    /// Packed bytes per block: 16 for Q4_0/Q4_1, 32 for Q8_0.
    public var bytesPerPackedBlock: Int { format == .q8_0 ? 32 : 16 }
    public var isQ4: Bool { format != .q8_0 }
    public var hasMins: Bool { format == .q4_1 }

    /// Activation levels each side of zero: as many as keep every 16-bit lane sum of the kernels in
    /// range: Q4 lanes add 4 products of |q| ≤ 15 (4·15·511 = 30660), Q8_0 lanes 2 of |q| ≤ 128
    /// (2·128·127 = 32512). Q4 gets 4× finer steps than llama.cpp's 8-bit activations at no cost.
    public var activationLevels: Int { isQ4 ? 511 : 127 }
}
