// swift-tools-version:6.2
import PackageDescription

// Layers point one way (ARCHITECTURE.md):
//   Checkpoint, MemoryPool           (formats and pure bookkeeping; import nothing of ours)
//   GGUF, Tokenization, ChatTemplates (file formats, tokenizers, Jinja subset; import nothing of ours)
//   Backend -> MemoryPool            (the device seam: ops over whole batches)
//   CPUBackend -> Backend            (the reference implementation)
//   Adapters -> Checkpoint, MemoryPool
//   Llama -> Backend, Adapters, Checkpoint, MemoryPool   (names no device)
//   Engine -> Llama, ...             (never touches tensors)
//   slora (executable) wires a backend into the engine.
// The CPU compute path is optimized in debug builds too (still testable): the end-to-end tests run the demo
// model through the debug binary, which unoptimized takes minutes per token.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "slora",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slora", targets: ["slora"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "Checkpoint"),
        .target(name: "MemoryPool"),
        .target(name: "GGUF"),
        .target(name: "Tokenization"),
        .target(name: "ChatTemplates"),
        .target(name: "Backend", dependencies: ["MemoryPool"]),
        .target(name: "CPUKernelABI"),
        // One kernel source, two instruction sets: CPUKernelsAVX2's files are symlinks to CPUKernelsBaseline's
        // (CPUKernelSet picks one at run time, so the binary still runs on any x86-64).
        .target(name: "CPUKernelsBaseline", dependencies: ["CPUKernelABI"], swiftSettings: optimizedInDebug),
        .target(
            name: "CPUKernelsAVX2", dependencies: ["CPUKernelABI"],
            swiftSettings: [.unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux]))] + optimizedInDebug),
        .target(
            name: "CPUBackend", dependencies: ["Backend", "MemoryPool", "CPUKernelABI", "CPUKernelsBaseline", "CPUKernelsAVX2"],
            swiftSettings: optimizedInDebug),
        .target(name: "Adapters", dependencies: ["Checkpoint", "MemoryPool"]),
        .target(
            name: "Llama", dependencies: ["Backend", "Adapters", "Checkpoint", "GGUF", "MemoryPool"],
            swiftSettings: optimizedInDebug),
        .target(
            name: "Engine",
            dependencies: ["Llama", "Backend", "Adapters", "MemoryPool", "Checkpoint", "GGUF", "Tokenization", "ChatTemplates"]),
        .target(name: "CUDADriver"),
        .target(
            name: "CUDABackend",
            dependencies: ["Backend", "MemoryPool", "CUDADriver"],
            resources: [
                .embedInCode("Kernels/common.cuh"),
                .embedInCode("Kernels/embedding.cu"),
                .embedInCode("Kernels/rms_norm.cu"),
                .embedInCode("Kernels/rope.cu"),
                .embedInCode("Kernels/write_kv.cu"),
                .embedInCode("Kernels/paged_attention.cu"),
                .embedInCode("Kernels/tiled_attention.cu"),
                .embedInCode("Kernels/silu_mul.cu"),
                .embedInCode("Kernels/lora.cu"),
                .embedInCode("Kernels/lora_padded.cu"),
                .embedInCode("Kernels/sampling.cu"),
                .embedInCode("Kernels/gather.cu"),
                .embedInCode("Kernels/gemv.cu"),
            ]),
        .target(name: "Workload"),
        .target(name: "OpenAIAPI"),
        .target(
            name: "Server",
            dependencies: [
                "OpenAIAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "slora",
            dependencies: [
                "Engine", "Llama", "CPUBackend", "Checkpoint", "Tokenization", "ChatTemplates", "GGUF", "Adapters",
                "Server", "OpenAIAPI", "Backend", "MemoryPool", "CUDABackend", "CUDADriver", "Workload",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization"]),
        .testTarget(name: "ChatTemplatesTests", dependencies: ["ChatTemplates"]),
        .testTarget(
            name: "MemoryPoolTests",
            dependencies: ["MemoryPool", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "AdaptersTests", dependencies: ["Adapters", "Checkpoint", "MemoryPool"]),
        .testTarget(name: "OpenAIAPITests", dependencies: ["OpenAIAPI"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "OpenAIAPI", "Backend", "MemoryPool", "CUDABackend", "CUDADriver", "Workload",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "Llama", "CPUBackend", "Backend", "Adapters", "Checkpoint", "MemoryPool", "Tokenization", "ChatTemplates"]),
        .testTarget(name: "CUDABackendTests", dependencies: ["CUDABackend", "CUDADriver", "Backend", "MemoryPool"]),
        .testTarget(name: "CPUBackendTests", dependencies: ["CPUBackend", "Backend", "MemoryPool"]),
        .testTarget(name: "WorkloadTests", dependencies: ["Workload"]),
        .testTarget(
            name: "TensorParallelTests",
            dependencies: ["Llama", "CPUBackend", "Backend", "Adapters", "Checkpoint", "MemoryPool"]),
        .testTarget(name: "LlamaTests", dependencies: ["Llama", "CPUBackend", "Backend", "Adapters", "Checkpoint", "GGUF", "MemoryPool", "Engine"]),
    ]
)
