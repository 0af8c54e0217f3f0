// A read-only memory mapping of a whole file, unmapped when the last reference goes away.
// Safetensors shards are read through this so gigabytes of weights are paged in on demand.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A whole file mapped read-only (`mmap`, `PROT_READ`, `MAP_PRIVATE`); `munmap` in `deinit`.
///
/// `@unchecked Sendable`: the mapping is immutable after `init` and only ever read. (Truncating
/// the file on disk while it is mapped makes later reads fault; no reader can guard against that.)
final class MappedFile: @unchecked Sendable {
    /// The file's path, for error messages.
    let path: String
    /// The mapped bytes; `count` is the file size. Empty (no mapping) for an empty file.
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws(CheckpointError) {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .unreadableFile(file: path, reason: Self.errnoDescription())
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .unreadableFile(file: path, reason: Self.errnoDescription())
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadableFile(file: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw .unreadableFile(file: path, reason: "mmap failed: " + Self.errnoDescription())
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    private static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}
