// `slora bench cpu`: prefill and decode throughput of the CPU backend on one model, at batch 1 and
// at larger batches where every sequence uses a different LoRA adapter.

import Adapters
import ArgumentParser
import Backend
import CPUBackend
import Checkpoint
import Engine
import Foundation
import Llama
import MemoryPool

struct CPUBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpu", abstract: "Prefill and decode tokens/s on the CPU backend.")

    @Option(help: "An HF model directory.")
    var model: String

    @Option(help: "PEFT adapter directories; sequences of a batch cycle through them (none: base model).")
    var adapter: [String] = []

    @Option(help: "Batch sizes to measure decode at (comma-separated).")
    var batches: String = "1,16"

    @Option(help: "Prompt length in tokens.")
    var promptLength: Int = 64

    @Option(help: "Tokens generated per sequence.")
    var decodeTokens: Int = 32

    @Option(help: "Threads for matmul (default: all cores).")
    var threads: Int?

    func run() throws {
        let directory = URL(fileURLWithPath: model)
        let config = try LlamaConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let checkpoint = try ModelCheckpoint(directory: directory)
        let backend = CPUBackend(threadCount: threads ?? CPUBackend.defaultThreadCount)
        let llama = try LlamaModel(config: config, source: checkpoint, backend: backend)
        let adapters = try adapter.map {
            let url = URL(fileURLWithPath: $0)
            return try LoRAAdapter.load(name: url.lastPathComponent, directory: url, base: config)
        }
        let sizes = batches.split(separator: ",").compactMap { Int($0) }
        print("model \(directory.lastPathComponent), \(backend.threadCount) threads, prompt \(promptLength), decode \(decodeTokens)")
        print("| batch | adapters | prefill tok/s | decode tok/s (aggregate) | ms per decode step |")
        print("|---|---|---|---|---|")
        for batch in sizes {
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
            // Prefill: one token each, so the time is the prompt's forward pass.
            let t0 = DispatchTime.now()
            _ = try generator.generate(requests)
            let prefillSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
            var decodeRequests = requests
            for i in decodeRequests.indices { decodeRequests[i].maxTokens = decodeTokens + 1 }
            let t1 = DispatchTime.now()
            _ = try generator.generate(decodeRequests)
            let totalSeconds = Double(DispatchTime.now().uptimeNanoseconds - t1.uptimeNanoseconds) / 1e9
            let decodeSeconds = max(totalSeconds - prefillSeconds, 1e-9)
            let prefillRate = Double(batch * promptLength) / prefillSeconds
            let decodeRate = Double(batch * decodeTokens) / decodeSeconds
            print(
                "| \(batch) | \(adapters.isEmpty ? 0 : min(batch, adapters.count)) | \(String(format: "%.0f", prefillRate)) | \(String(format: "%.1f", decodeRate)) | \(String(format: "%.2f", decodeSeconds * 1000 / Double(decodeTokens))) |"
            )
        }
    }
}
