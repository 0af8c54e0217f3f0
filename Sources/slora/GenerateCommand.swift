// `slora generate`: offline generation on one model, optionally with one adapter. The prompt is text
// (optionally wrapped as one user turn with the model's chat template) or token ids; stdout gets only the
// generated text (or ids with --print-ids), so it pipes cleanly.

import Adapters
import ArgumentParser
import Backend
import CPUBackend
import CUDABackend
import ChatTemplates
import Checkpoint
import Engine
import Foundation
import Llama

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate from a prompt and print the generated text.")

    @Option(help: "An HF model directory (config.json + safetensors) or a GGUF file.")
    var model: String

    @Option(help: "A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors).")
    var lora: String?

    @Option(help: "The prompt text (tokenized with the model's tokenizer).")
    var prompt: String?

    @Flag(help: "Send --prompt as one user message through the model's chat template (and --system before it).")
    var chat = false

    @Option(help: "A system message for --chat.")
    var system: String?

    @Flag(help: "Print the generated token ids (comma-separated) instead of the text (always so with --prompt-ids).")
    var printIDs = false

    @Option(
        name: .customLong("prompt-ids"), help: "The prompt as comma-separated token ids (instead of --prompt).",
        transform: { text in
            try text.split(separator: ",").map {
                guard let id = Int32($0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("'\($0)' is not a token id")
                }
                return id
            }
        })
    var promptIDs: [Int32] = []

    @Option(help: "Most tokens to generate.")
    var maxTokens: Int = 64

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

    @Option(
        help: ArgumentHelp(
            "CPU matmul with quantized GGUF weights: fast (8-bit-ish activations, integer dots) or exact "
                + "(dequantize each weight row, f32 dots)."))
    var quantizedMatmul: String = "fast"

    func validate() throws {
        if (prompt == nil) == promptIDs.isEmpty { throw ValidationError("give one of --prompt TEXT or --prompt-ids IDS") }
        if !["fast", "exact"].contains(quantizedMatmul) { throw ValidationError("--quantized-matmul is fast or exact") }
        if chat && prompt == nil { throw ValidationError("--chat needs --prompt") }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if temperature < 0 { throw ValidationError("--temperature must be ≥ 0") }
        if !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
    }

    func run() throws {
        switch device ?? ComputeDevice.detected {
        case .cpu: try generate(on: CPUBackend(quantizedMatmul: quantizedMatmul == "exact" ? .exact : .fast))
        case .cuda: try generate(on: CUDAComputeBackend.openDefault())
        }
    }

    func generate<B: ComputeBackend>(on backend: B) throws {
        let files = try ModelFiles.open(model)
        let config = files.config
        let renderer = PromptRenderer(
            tokenizer: files.tokenizer, chatTemplate: try files.chatTemplate.map { try ChatTemplate(source: $0) },
            vocabularySize: config.vocabularySize)
        let input: PromptInput
        if let prompt, chat {
            let messages = (system.map { [ChatMessage(role: "system", content: $0)] } ?? [])
                + [ChatMessage(role: "user", content: prompt)]
            input = .chat(ChatConversation(messages: messages))
        } else if let prompt {
            input = .text(prompt, addSpecialTokens: true)
        } else {
            input = .tokenIDs(promptIDs)
        }
        let ids = try renderer.tokens(for: input)
        let llama = try LlamaModel(config: config, source: files.weights, backend: backend)
        let generator = BatchGenerator(model: llama, pageCount: poolPages)
        var adapterName: String?
        if let lora {
            let url = URL(fileURLWithPath: lora)
            let adapter = try LoRAAdapter.load(name: url.lastPathComponent, directory: url, base: config)
            generator.register(adapter)
            adapterName = adapter.name
        }
        let request = GenerationRequest(
            prompt: ids, adapter: adapterName, maxTokens: maxTokens,
            sampling: SamplingRow(temperature: temperature, topP: topP, topK: topK, seed: seed),
            stopTokens: files.stopTokenIDs)
        var output = try generator.generate([request])[0]
        if printIDs || prompt == nil || files.tokenizer == nil {
            print(output.map(String.init).joined(separator: ","))
            return
        }
        if let last = output.last, files.stopTokenIDs.contains(last) { output.removeLast() }
        print(files.tokenizer!.decode(output.map(Int.init), skipSpecialTokens: true))
    }
}
