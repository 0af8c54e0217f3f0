// The on-disk cache of compiled kernels: NVRTC output (cubin) stored under a key that hashes the
// source, its headers, the compile options, the GPU architecture and the NVRTC version, so a change to
// any of them compiles afresh. Location: $SLORA_KERNEL_CACHE, else ~/.cache/slora/kernels.

import Foundation

/// A folder of `<source>-<key>.cubin` files. Unwritable folders only cost recompiles, never errors.
public struct KernelCache: Sendable {
    /// nil disables caching.
    public let directory: URL?

    public init(directory: URL?) { self.directory = directory }

    /// `$SLORA_KERNEL_CACHE` when set (empty disables caching), else `~/.cache/slora/kernels`.
    public static var standard: KernelCache {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["SLORA_KERNEL_CACHE"] {
            return KernelCache(directory: path.isEmpty ? nil : URL(fileURLWithPath: path))
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return KernelCache(directory: home.appendingPathComponent(".cache/slora/kernels"))
    }

    /// 32 hex digits identifying one compilation: source, headers (by name), options, architecture and
    /// NVRTC version all feed it.
    public static func key(
        source: String, headers: [String: String], options: [String], architecture: String,
        nvrtcVersion: (major: Int, minor: Int)
    ) -> String {
        var hasher = StableHasher()
        hasher.add("slora-kernel-cache-v1")
        hasher.add(source)
        for name in headers.keys.sorted() {
            hasher.add(name)
            hasher.add(headers[name]!)
        }
        hasher.add("\(options.count)")
        for option in options { hasher.add(option) }
        hasher.add(architecture)
        hasher.add("nvrtc \(nvrtcVersion.major).\(nvrtcVersion.minor)")
        return hasher.hexDigest
    }

    func fileURL(name: String, key: String) -> URL? {
        let stem = name.replacingOccurrences(of: "/", with: "_")
        return directory?.appendingPathComponent("\(stem)-\(key).cubin")
    }

    /// The cached cubin, nil when absent or unreadable.
    public func load(name: String, key: String) -> [UInt8]? {
        guard let url = fileURL(name: name, key: key), let data = try? Data(contentsOf: url), !data.isEmpty else { return nil }
        return [UInt8](data)
    }

    /// Stores a cubin (write to a temporary file, then rename, so readers never see half a file).
    public func store(_ cubin: [UInt8], name: String, key: String) {
        guard let directory, let url = fileURL(name: name, key: key) else { return }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(UUID().uuidString).tmp")
        do {
            try Data(cubin).write(to: temporary)
            _ = try? FileManager.default.removeItem(at: url)
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}

/// Two independent 64-bit FNV-1a streams over length-prefixed strings (128 bits: a cache key, not a
/// security boundary). Stable across runs and platforms, unlike `Hasher`.
struct StableHasher {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x8422_2325_cbf2_9ce4

    mutating func add(_ text: String) {
        let bytes = Array(text.utf8)
        var length = UInt64(bytes.count)
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: length))
            length >>= 8
        }
        for byte in bytes { mix(byte) }
    }

    private mutating func mix(_ byte: UInt8) {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        b = (b ^ UInt64(byte ^ 0x5c)) &* 0x0000_0100_0000_01b3
        b = (b << 7) | (b >> 57)
    }

    var hexDigest: String {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(a) + hex(b)
    }
}

/// NVRTC plus the cache: compiles each source once per (source, options, architecture, NVRTC version).
public final class KernelCompiler: @unchecked Sendable {
    public let nvrtc: NVRTC
    public let cache: KernelCache
    /// `sm_90` etc.
    public let architecture: String

    public init(nvrtc: NVRTC, cache: KernelCache, architecture: String) {
        self.nvrtc = nvrtc
        self.cache = cache
        self.architecture = architecture
    }

    /// The options every kernel is compiled with, after `extra`: the real architecture (so NVRTC emits
    /// a cubin), C++17, and no fast-math (precise expf/sinf/cosf, as the CPU reference computes).
    public func options(extra: [String]) -> [String] {
        ["--gpu-architecture=\(architecture)", "-std=c++17", "--fmad=true"] + extra
    }

    /// The cubin of `source`, from the cache or freshly compiled (then cached).
    /// - Returns: the cubin and whether it came from the cache.
    public func cubin(source: String, name: String, headers: [String: String], extraOptions: [String]) throws(CUDAError)
        -> (cubin: [UInt8], cached: Bool)
    {
        let options = options(extra: extraOptions)
        let key = KernelCache.key(
            source: source, headers: headers, options: options, architecture: architecture, nvrtcVersion: nvrtc.version)
        if let cubin = cache.load(name: name, key: key) { return (cubin, true) }
        let cubin = try nvrtc.compile(source: source, name: name, headers: headers, options: options)
        cache.store(cubin, name: name, key: key)
        return (cubin, false)
    }

    /// Drops a cached cubin that failed to load, so the next call recompiles it.
    public func evict(source: String, name: String, headers: [String: String], extraOptions: [String]) {
        let key = KernelCache.key(
            source: source, headers: headers, options: options(extra: extraOptions), architecture: architecture,
            nvrtcVersion: nvrtc.version)
        if let url = cache.fileURL(name: name, key: key) { try? FileManager.default.removeItem(at: url) }
    }
}
