// The CUDA implementation of the device seam: NVRTC kernels (Kernels/*.cu) and cuBLAS on one stream.
// Weights, the pool and `.compact` activations are in the storage type (bf16 by default, f32 for the
// exact mode); `.full` activations are f32. This file: set-up, memory, uploads and the launch helper;
// the ops are in the CUDAComputeBackend+*.swift extensions.

import Backend
import CUDADriver
import Foundation
import MemoryPool
#if canImport(Glibc)
import Glibc
#endif

/// `ComputeBackend` on an NVIDIA GPU. Single owner: every call from one thread (the engine's).
///
/// ```swift
/// let backend = try CUDAComputeBackend(context: try CUDAContext.open())   // bf16
/// let model = try LlamaModel(config: config, source: checkpoint, backend: backend)
/// ```
public final class CUDAComputeBackend: ComputeBackend {
    public typealias Tensor = CUDATensor
    public typealias Weight = CUDAWeight
    public typealias PreparedStep = CUDAPreparedStep

    /// How the backend runs.
    public struct Options: Sendable {
        /// Bounds checks in every kernel (-DSLORA_DEBUG) and a synchronize + fault check after every
        /// launch, so a failure names its op. Default: `$SLORA_CUDA_DEBUG == 1`.
        public var debug: Bool
        /// Capture decode steps as CUDA graphs and replay them. Default: on unless `$SLORA_CUDA_GRAPHS == 0`.
        public var graphs: Bool
        public var kernelCache: KernelCache

        public init(debug: Bool? = nil, graphs: Bool? = nil, kernelCache: KernelCache = .standard) {
            let environment = ProcessInfo.processInfo.environment
            self.debug = debug ?? (environment["SLORA_CUDA_DEBUG"] == "1")
            self.graphs = graphs ?? (environment["SLORA_CUDA_GRAPHS"] != "0")
            self.kernelCache = kernelCache
        }
    }

    public let name: String
    public let context: CUDAContext
    public let storage: CUDAElementType
    public let options: Options
    public let stream: CUDAStream
    let blas: CUBLASHandle
    let library: KernelLibrary
    let memory: DeviceMemoryCache
    let staging: HostStaging
    /// Adapter loads on their own stream (issue 5 item 4).
    let adapterCopies: AdapterCopyQueue
    /// Forces the LoRA kernels (parity tests; `.paddedBMM` for the padded-bmm ablation, which is never
    /// chosen otherwise); nil chooses per step.
    public var loraPathOverride: LaunchGeometry.LoRAPath?
    /// Bytes of scratch one padded-bmm LoRA op aims to stay under, its tokens cut into chunks to fit (parity
    /// checks lower it to exercise the chunking).
    public var paddedLoRAScratchBudget = LaunchGeometry.paddedScratchBudget
    /// The padded-bmm LoRA path's scratch, grown on demand and kept (CUDAComputeBackend+PaddedLoRA.swift).
    var paddedLoRAScratch: CUDATensor?
    /// Forces the matmul kernel (parity and speed runs); nil chooses per shape (`matmulPath(rows:k:n:)`).
    public var matmulPathOverride: LaunchGeometry.MatmulPath?
    /// Most rows a bf16 matmul sends to gemv.cu (default 2: on the H200 it beat cuBLAS at 1–2 rows and lost
    /// from 4 rows on, docs/benchmarks/2026-11-29-h200-serve/gpu-check.md; `$SLORA_GEMV_MAX_ROWS` 0…16 overrides).
    public var gemvMaxRows: Int
    /// Prefill runs through tiled_attention.cu where its kernels fit (default); false (or
    /// `$SLORA_ATTENTION=reference`) runs paged_attention.cu's per-token kernel for every token.
    public var fastAttention: Bool
    /// Whether `runStep` captures and replays decode steps (starts as `options.graphs`; never in debug).
    public var useGraphs: Bool
    /// Captured decode graphs.
    let graphs: StepGraphCache
    /// The profiler timing each op while a profile window is open (`beginProfile`); graphs are off then.
    var activeProfiler: CUDAOpProfiler?
    /// Why a capture was refused (graphs then run eagerly for that shape); nil while all captures worked.
    public internal(set) var graphsDisabledReason: String?

    /// Opens NVRTC and cuBLAS, compiles (or loads from the cache) every kernel.
    /// - Parameter storage: `.bf16` (fast) or `.f32` (exact: matches the CPU reference to ~1e-6).
    public init(context: CUDAContext, storage: CUDAElementType = .bf16, options: Options = Options()) throws(CUDAError) {
        try context.makeCurrent()
        self.context = context
        self.storage = storage
        self.options = options
        stream = try CUDAStream(context: context)
        blas = try CUBLASHandle(api: CUBLASAPI.load(), stream: stream)
        let compiler = KernelCompiler(nvrtc: try NVRTC.load(), cache: options.kernelCache, architecture: context.architecture)
        library = try KernelLibrary(context: context, compiler: compiler, debug: options.debug)
        memory = DeviceMemoryCache(context: context)
        staging = try HostStaging(context: context)
        adapterCopies = try AdapterCopyQueue(context: context)
        let gemvRows = ProcessInfo.processInfo.environment["SLORA_GEMV_MAX_ROWS"].flatMap { Int($0) } ?? 2
        gemvMaxRows = min(max(gemvRows, 0), LaunchGeometry.gemvRowCapacities.last!)
        fastAttention = ProcessInfo.processInfo.environment["SLORA_ATTENTION"] != "reference"
        graphs = StepGraphCache(capacity: 64)
        useGraphs = options.graphs && !options.debug
        name = "cuda (\(context.deviceName), \(storage.rawValue)\(options.debug ? ", debug" : ""))"
        nvrtcVersion = compiler.nvrtc.version
        kernelCompileSeconds = library.compileSeconds
        kernelsCompiled = library.compiledCount
    }

    /// NVRTC's version, for reports.
    public let nvrtcVersion: (major: Int, minor: Int)
    /// Seconds spent compiling kernels at start (near 0 when the disk cache had them) and how many files.
    public let kernelCompileSeconds: Double
    public let kernelsCompiled: Int

    // MARK: - Threads

    /// The thread the context was last made current on (CUDA contexts are current per thread; the
    /// engine may run on another thread than the one that opened the backend).
    private nonisolated(unsafe) var boundThread: pthread_t?

    /// Makes the context current when called from a thread other than the last one.
    @inline(__always)
    func bindThread() {
        let me = pthread_self()
        if let bound = boundThread, pthread_equal(bound, me) != 0 { return }
        do { try context.makeCurrent() } catch { fail(error, "cuCtxSetCurrent") }
        boundThread = me
    }

    // MARK: - Failures

    /// An op cannot throw (the seam is non-throwing): a CUDA failure inside one ends the process with
    /// the op, the CUDA function and the driver's error text.
    func fail(_ error: any Error, _ op: String) -> Never {
        fatalError("CUDA backend: \(op): \(error)")
    }

    /// Launches kernel `name` on the stream; in debug mode waits for it and checks its fault word.
    func launch(_ name: String, grid: (Int, Int, Int), block: Int, op: String, _ arguments: (inout KernelArguments) -> Void) {
        bindThread()
        var args = KernelArguments()
        arguments(&args)
        do {
            try library.kernel(name).launch(grid: grid, block: (block, 1, 1), stream: stream, arguments: args)
            if options.debug { try checkAfterLaunch(kernel: name, op: op) }
            if activeProfiler != nil { profileMark(op) }
        } catch {
            fail(error, "\(op) (\(name))")
        }
    }

    /// Debug mode: synchronizes, then reads and clears the fault word of every module.
    private func checkAfterLaunch(kernel: String, op: String) throws(CUDAError) {
        try stream.synchronize()
        for (file, module) in library.modules.sorted(by: { $0.key < $1.key }) {
            guard let fault = module.global("slora_fault") else { continue }
            var words = [Int32](repeating: 0, count: 4)
            try context.driver.check(
                context.driver.cuMemcpyDtoHAsync(&words, fault.address, 16, stream.handle), "cuMemcpyDtoHAsync_v2")
            try stream.synchronize()
            if words[0] != 0 {
                fatalError(
                    "CUDA backend: \(op) (\(kernel)): bounds check failed in \(file): "
                        + CUDAKernelFault.describe(code: words[0], a: words[1], b: words[2], block: words[3]))
            }
        }
    }

    // MARK: - Memory

    func elementType(_ precision: TensorPrecision) -> CUDAElementType { precision == .full ? .f32 : storage }

    /// A tensor from the caching allocator, zeroed on the stream.
    func allocateTensor(count: Int, elementType: CUDAElementType, zero: Bool, op: String) -> CUDATensor {
        bindThread()
        do {
            let allocation = try memory.allocate(bytes: max(count, 1) * elementType.byteSize)
            let tensor = CUDATensor(count: count, elementType: elementType, allocation: allocation, cache: memory)
            if zero {
                try context.driver.check(
                    context.driver.cuMemsetD8Async(tensor.address, 0, max(tensor.byteCount, 1), stream.handle),
                    "cuMemsetD8Async")
            }
            return tensor
        } catch {
            fail(error, op)
        }
    }

    public func makeTensor(count: Int) -> CUDATensor { makeTensor(count: count, precision: .full) }

    public func makeTensor(count: Int, precision: TensorPrecision) -> CUDATensor {
        allocateTensor(count: count, elementType: elementType(precision), zero: true, op: "makeTensor")
    }

    public func upload(_ values: [Float]) -> CUDATensor { upload(values, precision: .full) }

    public func upload(_ values: [Float], precision: TensorPrecision) -> CUDATensor {
        let type = elementType(precision)
        let tensor = allocateTensor(count: values.count, elementType: type, zero: false, op: "upload")
        copyIn(values, elementType: type, to: tensor.address, op: "upload")
        return tensor
    }

    /// Host f32 values → device buffer of `elementType` (converted on the host for bf16).
    func copyIn(_ values: [Float], elementType: CUDAElementType, to address: CUdeviceptr, op: String) {
        guard !values.isEmpty else { return }
        bindThread()
        do {
            switch elementType {
            case .f32:
                try values.withUnsafeBytes { bytes in
                    try staging.copy(bytes, to: address, stream: stream)
                }
            case .bf16:
                let bits = BFloat16.encode(values)
                try bits.withUnsafeBytes { bytes in
                    try staging.copy(bytes, to: address, stream: stream)
                }
            }
        } catch {
            fail(error, op)
        }
    }

    public func download(_ tensor: CUDATensor, count: Int) -> [Float] {
        precondition(count <= tensor.count, "download of \(count) elements from a tensor of \(tensor.count)")
        guard count > 0 else { return [] }
        if tensor.isPool { poolRead() }
        do {
            switch tensor.elementType {
            case .f32:
                var values = [Float](repeating: 0, count: count)
                try copyOut(into: &values, from: tensor.address, bytes: count * 4)
                return values
            case .bf16:
                var bits = [UInt16](repeating: 0, count: count)
                try copyOut(into: &bits, from: tensor.address, bytes: count * 2)
                return bits.withUnsafeBufferPointer { BFloat16.decode($0) }
            }
        } catch {
            fail(error, "download")
        }
    }

    /// Device → host after everything queued so far (synchronizes the stream).
    func copyOut<T>(into values: inout [T], from address: CUdeviceptr, bytes: Int) throws(CUDAError) {
        bindThread()
        precondition(values.count * MemoryLayout<T>.stride >= bytes)
        let driver = context.driver
        let result = values.withUnsafeMutableBytes { driver.cuMemcpyDtoHAsync($0.baseAddress, address, bytes, stream.handle) }
        try driver.check(result, "cuMemcpyDtoHAsync_v2")
        try stream.synchronize()
        adapterCopies.computeSynchronized()
    }

    public func makeWeight(_ values: [Float], rows: Int, cols: Int) -> CUDAWeight {
        precondition(values.count == rows * cols, "weight has \(values.count) values, expected \(rows)×\(cols)")
        let weight = makeUninitializedWeight(rows: rows, cols: cols)
        copyIn(values, elementType: storage, to: weight.address, op: "makeWeight")
        return weight
    }

    /// A weight whose contents the caller fills (random dummy weights).
    func makeUninitializedWeight(rows: Int, cols: Int) -> CUDAWeight {
        bindThread()
        do {
            let allocation = try DeviceAllocation(context: context, byteCount: max(rows * cols, 1) * storage.byteSize)
            return CUDAWeight(rows: rows, cols: cols, elementType: storage, allocation: allocation)
        } catch {
            fail(error, "makeWeight(\(rows)×\(cols))")
        }
    }

    public func makePool(pageCount: Int, geometry: PageGeometry) -> CUDATensor {
        let count = pageCount * geometry.elementsPerPage
        bindThread()
        do {
            let allocation = try DeviceAllocation(context: context, byteCount: max(count, 1) * storage.byteSize)
            let pool = CUDATensor(count: count, elementType: storage, allocation: allocation, cache: nil, isPool: true)
            try context.driver.check(
                context.driver.cuMemsetD8Async(pool.address, 0, allocation.byteCount, stream.handle), "cuMemsetD8Async")
            // Adapter copies on the copy stream may target any page from now on: the zeroing must be done.
            try stream.synchronize()
            return pool
        } catch {
            fail(error, "makePool(\(pageCount) pages of \(geometry.elementsPerPage))")
        }
    }

    /// Copies the stream page by page (runs of consecutive pages in one copy) on the compute stream.
    public func writeAdapter(_ stream: [Float], pages: [PageIndex], pool: CUDATensor, geometry: PageGeometry) {
        precondition(pool.elementType == storage, "writeAdapter: the pool must be in the storage type")
        poolRead()
        for run in Self.pageRuns(count: stream.count, pages: pages, elementsPerPage: geometry.elementsPerPage, poolCount: pool.count) {
            copyIn(
                Array(stream[run.start..<(run.start + run.count)]), elementType: storage, to: pool.address(ofElement: run.poolElement),
                op: "writeAdapter")
        }
    }

    public func prepare(step: StepBatch, adapters: AdapterBatch) -> CUDAPreparedStep {
        precondition(adapters.tokenSlots.count == step.tokenCount, "adapter batch and step disagree on tokenCount")
        let packed = StepLayout.pack(step: step, adapters: adapters)
        bindThread()
        if graphs.capturing == nil { beginStep() }
        let buffer = allocateTensor(count: packed.layout.wordCount, elementType: .f32, zero: false, op: "prepare")
        uploadWords(packed.words, to: buffer.address)
        return CUDAPreparedStep(shape: packed.shape, layout: packed.layout, storage: buffer, base: buffer.address)
    }

    func uploadWords(_ words: [UInt32], to address: CUdeviceptr) {
        bindThread()
        do {
            try words.withUnsafeBytes { bytes in try staging.copy(bytes, to: address, stream: stream) }
        } catch {
            fail(error, "prepare")
        }
    }

    /// Waits for all queued work (and reports asynchronous errors).
    public func synchronize() {
        bindThread()
        do {
            try adapterCopies.awaitCopies(compute: stream)
            try stream.synchronize()
            adapterCopies.computeSynchronized()
        } catch {
            fail(error, "synchronize")
        }
    }
}
