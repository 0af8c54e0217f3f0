// The kernel sources embedded in the binary (Kernels/*.cu, SwiftPM .embedInCode) and their compiled
// modules: each file is compiled by NVRTC for the device's architecture (through the on-disk cache),
// loaded, and its kernels looked up by name. In debug mode every module is compiled
// with -DSLORA_DEBUG and its fault word can be read back after a launch.

import CUDADriver
import Dispatch

/// One embedded kernel file.
public struct KernelSource: Sendable {
    /// File name, e.g. `lora.cu`.
    public let name: String
    public let text: String
    /// The `extern "C" __global__` entry points the backend launches from it.
    public let entryPoints: [String]
}

/// Every kernel file of the backend.
public enum KernelSources {
    /// `common.cuh`, given to NVRTC as an in-memory header.
    public static var commonHeader: String { String(decoding: PackageResources.common_cuh, as: UTF8.self) }

    static func typed(_ stems: [String]) -> [String] { stems.flatMap { [$0 + "_bf16", $0 + "_f32"] } }

    /// The kernel files and the entry points each must define.
    public static var all: [KernelSource] {
        [
            KernelSource(name: "embedding.cu", text: text(PackageResources.embedding_cu), entryPoints: typed(["embed"])),
            KernelSource(
                name: "rms_norm.cu", text: text(PackageResources.rms_norm_cu),
                entryPoints: typed(["rms_norm", "add_rms_norm"]) + ["add_f32"]),
            KernelSource(name: "rope.cu", text: text(PackageResources.rope_cu), entryPoints: ["rope_f32"]),
            KernelSource(name: "write_kv.cu", text: text(PackageResources.write_kv_cu), entryPoints: typed(["write_kv"])),
            KernelSource(
                name: "paged_attention.cu", text: text(PackageResources.paged_attention_cu),
                entryPoints: typed([
                    "attention_d1", "attention_d2", "attention_d4", "attention_d8", "attention_d8s", "attention_combine",
                ])),
            KernelSource(
                name: "tiled_attention.cu", text: text(PackageResources.tiled_attention_cu),
                entryPoints: typed(LaunchGeometry.attentionTileHeadDims.map { "attention_tiles_d\($0)" })),
            KernelSource(name: "silu_mul.cu", text: text(PackageResources.silu_mul_cu), entryPoints: typed(["silu_mul"])),
            KernelSource(
                name: "lora.cu", text: text(PackageResources.lora_cu),
                entryPoints: typed([
                    "lora_shrink_rows", "lora_shrink_rows_s", "lora_expand_rows", "lora_expand_rows_s",
                    "lora_shrink_segments", "lora_expand_segments",
                ])),
            KernelSource(
                name: "lora_padded.cu", text: text(PackageResources.lora_padded_cu),
                entryPoints: typed(["lora_pad_a", "lora_pad_b"])),
            KernelSource(name: "sampling.cu", text: text(PackageResources.sampling_cu), entryPoints: ["sample_rows"]),
            KernelSource(
                name: "gather.cu", text: text(PackageResources.gather_cu), entryPoints: typed(["gather_rows", "fill_random"])),
            KernelSource(
                name: "gemv.cu", text: text(PackageResources.gemv_cu),
                entryPoints: LaunchGeometry.gemvRowCapacities.map { "gemv_t\($0)_bf16" }),
        ]
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// The compiled modules and a name → kernel table.
final class KernelLibrary {
    let modules: [String: CUDAModule]
    private var kernels: [String: CUDAKernel] = [:]
    private let moduleOfKernel: [String: String]
    /// Seconds spent compiling (0 when everything came from the cache) and how many files compiled.
    let compileSeconds: Double
    let compiledCount: Int

    /// Compiles (or loads from `compiler`'s cache) every source and loads the modules into `context`.
    init(context: CUDAContext, compiler: KernelCompiler, debug: Bool) throws(CUDAError) {
        let header = ["common.cuh": KernelSources.commonHeader]
        let extra = debug ? ["-DSLORA_DEBUG", "-lineinfo"] : ["-lineinfo"]
        let sources = KernelSources.all
        let start = DispatchTime.now()
        var modules: [String: CUDAModule] = [:]
        var owner: [String: String] = [:]
        var compiled = 0
        for source in sources {
            let (cubin, cached) = try compiler.cubin(source: source.text, name: source.name, headers: header, extraOptions: extra)
            if !cached { compiled += 1 }
            let module: CUDAModule
            do {
                module = try CUDAModule(context: context, image: cubin, sourceName: source.name)
            } catch where cached {
                // A stale or damaged cache entry: compile afresh once.
                compiler.evict(source: source.text, name: source.name, headers: header, extraOptions: extra)
                let fresh = try compiler.cubin(source: source.text, name: source.name, headers: header, extraOptions: extra)
                module = try CUDAModule(context: context, image: fresh.cubin, sourceName: source.name)
            }
            modules[source.name] = module
            for entry in source.entryPoints { owner[entry] = source.name }
        }
        self.modules = modules
        moduleOfKernel = owner
        compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        compiledCount = compiled
        // Resolve every entry point now, so a missing kernel fails at start, not mid-step.
        for name in owner.keys.sorted() { _ = try kernel(name) }
    }

    /// The kernel `name` (must be a declared entry point).
    func kernel(_ name: String) throws(CUDAError) -> CUDAKernel {
        if let kernel = kernels[name] { return kernel }
        guard let file = moduleOfKernel[name], let module = modules[file] else {
            throw .missingKernel(name: name, source: "(no kernel file declares it)")
        }
        let kernel = try module.kernel(name)
        kernels[name] = kernel
        return kernel
    }
}
