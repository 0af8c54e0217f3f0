// Parsing and validation of a safetensors header against the file it came from, following the
// rules of huggingface/safetensors `tensor.rs` (`read_metadata`, `validate`): header length in the
// file and ≤ 100 MB, JSON object starting with `{` (trailing space padding allowed), known dtypes,
// no duplicate names, and data offsets that tile the data buffer exactly (no holes or overlaps).

/// The validated header of one safetensors file.
struct SafeTensorsHeader {
    /// safetensors' `MAX_HEADER_SIZE`.
    static let maximumHeaderLength: UInt64 = 100_000_000

    let metadata: [String: String]
    /// Tensors in header order.
    let tensors: [SafeTensorsFile.TensorInfo]

    init(fileBytes: UnsafeRawBufferPointer, path: String) throws(CheckpointError) {
        let fileSize = fileBytes.count
        guard fileSize >= 8 else {
            throw .truncatedFile(
                file: path, detail: "the file has \(fileSize) bytes, fewer than the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: fileBytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(fileSize - 8) else {
            throw .headerLengthPastEnd(file: path, headerByteCount: headerLength, fileByteCount: fileSize)
        }
        guard headerLength <= Self.maximumHeaderLength else {
            throw .invalidHeader(
                file: path, reason: "header length \(headerLength) exceeds \(Self.maximumHeaderLength) bytes")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerBytes = UnsafeRawBufferPointer(rebasing: fileBytes[8..<headerEnd])
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw .invalidHeader(file: path, reason: "the JSON header does not start with '{'")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(headerBytes)
        } catch {
            throw .badJSON(file: path, reason: error.description)
        }
        guard let members = json.members else {
            throw .badJSON(file: path, reason: "the header is not a JSON object")
        }

        var metadata: [String: String] = [:]
        var tensors: [SafeTensorsFile.TensorInfo] = []
        var seen = Set<String>()
        var sawMetadata = false
        for member in members {
            if member.key == "__metadata__" {
                guard !sawMetadata else { throw .duplicateTensor(file: path, tensor: "__metadata__") }
                sawMetadata = true
                metadata = try Self.parseMetadata(member.value, path: path)
                continue
            }
            guard seen.insert(member.key).inserted else { throw .duplicateTensor(file: path, tensor: member.key) }
            tensors.append(try Self.parseEntry(member, dataStart: headerEnd, path: path))
        }
        try Self.validateOffsets(tensors, dataLength: fileSize - headerEnd, dataStart: headerEnd, path: path)
        self.metadata = metadata
        self.tensors = tensors
    }

    // MARK: - Entries

    private static func parseMetadata(_ value: JSONValue, path: String) throws(CheckpointError) -> [String: String] {
        if value.isNull { return [:] }
        guard let members = value.members else {
            throw .invalidHeader(file: path, reason: "__metadata__ is a \(value.typeName), not an object")
        }
        var metadata: [String: String] = [:]
        for member in members {
            guard let string = member.value.string else {
                throw .invalidHeader(
                    file: path,
                    reason: "__metadata__ value for '\(member.key)' is a \(member.value.typeName), not a string")
            }
            metadata[member.key] = string
        }
        return metadata
    }

    private static func parseEntry(
        _ member: JSONMember, dataStart: Int, path: String
    ) throws(CheckpointError) -> SafeTensorsFile.TensorInfo {
        let name = member.key
        guard member.value.members != nil else {
            throw .invalidHeader(file: path, reason: "entry '\(name)' is a \(member.value.typeName), not an object")
        }
        guard let dtypeName = member.value["dtype"]?.string else {
            throw .invalidHeader(file: path, reason: "entry '\(name)' has no string 'dtype'")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw .unsupportedDType(file: path, tensor: name, dtype: dtypeName)
        }
        guard let shapeValues = member.value["shape"]?.array else {
            throw .invalidHeader(file: path, reason: "entry '\(name)' has no 'shape' array")
        }
        var shape: [Int] = []
        for value in shapeValues {
            guard let dimension = value.int, dimension >= 0 else {
                throw .invalidHeader(
                    file: path, reason: "entry '\(name)' has a shape entry that is not a non-negative integer")
            }
            shape.append(dimension)
        }
        guard let offsets = member.value["data_offsets"]?.array, offsets.count == 2,
            let begin = offsets[0].int, let end = offsets[1].int, begin >= 0, end >= 0
        else {
            throw .badDataOffsets(file: path, tensor: name, reason: "not a pair of non-negative integers")
        }
        guard begin <= end else {
            throw .badDataOffsets(file: path, tensor: name, reason: "begin \(begin) is after end \(end)")
        }
        // Element count and byte size, guarded against overflow from hostile shapes.
        var elementCount = 1
        for dimension in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw .badDataOffsets(file: path, tensor: name, reason: "shape \(shape) is too large")
            }
            elementCount = product
        }
        let (bitCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.bitSize)
        guard !overflow else { throw .badDataOffsets(file: path, tensor: name, reason: "shape \(shape) is too large") }
        guard bitCount % 8 == 0 else {
            throw .badDataOffsets(
                file: path, tensor: name,
                reason: "\(elementCount) \(dtype.rawValue) elements are not a whole number of bytes")
        }
        guard end - begin == bitCount / 8 else {
            throw .badDataOffsets(
                file: path, tensor: name,
                reason: "[\(begin), \(end)) holds \(end - begin) bytes but shape \(shape) of \(dtype.rawValue) "
                    + "needs \(bitCount / 8)")
        }
        // Hostile offsets near Int.max could overflow `dataStart + end`.
        let (absoluteEnd, endOverflow) = dataStart.addingReportingOverflow(end)
        guard !endOverflow else { throw .badDataOffsets(file: path, tensor: name, reason: "end \(end) is too large") }
        return .init(name: name, dtype: dtype, shape: shape, byteRange: (dataStart + begin)..<absoluteEnd)
    }

    // MARK: - Tiling

    /// The entries, sorted by offset, must tile `[0, dataLength)` exactly.
    private static func validateOffsets(
        _ tensors: [SafeTensorsFile.TensorInfo], dataLength: Int, dataStart: Int, path: String
    ) throws(CheckpointError) {
        let sorted = tensors.sorted {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound)
        }
        var cursor = 0
        for info in sorted {
            let begin = info.byteRange.lowerBound - dataStart
            let end = info.byteRange.upperBound - dataStart
            if begin < cursor {
                throw .badDataOffsets(
                    file: path, tensor: info.name,
                    reason: "[\(begin), \(end)) overlaps the previous tensor (ends at \(cursor))")
            }
            if begin > cursor {
                throw .badDataOffsets(
                    file: path, tensor: info.name, reason: "[\(begin), \(end)) leaves a hole after byte \(cursor)")
            }
            cursor = end
        }
        if cursor > dataLength {
            throw .truncatedFile(
                file: path, detail: "the tensors need \(cursor) data bytes but the file holds \(dataLength)")
        }
        if cursor < dataLength {
            throw .invalidHeader(
                file: path, reason: "\(dataLength - cursor) bytes after the last tensor are not covered by any tensor")
        }
    }
}
