// One memory-mapped safetensors file: header parsed and validated at open, tensors read on demand
// as Float (from F32, F16 or BF16). Format: 8-byte little-endian header length N, N bytes of JSON
// header, then the data buffer that every tensor's `data_offsets` index into.

import Foundation

/// A validated, memory-mapped safetensors file.
///
/// Opening checks everything the format promises (see `SafeTensorsHeader`); afterwards reads
/// cannot go out of bounds. The mapping lives as long as this object.
public final class SafeTensorsFile: Sendable {
    /// One tensor's header entry.
    public struct TensorInfo: Sendable, Hashable {
        public let name: String
        public let dtype: SafeTensorsDType
        /// Row-major dimensions; `[]` for a 0-rank (scalar) tensor.
        public let shape: [Int]
        /// Byte range of the tensor's data in the whole file (header included in the offset).
        public let byteRange: Range<Int>

        /// Product of `shape` (1 for a scalar).
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// The file's path, used in every error.
    public let path: String
    /// The `__metadata__` string map (e.g. `["format": "pt"]`), empty when absent.
    public let metadata: [String: String]
    /// Tensor names in header order.
    public let tensorNames: [String]
    private let infos: [String: TensorInfo]
    private let mapping: MappedFile

    // MARK: - Opening

    /// Maps and validates the safetensors file at `url`.
    public convenience init(url: URL) throws(CheckpointError) {
        try self.init(path: url.path)
    }

    /// Maps and validates the safetensors file at `path`.
    public init(path: String) throws(CheckpointError) {
        let mapping = try MappedFile(path: path)
        let header = try SafeTensorsHeader(fileBytes: mapping.bytes, path: path)
        self.path = path
        self.mapping = mapping
        self.metadata = header.metadata
        self.tensorNames = header.tensors.map(\.name)
        self.infos = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: - Queries

    /// Whether the file holds a tensor named `name`.
    public func contains(_ name: String) -> Bool { infos[name] != nil }

    /// The header entry of `name`, or nil when absent.
    public func info(_ name: String) -> TensorInfo? { infos[name] }

    /// Size of the whole file in bytes.
    public var fileByteCount: Int { mapping.bytes.count }

    /// Calls `body` with the whole file's bytes (header included), e.g. to hash the file without
    /// reading it again. The buffer is valid only during the call.
    public func withUnsafeFileBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(mapping.bytes)
    }

    // MARK: - Reading

    /// The tensor `name` as Floats, after checking that its shape is exactly `shape`.
    /// - Returns: `[shape.product]` row-major values.
    public func floats(_ name: String, shape: [Int]) throws(CheckpointError) -> [Float] {
        guard let info = infos[name] else { throw .missingTensor(file: path, tensor: name) }
        guard info.shape == shape else {
            throw .wrongShape(file: path, tensor: name, expected: shape, found: info.shape)
        }
        return try floats(info)
    }

    /// The tensor `name` as Floats in whatever shape it has (see `info(_:)` for the shape).
    public func floats(_ name: String) throws(CheckpointError) -> [Float] {
        guard let info = infos[name] else { throw .missingTensor(file: path, tensor: name) }
        return try floats(info)
    }

    private func floats(_ info: TensorInfo) throws(CheckpointError) -> [Float] {
        guard info.dtype.isReadableAsFloat else {
            throw .unsupportedDType(file: path, tensor: info.name, dtype: info.dtype.rawValue)
        }
        let count = info.elementCount
        // Validated at open: byteRange lies inside the mapping and holds exactly `count` elements.
        let source = UnsafeRawBufferPointer(rebasing: mapping.bytes[info.byteRange])
        return [Float](unsafeUninitializedCapacity: count) { output, initializedCount in
            switch info.dtype {
            case .f32:
                if count > 0, let destination = output.baseAddress, let start = source.baseAddress {
                    UnsafeMutableRawPointer(destination).copyMemory(from: start, byteCount: count * 4)
                }
            case .f16:
                for index in 0..<count {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                    output[index] = HalfPrecision.floatFromF16(bits)
                }
            case .bf16:
                for index in 0..<count {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                    output[index] = HalfPrecision.floatFromBF16(bits)
                }
            default:
                preconditionFailure("dtype checked above")
            }
            initializedCount = count
        }
    }
}
