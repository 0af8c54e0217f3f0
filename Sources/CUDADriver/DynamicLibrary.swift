// A shared library opened at run time with dlopen, and typed symbol lookup with dlsym. Building slora
// needs no CUDA headers or libraries; a machine without them gets a CUDAError that names what is missing.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One `dlopen`ed library; closed in `deinit`.
public final class DynamicLibrary: @unchecked Sendable {
    /// The path or soname that opened it.
    public let path: String
    private let handle: UnsafeMutableRawPointer

    private init(path: String, handle: UnsafeMutableRawPointer) {
        self.path = path
        self.handle = handle
    }

    deinit { dlclose(handle) }

    /// Opens the first candidate that loads (absolute paths or sonames for the loader's search).
    /// - Parameters:
    ///   - name: what the library is, for the error (`"libcuda.so.1"`).
    ///   - global: `RTLD_GLOBAL`, so libraries opened later resolve their dependencies against it.
    /// - Throws: `CUDAError.libraryNotFound` listing every candidate and the last `dlerror()`.
    public static func open(name: String, candidates: [String], global: Bool = false) throws(CUDAError) -> DynamicLibrary {
        var lastError = "no candidates"
        for candidate in candidates {
            if let handle = dlopen(candidate, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL)) {
                return DynamicLibrary(path: candidate, handle: handle)
            }
            if let message = dlerror() { lastError = String(cString: message) }
        }
        throw .libraryNotFound(library: name, tried: candidates, reason: lastError)
    }

    /// The symbol `symbol` as a C function pointer of type `T` (a `@convention(c)` function type).
    public func function<T>(_ symbol: String, as type: T.Type = T.self) throws(CUDAError) -> T {
        guard let pointer = dlsym(handle, symbol) else {
            throw .symbolNotFound(symbol: symbol, library: path)
        }
        precondition(MemoryLayout<T>.size == MemoryLayout<UnsafeMutableRawPointer>.size, "\(T.self) is not a C function type")
        return unsafeBitCast(pointer, to: T.self)
    }

    /// Like `function(_:)`, nil when the library lacks the symbol (optional entry points).
    public func optionalFunction<T>(_ symbol: String, as type: T.Type = T.self) -> T? {
        guard let pointer = dlsym(handle, symbol) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }

    // MARK: - Locating CUDA libraries

    /// Directories searched for NVRTC and cuBLAS, in order: `$SLORA_CUDA_LIB_DIR` (colon-separated),
    /// `$CUDA_HOME/lib64`, `/usr/local/cuda/lib64`, `/usr/local/cuda/targets/x86_64-linux/lib`,
    /// `/usr/lib/x86_64-linux-gnu`.
    public static var cudaLibraryDirectories: [String] {
        let environment = ProcessInfo.processInfo.environment
        var directories: [String] = []
        if let list = environment["SLORA_CUDA_LIB_DIR"] {
            directories += list.split(separator: ":").map(String.init)
        }
        if let home = environment["CUDA_HOME"] { directories.append(home + "/lib64") }
        directories += ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu"]
        return directories
    }

    /// Candidate paths for `stem` (e.g. `libnvrtc.so`): versioned files found in `directories`,
    /// highest version first, then the bare sonames `fallbackSonames` for the loader's own search.
    public static func candidates(stem: String, in directories: [String], fallbackSonames: [String]) -> [String] {
        var found: [String] = []
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            let matching = names.filter { $0 == stem || $0.hasPrefix(stem + ".") }
            found += matching.sorted { isNewer(versionKey($0), than: versionKey($1)) }.map { directory + "/" + $0 }
        }
        return found + fallbackSonames
    }

    /// `libx.so.12.4.1` → [12, 4, 1] compared lexicographically (a bare `libx.so` sorts last).
    static func versionKey(_ fileName: String) -> [Int] {
        guard let range = fileName.range(of: ".so.") else { return [] }
        return fileName[range.upperBound...].split(separator: ".").map { Int($0) ?? 0 }
    }

    /// Lexicographic comparison of version components; a longer version wins a tie of its prefix.
    static func isNewer(_ a: [Int], than b: [Int]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x > y }
        return a.count > b.count
    }
}

