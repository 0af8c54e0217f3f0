// Parses the header, metadata and tensor infos of a GGUF v2/v3 file held in memory, validating every count,
// length and offset against the buffer. Layout (ggml docs/gguf.md):
//   u32 magic "GGUF" | u32 version | u64 tensorCount | u64 kvCount | kv[kvCount] | tensorInfo[tensorCount]
//   | padding to alignment | tensor data (each tensor at a multiple of alignment from the data start)

/// The parsed, validated structure of a GGUF file (no tensor data is copied).
struct GGUFContents: Sendable {
    var version: UInt32
    var metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    var metadataKeys: [String]
    var tensors: [String: GGUFTensorInfo]
    /// Tensor names in file order.
    var tensorNames: [String]
    var alignment: Int
    /// Absolute offset of the data section.
    var dataOffset: Int
}

/// Stateless GGUF header parser.
enum GGUFParser {
    /// `"GGUF"` read as a little-endian u32.
    static let magic: UInt32 = 0x4655_4747
    static let defaultAlignment = 32
    /// ggml's `GGML_MAX_DIMS`.
    static let maxDimensions = 4
    /// Deepest array nesting accepted; real files nest at most once. Bounds recursion on hostile input.
    static let maxArrayDepth = 8

    // MARK: - File

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(GGUFError) -> GGUFContents {
        var reader = GGUFByteReader(bytes: bytes, file: file)
        let magic = try reader.read(UInt32.self, field: "header (magic)")
        guard magic == Self.magic else { throw .badMagic(file: file, found: magic) }
        let version = try reader.read(UInt32.self, field: "header (version)")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(file: file, version: version) }
        let tensorCount = try reader.read(UInt64.self, field: "header (tensor count)")
        let kvCount = try reader.read(UInt64.self, field: "header (metadata count)")

        // Each kv needs at least 8 (key length) + 4 (type) + 1 bytes; refuse counts the file cannot hold before
        // reserving anything.
        guard kvCount <= UInt64(reader.remaining / 13) else {
            throw .countTooLarge(file: file, field: "header (metadata count)", count: kvCount)
        }
        var metadata: [String: GGUFValue] = [:]
        var metadataKeys: [String] = []
        metadata.reserveCapacity(Int(kvCount))
        metadataKeys.reserveCapacity(Int(kvCount))
        for index in 0..<Int(kvCount) {
            let key = try reader.readString(field: "metadata key #\(index)")
            let rawType = try reader.read(UInt32.self, field: "metadata '\(key)' (type)")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw .unknownValueType(file: file, key: key, rawType: rawType)
            }
            let value = try readValue(type, key: key, depth: 0, reader: &reader)
            guard metadata.updateValue(value, forKey: key) == nil else { throw .duplicateKey(file: file, key: key) }
            metadataKeys.append(key)
        }

        let alignment = try alignment(of: metadata, file: file)

        // Each tensor info needs at least 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset) bytes.
        guard tensorCount <= UInt64(reader.remaining / 24) else {
            throw .countTooLarge(file: file, field: "header (tensor count)", count: tensorCount)
        }
        var rawInfos: [(name: String, dimensions: [Int], type: GGUFTensorType, offset: UInt64, byteCount: Int)] = []
        rawInfos.reserveCapacity(Int(tensorCount))
        for index in 0..<Int(tensorCount) {
            rawInfos.append(try readTensorInfo(index: index, reader: &reader))
        }

        let dataOffset = reader.align(to: alignment)
        let dataSectionByteCount = max(0, bytes.count - dataOffset)
        var tensors: [String: GGUFTensorInfo] = [:]
        var tensorNames: [String] = []
        tensors.reserveCapacity(rawInfos.count)
        tensorNames.reserveCapacity(rawInfos.count)
        for raw in rawInfos {
            guard raw.offset % UInt64(alignment) == 0 else {
                throw .misaligned(file: file, tensor: raw.name, offset: raw.offset, alignment: alignment)
            }
            guard raw.offset <= UInt64(dataSectionByteCount),
                raw.byteCount <= dataSectionByteCount - Int(raw.offset)
            else {
                throw .tensorDataPastEnd(
                    file: file, tensor: raw.name, offset: raw.offset, byteCount: raw.byteCount,
                    dataSectionByteCount: dataSectionByteCount)
            }
            let start = dataOffset + Int(raw.offset)
            let info = GGUFTensorInfo(
                name: raw.name, dimensions: raw.dimensions, type: raw.type, dataOffset: Int(raw.offset),
                byteRange: start..<(start + raw.byteCount))
            guard tensors.updateValue(info, forKey: raw.name) == nil else {
                throw .duplicateTensor(file: file, tensor: raw.name)
            }
            tensorNames.append(raw.name)
        }
        return GGUFContents(
            version: version, metadata: metadata, metadataKeys: metadataKeys, tensors: tensors,
            tensorNames: tensorNames, alignment: alignment, dataOffset: dataOffset)
    }

    // MARK: - Metadata values

    private static func readValue(
        _ type: GGUFValueType, key: String, depth: Int, reader: inout GGUFByteReader
    ) throws(GGUFError) -> GGUFValue {
        let field = "metadata '\(key)'"
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, field: field))
        case .int8: return .int8(try reader.read(Int8.self, field: field))
        case .uint16: return .uint16(try reader.read(UInt16.self, field: field))
        case .int16: return .int16(try reader.read(Int16.self, field: field))
        case .uint32: return .uint32(try reader.read(UInt32.self, field: field))
        case .int32: return .int32(try reader.read(Int32.self, field: field))
        case .uint64: return .uint64(try reader.read(UInt64.self, field: field))
        case .int64: return .int64(try reader.read(Int64.self, field: field))
        case .float32: return .float32(try reader.readFloat(field: field))
        case .float64: return .float64(try reader.readDouble(field: field))
        case .bool:
            let byte = try reader.read(UInt8.self, field: field)
            guard byte <= 1 else {
                throw .invalidValue(file: reader.file, key: key, reason: "bool byte \(byte) is neither 0 nor 1")
            }
            return .bool(byte == 1)
        case .string:
            return .string(try reader.readString(field: field))
        case .array:
            guard depth < maxArrayDepth else {
                throw .invalidValue(file: reader.file, key: key, reason: "arrays nested deeper than \(maxArrayDepth)")
            }
            let rawElementType = try reader.read(UInt32.self, field: "\(field) (array element type)")
            guard let elementType = GGUFValueType(rawValue: rawElementType) else {
                throw .unknownValueType(file: reader.file, key: key, rawType: rawElementType)
            }
            let count = try reader.read(UInt64.self, field: "\(field) (array count)")
            guard count <= UInt64(reader.remaining / elementType.minimumByteCount) else {
                throw .countTooLarge(file: reader.file, field: "\(field) (array count)", count: count)
            }
            var elements: [GGUFValue] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                elements.append(try readValue(elementType, key: key, depth: depth + 1, reader: &reader))
            }
            return .array(elementType, elements)
        }
    }

    /// `general.alignment` if present (any integer type, a positive power of two), else 32.
    private static func alignment(of metadata: [String: GGUFValue], file: String) throws(GGUFError) -> Int {
        guard let value = metadata["general.alignment"] else { return defaultAlignment }
        guard let alignment = value.intValue, alignment > 0, alignment.nonzeroBitCount == 1, alignment <= 1 << 30
        else { throw .invalidAlignment(file: file, value: "\(value)") }
        return alignment
    }

    // MARK: - Tensor infos

    private static func readTensorInfo(
        index: Int, reader: inout GGUFByteReader
    ) throws(GGUFError) -> (name: String, dimensions: [Int], type: GGUFTensorType, offset: UInt64, byteCount: Int) {
        let file = reader.file
        let name = try reader.readString(field: "tensor info #\(index) (name)")
        let field = "tensor info '\(name)'"
        let dimensionCount = try reader.read(UInt32.self, field: field)
        guard dimensionCount <= UInt32(maxDimensions) else {
            throw .invalidDimensions(
                file: file, tensor: name, dimensions: [],
                reason: "\(dimensionCount) dimensions (at most \(maxDimensions))")
        }
        var rawDimensions: [UInt64] = []
        for _ in 0..<Int(dimensionCount) { rawDimensions.append(try reader.read(UInt64.self, field: field)) }
        let rawType = try reader.read(UInt32.self, field: field)
        let offset = try reader.read(UInt64.self, field: field)
        guard let type = GGUFTensorType(rawValue: rawType) else {
            throw .unknownTensorType(file: file, tensor: name, rawType: rawType)
        }

        var dimensions: [Int] = []
        var elementCount = 1
        // The product with zeros read as ones must fit too, so that every partial product (`rowCount`, ...) of an
        // empty tensor is representable.
        var nonzeroProduct = 1
        for raw in rawDimensions {
            guard let dimension = Int(exactly: raw) else {
                throw .invalidDimensions(file: file, tensor: name, dimensions: rawDimensions, reason: "too large")
            }
            let (product, overflow) = nonzeroProduct.multipliedReportingOverflow(by: max(dimension, 1))
            guard !overflow else {
                throw .invalidDimensions(
                    file: file, tensor: name, dimensions: rawDimensions, reason: "element count overflows")
            }
            nonzeroProduct = product
            elementCount *= dimension
            dimensions.append(dimension)
        }
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0, let byteCount = type.byteCount(elementCount: elementCount) else {
            throw .invalidDimensions(
                file: file, tensor: name, dimensions: rawDimensions,
                reason: "ne[0] = \(rowLength) is not a multiple of the \(type) block size \(type.blockSize)")
        }
        return (name, dimensions, type, offset, byteCount)
    }
}
