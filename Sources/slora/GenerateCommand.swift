// `slora generate`: offline generation from token ids on one model, optionally with one adapter.

import Adapters
import ArgumentParser
import Backend
import CPUBackend
import CUDABackend
import Checkpoint
import Engine
import Foundation
import Llama

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate from a prompt and print the generated token ids.")

    @Option(help: "An HF model directory (config.json + safetensors) or a GGUF file.")
    var model: String

    @Option(help: "A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors).")
    var lora: String?

    @Option(
        name: .customLong("prompt-ids"), help: "The prompt as comma-separated token ids.",
        transform: { text in
            try text.split(separator: ",").map {
                guard let id = Int32($0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("'\($0)' is not a token id")
                }
                return id
            }
        })
    var promptIDs: [Int32]

    @Option(help: "Most tokens to generate.")
    var maxTokens: Int = 16

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(help: "Nucleus sampling mass (0, 1].")
    var topP: Float = 1

    @Option(help: "Keep only the k most likely tokens (0 = all).")
    var topK: Int = 0

    @Option(help: "Seed of the sampler.")
    var seed: UInt64 = 0

    @Option(help: "Pool size in pages.")
    var poolPages: Int = 8192

    @Option(help: "cuda or cpu (default: cuda when this machine has an NVIDIA GPU).")
    var device: ComputeDevice?

    func validate() throws {
        if promptIDs.isEmpty { throw ValidationError("--prompt-ids needs at least one id") }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if temperature < 0 { throw ValidationError("--temperature must be ≥ 0") }
        if !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
    }

    func run() throws {
        switch device ?? ComputeDevice.detected {
        case .cpu: try generate(on: CPUBackend())
        case .cuda: try generate(on: CUDAComputeBackend.openDefault())
        }
    }

    func generate<B: ComputeBackend>(on backend: B) throws {
        let (config, source) = try CPUBenchCommand.openModel(model)
        let llama = try LlamaModel(config: config, source: source, backend: backend)
        let generator = BatchGenerator(model: llama, pageCount: poolPages)
        var adapterName: String?
        if let lora {
            let url = URL(fileURLWithPath: lora)
            let adapter = try LoRAAdapter.load(name: url.lastPathComponent, directory: url, base: config)
            generator.register(adapter)
            adapterName = adapter.name
        }
        let request = GenerationRequest(
            prompt: promptIDs, adapter: adapterName, maxTokens: maxTokens,
            sampling: SamplingRow(temperature: temperature, topP: topP, topK: topK, seed: seed),
            stopTokens: Set(config.eosTokenIDs.map { Int32($0) }))
        let output = try generator.generate([request])[0]
        print(output.map(String.init).joined(separator: ","))
    }
}
