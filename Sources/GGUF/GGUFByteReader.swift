// A bounds-checked little-endian cursor over the bytes of a GGUF file. Every read checks the remaining length
// first and throws `GGUFError` instead of trapping, so malformed files cannot crash the parser.

/// Reads little-endian scalars and GGUF strings from a byte buffer, advancing ``offset``.
struct GGUFByteReader {
    let bytes: UnsafeRawBufferPointer
    /// Path (or name) of the file, for errors.
    let file: String
    private(set) var offset: Int = 0

    init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Bytes left after ``offset``.
    var remaining: Int { bytes.count - offset }

    /// Throws `truncated` unless `count` more bytes are available.
    func require(_ count: Int, field: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(file: file, field: field(), offset: offset, needed: count)
        }
    }

    mutating func read<T: FixedWidthInteger>(
        _: T.Type, field: @autoclosure () -> String
    ) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        try require(size, field: field())
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func readFloat(field: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, field: field()))
    }

    mutating func readDouble(field: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, field: field()))
    }

    /// A GGUF string: `u64 length` then that many bytes. Invalid UTF-8 is repaired with U+FFFD.
    mutating func readString(field: @autoclosure () -> String) throws(GGUFError) -> String {
        let lengthOffset = offset
        let length = try read(UInt64.self, field: field())
        guard length <= UInt64(remaining) else {
            throw .stringPastEnd(file: file, field: field(), offset: lengthOffset, length: length)
        }
        let count = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return String(decoding: slice, as: UTF8.self)
    }

    /// Moves ``offset`` forward to the next multiple of `alignment` (or to the end of the buffer, if sooner).
    /// Returns the aligned offset, which may lie past the end of the buffer.
    mutating func align(to alignment: Int) -> Int {
        let padding = (alignment - offset % alignment) % alignment
        let aligned = offset + padding
        offset = min(aligned, bytes.count)
        return aligned
    }
}
