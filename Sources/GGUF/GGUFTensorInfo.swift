// Where one tensor lives in a GGUF file and how it is shaped. GGUF lists dimensions fastest-varying first
// (`ne[0]` is the contiguous axis); `shape` gives the PyTorch/HF order ([rows, cols] for a matrix).

/// One tensor's header entry, validated against the file: its bytes lie inside the data section.
///
/// An HF `Linear` weight `[out, in]` appears with `dimensions == [in, out]` and `shape == [out, in]`; its
/// ``rowCount`` is `out`, each row holds ``rowLength`` `= in` elements in ``rowByteCount`` bytes, and
/// quantization blocks run along the row.
public struct GGUFTensorInfo: Sendable, Hashable {
    /// The GGUF tensor name, e.g. `blk.0.attn_q.weight`.
    public let name: String
    /// The raw GGUF dimensions `ne`, contiguous axis first: `[in, out]` for a Linear weight.
    public let dimensions: [Int]
    /// The element type.
    public let type: GGUFTensorType
    /// The offset as stored: relative to the start of the data section, a multiple of the file's alignment.
    public let dataOffset: Int
    /// The absolute byte range of the tensor's data in the file.
    public let byteRange: Range<Int>
    /// Elements in the whole tensor (product of ``dimensions``; 1 for a scalar).
    public let elementCount: Int

    /// PyTorch/HF order (``dimensions`` reversed): `[rows, cols]` for a matrix, `[n]` for a vector.
    public var shape: [Int] { dimensions.reversed() }

    /// Bytes of tensor data.
    public var byteCount: Int { byteRange.count }

    /// Elements per row: `ne[0]` (1 for a 0-dimensional tensor).
    public var rowLength: Int { dimensions.first ?? 1 }

    /// Rows: the product of `ne[1...]` (1 for a vector).
    public var rowCount: Int { dimensions.dropFirst().reduce(1, *) }

    /// Bytes per row: `rowLength / type.blockSize * type.bytesPerBlock`.
    public var rowByteCount: Int { rowLength / type.blockSize * type.bytesPerBlock }

    /// Quantization blocks per row.
    public var blocksPerRow: Int { rowLength / type.blockSize }

    public init(name: String, dimensions: [Int], type: GGUFTensorType, dataOffset: Int, byteRange: Range<Int>) {
        precondition(dimensions.allSatisfy { $0 >= 0 }, "negative dimension")
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.dataOffset = dataOffset
        self.byteRange = byteRange
        self.elementCount = dimensions.reduce(1, *)
    }
}
