// `slora bench cpu`: prefill and decode throughput of the CPU backend on one model (HF directory or
// GGUF file, weights kept quantized), at batch 1 and at larger batches where every sequence uses a
// different LoRA adapter (PEFT directories, or random in-memory adapters through the same pool path).

import Adapters
import ArgumentParser
import Backend
import CPUBackend
import Checkpoint
import Engine
import Foundation
import GGUF
import Llama
import MemoryPool

struct CPUBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpu", abstract: "Prefill and decode tokens/s on the CPU backend.")

    @Option(help: "An HF model directory or a GGUF file.")
    var model: String

    @Option(help: "PEFT adapter directories; sequences of a batch cycle through them.")
    var adapter: [String] = []

    @Option(help: "Also build this many random adapters in memory (all 7 projections of every layer).")
    var randomAdapters: Int = 0

    @Option(help: "Rank of the random adapters.")
    var rank: Int = 8

    @Option(help: "Batch sizes to measure decode at (comma-separated).")
    var batches: String = "1,8"

    @Option(help: "Prompt length in tokens.")
    var promptLength: Int = 64

    @Option(help: "Tokens generated per sequence.")
    var decodeTokens: Int = 32

    @Option(help: "Threads for matmul (default: all cores).")
    var threads: Int?

    @Option(help: "Quantized matmul: fast (8-bit activations, integer dots) or exact (dequantize rows).")
    var quantizedMatmul: String = "fast"

    @Flag(help: "Dequantize GGUF weights to f32 at load instead of keeping them quantized.")
    var dequantize = false

    @Option(help: "Runs per measurement; the fastest counts (other load on the machine only slows runs down).")
    var repeats: Int = 3

    func validate() throws {
        if !["fast", "exact"].contains(quantizedMatmul) { throw ValidationError("--quantized-matmul is fast or exact") }
        if randomAdapters < 0 || rank < 1 { throw ValidationError("--random-adapters ≥ 0, --rank ≥ 1") }
        if repeats < 1 { throw ValidationError("--repeats ≥ 1") }
    }

    func run() throws {
        let backend = CPUBackend(
            threadCount: threads ?? CPUBackend.defaultThreadCount,
            quantizedMatmul: quantizedMatmul == "exact" ? .exact : .fast)
        let loadStart = DispatchTime.now()
        let (config, source) = try Self.openModel(model)
        let llama = try LlamaModel(config: config, source: source, backend: backend, keepQuantized: !dequantize)
        let loadSeconds = Self.seconds(since: loadStart)
        var adapters = try adapter.map {
            let url = URL(fileURLWithPath: $0)
            return try LoRAAdapter.load(name: url.lastPathComponent, directory: url, base: config)
        }
        adapters += (0..<randomAdapters).map { Self.randomAdapter(index: $0, rank: rank, config: config) }
        let sizes = batches.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let weightBytes = Self.weightBytes(llama.weights)
        print(
            "model \(URL(fileURLWithPath: model).lastPathComponent): \(config.layerCount) layers, hidden \(config.hiddenSize), "
                + "weights \(String(format: "%.1f", Double(weightBytes) / 1e6)) MB in memory, loaded in "
                + "\(String(format: "%.2f", loadSeconds)) s")
        print(
            "\(backend.threadCount) threads, quantized matmul \(quantizedMatmul), prompt \(promptLength), decode \(decodeTokens)"
        )
        print("load average before: \(Self.loadAverage())")
        print(
            "| batch | adapters | prefill tok/s | decode tok/s (aggregate) | ms per decode step | CPU ms per decode step "
                + "| prefill tok per CPU-s | decode tok per CPU-s |")
        print("|---|---|---|---|---|---|---|---|")
        _ = try measure(llama, batch: 1, adapters: [], promptLength: 8, decodeTokens: 2)  // warm up
        for batch in sizes {
            for useAdapters in adapters.isEmpty ? [false] : [false, true] {
                let used = useAdapters ? adapters : []
                let (prefill, decode) = try measure(llama, batch: batch, adapters: used, promptLength: promptLength, decodeTokens: decodeTokens)
                let steps = Double(decodeTokens)
                print(
                    "| \(batch) | \(used.isEmpty ? 0 : min(batch, used.count)) "
                        + "| \(String(format: "%.0f", Double(batch * promptLength) / prefill.wall)) "
                        + "| \(String(format: "%.1f", Double(batch * decodeTokens) / decode.wall)) "
                        + "| \(String(format: "%.2f", decode.wall * 1000 / steps)) "
                        + "| \(String(format: "%.2f", decode.cpu * 1000 / steps)) "
                        + "| \(String(format: "%.0f", Double(batch * promptLength) / prefill.cpu)) "
                        + "| \(String(format: "%.1f", Double(batch * decodeTokens) / decode.cpu)) |")
            }
        }
    }

    /// Seconds of a `batch`-sequence prefill, and of `decodeTokens` decode steps after it.
    func measure(
        _ llama: LlamaModel<CPUBackend>, batch: Int, adapters: [LoRAAdapter], promptLength: Int, decodeTokens: Int
    ) throws -> (prefill: Measurement, decode: Measurement) {
        let config = llama.config
        let generator = BatchGenerator(
            model: llama,
            pageCount: llama.geometry.kvPageCount(tokenCount: promptLength + decodeTokens + 1) * batch
                + adapters.reduce(0) { $0 + llama.geometry.adapterPageCount(elementCount: $1.layout.elementCount) } + 8,
            stepTokenBudget: promptLength * batch)
        for a in adapters { generator.register(a) }
        let requests = (0..<batch).map { i in
            GenerationRequest(
                prompt: (0..<promptLength).map { Int32(($0 * 7 + i * 13 + 3) % config.vocabularySize) },
                adapter: adapters.isEmpty ? nil : adapters[i % adapters.count].name, maxTokens: 1)
        }
        // Prefill: one token each, so the time is the prompts' forward pass (adapters made resident first).
        _ = try generator.generate(requests.map { var r = $0; r.prompt = [r.prompt[0]]; return r })
        var decodeRequests = requests
        for i in decodeRequests.indices { decodeRequests[i].maxTokens = decodeTokens + 1 }
        var prefill = Measurement()
        var total = Measurement()
        for _ in 0..<repeats {
            prefill.keepFaster(try Measurement { _ = try generator.generate(requests) })
            total.keepFaster(try Measurement { _ = try generator.generate(decodeRequests) })
        }
        return (prefill, total.minus(prefill))
    }

    // MARK: - Model and adapters

    /// The configuration and weights at `path`: a `.gguf` file or an HF directory.
    static func openModel(_ path: String) throws -> (LlamaConfiguration, any LlamaWeightSource) {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            let file = try GGUFFile(url: url)
            let config = try LlamaConfiguration(gguf: file)
            return (config, try GGUFWeightSource(file: file, config: config))
        }
        let config = try LlamaConfiguration(contentsOf: url.appendingPathComponent("config.json"))
        return (config, try ModelCheckpoint(directory: url))
    }

    /// A random rank-`rank` adapter on all seven projections of every layer (scaling 2, like alpha = 2r):
    /// A ~ U(±1/√in), Bᵀ ~ U(±0.01). Deterministic per `index`.
    static func randomAdapter(index: Int, rank: Int, config: LlamaConfiguration) -> LoRAAdapter {
        let widths = config.projectionWidths
        let ranks = [[Int]](repeating: [Int](repeating: rank, count: LoRAModule.allCases.count), count: config.layerCount)
        let layout = AdapterStreamLayout(ranks: ranks, widths: widths)
        var stream = [Float](repeating: 0, count: layout.elementCount)
        var state = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        for layer in 0..<config.layerCount {
            for module in LoRAModule.allCases {
                guard let entry = layout.entry(layer: layer, module: module) else { continue }
                let a = 1 / Float(widths.inputWidth(module)).squareRoot()
                for e in 0..<(rank * widths.inputWidth(module)) { stream[entry.aOffset + e] = a * uniform() }
                for e in 0..<(rank * widths.outputWidth(module)) { stream[entry.bOffset + e] = 0.01 * uniform() }
            }
        }
        let scalings = [[Float]](repeating: [Float](repeating: 2, count: LoRAModule.allCases.count), count: config.layerCount)
        return LoRAAdapter(
            name: "random-\(index)", widths: widths, ranks: ranks, scalings: scalings, stream: stream,
            contentHash: String(repeating: "0", count: 48) + String(format: "%016x", index))
    }

    static func weightBytes(_ w: LlamaWeights<CPUBackend>) -> Int {
        var total = w.embedding.byteCount + (w.lmHead === w.embedding ? 0 : w.lmHead.byteCount)
        for l in w.layers { total += [l.q, l.k, l.v, l.o, l.gate, l.up, l.down].reduce(0) { $0 + $1.byteCount } }
        return total
    }

    /// Wall and process CPU (user + system, all threads) seconds of one run.
    struct Measurement {
        var wall = Double.infinity
        var cpu = Double.infinity

        init() {}

        init(_ body: () throws -> Void) rethrows {
            let (c0, t0) = (CPUBenchCommand.processCPUSeconds(), DispatchTime.now())
            try body()
            wall = CPUBenchCommand.seconds(since: t0)
            cpu = CPUBenchCommand.processCPUSeconds() - c0
        }

        /// Keeps the run with less wall time (other load on the machine only adds to it).
        mutating func keepFaster(_ other: Measurement) { if other.wall < wall { self = other } }

        func minus(_ other: Measurement) -> Measurement {
            var result = Measurement()
            result.wall = max(wall - other.wall, 1e-9)
            result.cpu = max(cpu - other.cpu, 1e-9)
            return result
        }
    }

    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The 1-minute load average (`/proc/loadavg`), or "?".
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
