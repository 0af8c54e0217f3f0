// Hand-assembles GGUF byte streams for tests that need files gguf-py will not write: malformed headers, bad
// counts and offsets, empty arrays, unknown types. Little-endian, following ggml docs/gguf.md.

import GGUF

/// Builds a GGUF file byte by byte.
struct GGUFBytesBuilder {
    var bytes: [UInt8] = []

    /// Starts a file: magic, version, tensor count, kv count.
    init(version: UInt32 = 3, tensorCount: UInt64 = 0, kvCount: UInt64 = 0, magic: [UInt8] = Array("GGUF".utf8)) {
        bytes = magic
        u32(version)
        u64(tensorCount)
        u64(kvCount)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        bytes.append(contentsOf: Array(s.utf8))
    }

    /// A key and a value type code; the caller appends the payload.
    mutating func key(_ key: String, type: GGUFValueType) {
        string(key)
        u32(type.rawValue)
    }

    mutating func keyU32(_ key: String, _ value: UInt32) {
        self.key(key, type: .uint32)
        u32(value)
    }

    mutating func keyString(_ key: String, _ value: String) {
        self.key(key, type: .string)
        string(value)
    }

    /// A tensor info entry.
    mutating func tensorInfo(_ name: String, ne: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(ne.count))
        for d in ne { u64(d) }
        u32(type)
        u64(offset)
    }

    /// Zero padding up to the next multiple of `alignment`.
    mutating func pad(to alignment: Int = 32) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func zeros(_ count: Int) { bytes.append(contentsOf: repeatElement(0, count: count)) }

    /// Parses the bytes built so far.
    func open(name: String = "built.gguf") throws(GGUFError) -> GGUFFile { try GGUFFile(bytes: bytes, name: name) }
}
