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
let package = Package(
    name: "slora",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slora", targets: ["slora"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .target(name: "Checkpoint"),
        .target(name: "MemoryPool"),
        .target(name: "GGUF"),
        .target(name: "Tokenization"),
        .target(name: "ChatTemplates"),
        .target(name: "Backend", dependencies: ["MemoryPool"]),
        .target(name: "CPUBackend", dependencies: ["Backend", "MemoryPool"]),
        .target(name: "Adapters", dependencies: ["Checkpoint", "MemoryPool"]),
        .target(name: "Llama", dependencies: ["Backend", "Adapters", "Checkpoint", "MemoryPool"]),
        .target(name: "Engine", dependencies: ["Llama", "Backend", "Adapters", "MemoryPool", "Tokenization"]),
        .executableTarget(
            name: "slora",
            dependencies: [
                "Engine", "Llama", "CPUBackend", "Checkpoint", "Tokenization", "ChatTemplates", "GGUF", "Adapters",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization"]),
        .testTarget(name: "ChatTemplatesTests", dependencies: ["ChatTemplates"]),
        .testTarget(
            name: "MemoryPoolTests",
            dependencies: ["MemoryPool", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "AdaptersTests", dependencies: ["Adapters", "Checkpoint", "MemoryPool"]),
        .testTarget(name: "CPUBackendTests", dependencies: ["CPUBackend", "Backend", "MemoryPool"]),
        .testTarget(name: "LlamaTests", dependencies: ["Llama", "CPUBackend", "Backend", "Adapters", "Checkpoint", "MemoryPool", "Engine"]),
    ]
)
