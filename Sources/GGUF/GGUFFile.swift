// A GGUF model file, memory-mapped read-only for its whole life (unmapped in deinit). Parsing validates every
// offset, so tensor bytes can be handed out as raw pointers (`rawData`) or dequantized to Float (`floats`).

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A GGUF v2/v3 file: metadata, tensor infos, and mapped tensor data.
///
/// ```swift
/// let file = try GGUFFile(url: URL(fileURLWithPath: "models/SmolLM2-135M-Instruct.Q4_1.gguf"))
/// let hp = try GGUFLlamaHyperparameters(file: file)
/// let norm = try file.floats("blk.0.attn_norm.weight")       // [hiddenSize]
/// let q = try file.rawData("blk.0.attn_q.weight")              // Q4_1 blocks, valid while `file` lives
/// ```
/// The type is immutable after `init` and the mapping is read-only, so it is safe to share across threads.
public final class GGUFFile: @unchecked Sendable {
    /// The path the file was opened from (or the name given to ``init(bytes:name:)``), used in errors.
    public let path: String
    /// 2 or 3.
    public let version: UInt32
    /// All metadata key/values.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// All tensors by GGUF name.
    public let tensors: [String: GGUFTensorInfo]
    /// Tensor names in file order.
    public let tensorNames: [String]
    /// `general.alignment`, or 32.
    public let alignment: Int
    /// Absolute offset of the tensor data section.
    public let dataOffset: Int

    private let storage: Storage

    /// Where the bytes live: an mmap (from a file) or an owned copy (from `init(bytes:)`).
    private enum Storage {
        case mapped(UnsafeMutableRawPointer, byteCount: Int)
        case owned(UnsafeMutableRawBufferPointer)
        case empty

        var bytes: UnsafeRawBufferPointer {
            switch self {
            case .mapped(let base, let byteCount): return UnsafeRawBufferPointer(start: base, count: byteCount)
            case .owned(let buffer): return UnsafeRawBufferPointer(buffer)
            case .empty: return UnsafeRawBufferPointer(start: nil, count: 0)
            }
        }

        func release() {
            switch self {
            case .mapped(let base, let byteCount): munmap(base, byteCount)
            case .owned(let buffer): buffer.deallocate()
            case .empty: break
            }
        }
    }

    // MARK: - Opening

    /// Memory-maps and parses the file at `url`.
    ///
    /// Throws ``GGUFError`` for unreadable, malformed or unsupported files; never traps on bad input.
    public convenience init(url: URL) throws(GGUFError) {
        let path = url.path
        try self.init(storage: Self.map(path: path), path: path)
    }

    /// Parses a GGUF file already in memory (the bytes are copied). `name` stands in for the path in errors.
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(GGUFError) {
        let storage: Storage
        if bytes.isEmpty {
            storage = .empty
        } else {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
            buffer.copyBytes(from: bytes)
            storage = .owned(buffer)
        }
        try self.init(storage: storage, path: name)
    }

    private init(storage: Storage, path: String) throws(GGUFError) {
        let contents: GGUFContents
        do throws(GGUFError) {
            contents = try GGUFParser.parse(storage.bytes, file: path)
        } catch {
            storage.release()  // deinit does not run for an object whose init failed
            throw error
        }
        self.storage = storage
        self.path = path
        self.version = contents.version
        self.metadata = contents.metadata
        self.metadataKeys = contents.metadataKeys
        self.tensors = contents.tensors
        self.tensorNames = contents.tensorNames
        self.alignment = contents.alignment
        self.dataOffset = contents.dataOffset
    }

    deinit {
        storage.release()
    }

    private static func map(path: String) throws(GGUFError) -> Storage {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .cannotOpen(file: path, reason: "not a regular file") }
        guard let byteCount = Int(exactly: status.st_size), byteCount > 0 else { return .empty }
        let base = mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let base, base != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .cannotOpen(file: path, reason: "mmap failed: " + String(cString: strerror(errno)))
        }
        return .mapped(base, byteCount: byteCount)
    }

    // MARK: - Tensor data

    /// The total size of the file in bytes.
    public var byteCount: Int { storage.bytes.count }

    /// The tensor info for `name`, or `tensorNotFound`.
    public func tensor(_ name: String) throws(GGUFError) -> GGUFTensorInfo {
        guard let info = tensors[name] else { throw .tensorNotFound(file: path, tensor: name) }
        return info
    }

    /// The tensor's raw bytes exactly as stored (quant blocks included). Valid only while this file is alive:
    /// keep a reference to the `GGUFFile` for as long as the pointer is used.
    public func rawData(_ name: String) throws(GGUFError) -> UnsafeRawBufferPointer {
        rawData(try tensor(name))
    }

    /// The raw bytes of a tensor of this file, as stored. Valid only while this file is alive.
    public func rawData(_ info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        precondition(tensors[info.name] == info, "tensor info from another file")
        return UnsafeRawBufferPointer(rebasing: storage.bytes[info.byteRange])
    }

    /// The whole tensor dequantized to Float, in storage order: `[rowCount, rowLength]` = `shape` flattened.
    ///
    /// Supported types: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K (others throw `unsupportedTensorType`).
    public func floats(_ name: String) throws(GGUFError) -> [Float] {
        let info = try tensor(name)
        return try floats(name, rows: 0..<info.rowCount)
    }

    /// Rows `rows` of the tensor dequantized to Float: `[rows.count, rowLength]`.
    ///
    /// A row is one `ne[0]` run, i.e. one row of the HF `[rows, cols]` matrix (e.g. one token's embedding).
    public func floats(_ name: String, rows: Range<Int>) throws(GGUFError) -> [Float] {
        let info = try tensor(name)
        guard info.type.isDequantizable else {
            throw .unsupportedTensorType(file: path, tensor: name, type: info.type.description)
        }
        guard rows.lowerBound >= 0, rows.upperBound <= info.rowCount else {
            throw .rowsOutOfRange(file: path, tensor: name, rows: rows, rowCount: info.rowCount)
        }
        let data = rawData(info)
        let source = UnsafeRawBufferPointer(
            rebasing: data[(rows.lowerBound * info.rowByteCount)..<(rows.upperBound * info.rowByteCount)])
        return [Float](unsafeUninitializedCapacity: rows.count * info.rowLength) { destination, initialized in
            info.type.dequantize(source, into: destination)
            initialized = destination.count
        }
    }
}
