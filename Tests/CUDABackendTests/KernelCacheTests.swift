// The on-disk NVRTC cache: its key follows every input of a compilation, and files round-trip.

import CUDADriver
import Foundation
import Testing

@Suite("Kernel cache")
struct KernelCacheTests {
    static func key(
        source: String = "k", header: String = "h", options: [String] = ["-std=c++17"], architecture: String = "sm_90",
        version: (Int, Int) = (13, 0)
    ) -> String {
        KernelCache.key(
            source: source, headers: ["common.cuh": header], options: options, architecture: architecture,
            nvrtcVersion: (version.0, version.1))
    }

    /// Oracle: the cache contract (issue 5: keyed by source, options, architecture and NVRTC version).
    @Test func keyChangesWithEveryInput() {
        let base = Self.key()
        #expect(base == Self.key())
        #expect(base.count == 32)
        #expect(base != Self.key(source: "k2"))
        #expect(base != Self.key(header: "h2"))
        #expect(base != Self.key(options: ["-std=c++17", "-DSLORA_DEBUG"]))
        #expect(base != Self.key(architecture: "sm_80"))
        #expect(base != Self.key(version: (13, 1)))
        #expect(base != Self.key(version: (12, 0)))
        // Length prefixes: moving text between fields changes the key.
        #expect(Self.key(source: "ab", header: "c") != Self.key(source: "a", header: "bc"))
    }

    /// Oracle: round trip through the filesystem; a disabled cache stores nothing.
    @Test func storeAndLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slora-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = KernelCache(directory: directory)
        #expect(cache.load(name: "lora.cu", key: "abc") == nil)
        cache.store([1, 2, 3], name: "lora.cu", key: "abc")
        #expect(cache.load(name: "lora.cu", key: "abc") == [1, 2, 3])
        #expect(cache.load(name: "lora.cu", key: "abd") == nil)
        let disabled = KernelCache(directory: nil)
        disabled.store([1], name: "x.cu", key: "k")
        #expect(disabled.load(name: "x.cu", key: "k") == nil)
    }
}
