// Adapters that must be rejected at load: wrong shapes, missing or extra tensors, tensors for
// modules slora cannot adapt, nothing targeted, missing/corrupt files. Never a crash.

import Adapters
import Checkpoint
import Foundation
import MemoryPool
import Testing

@Suite struct LoRAAdapterValidationTests {
    /// A valid q/v adapter over all three layers at rank 2.
    private static func valid(_ config: String = AdapterBuilder.config()) -> AdapterBuilder {
        var builder = AdapterBuilder(config: config)
        builder.addModules(layers: [0, 1, 2], modules: [.q, .v], rank: 2)
        return builder
    }

    private static let qA0 = AdapterBuilder.name(layer: 0, module: .q, matrix: "lora_A")
    private static let qB0 = AdapterBuilder.name(layer: 0, module: .q, matrix: "lora_B")

    /// The (tensor, expected, found) of a shape-mismatch load error, nil for any other outcome.
    private static func shapeMismatch(_ builder: AdapterBuilder, base: LlamaConfiguration = AdapterBuilder.base) throws
        -> (String, [Int], [Int])?
    {
        guard case .shapeMismatch(_, let tensor, let expected, let found)? = try builder.loadError(base: base) else {
            return nil
        }
        return (tensor, expected, found)
    }

    /// Oracle: the base model's widths (H 8, q 12) and the configured rank 2 fix every shape;
    /// the error names the tensor with expected vs found.
    @Test func shapeMismatches() throws {
        var wrongInput = Self.valid()
        wrongInput.removeTensor(Self.qA0)
        wrongInput.addTensor(Self.qA0, shape: [2, 16])  // trained on a wider base
        let input = try #require(try Self.shapeMismatch(wrongInput))
        #expect(input.0 == Self.qA0 && input.1 == [2, 8] && input.2 == [2, 16])

        var wrongRank = Self.valid()
        wrongRank.removeTensor(Self.qB0)
        wrongRank.addTensor(Self.qB0, shape: [12, 4])  // rank disagrees with r
        let rank = try #require(try Self.shapeMismatch(wrongRank))
        #expect(rank.0 == Self.qB0 && rank.1 == [12, 2] && rank.2 == [12, 4])

        // An absurd r in the config is a shape mismatch, not an overflow.
        var hugeRank = AdapterBuilder(config: AdapterBuilder.config(r: 1 << 40))
        hugeRank.addModules(layers: [0, 1, 2], modules: [.q, .v], rank: 2)
        let huge = try #require(try Self.shapeMismatch(hugeRank))
        #expect(huge.1 == [1 << 40, 8] && huge.2 == [2, 8])

        // A base model with different widths rejects an otherwise valid adapter.
        let otherBase = LlamaConfiguration(
            hiddenSize: 16, intermediateSize: 10, layerCount: 3, headCount: 2, vocabularySize: 16)
        #expect(try Self.shapeMismatch(Self.valid(), base: otherBase) != nil)
    }

    /// Oracle: the config targets q and v in every layer, so each A and B must be present; the
    /// error gives the canonical tensor name.
    @Test func missingTensor() throws {
        var builder = Self.valid()
        builder.removeTensor(Self.qB0)
        let error = try builder.loadError()
        guard case .missingTensor(_, let tensor)? = error else {
            Issue.record("expected missingTensor, got \(String(describing: error))")
            return
        }
        #expect(tensor == Self.qB0)
    }

    /// Oracle: formats-and-api.md §B.2 and the supported subset — each extra tensor is rejected as
    /// unexpected with a reason naming what it is.
    @Test func unexpectedTensors() throws {
        let cases: [(String, [Int], String)] = [
            ("base_model.model.model.embed_tokens.lora_embedding_A", [2, 16], "embed_tokens"),
            ("base_model.model.lm_head.lora_A.weight", [2, 8], "lm_head"),
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", [12], "DoRA"),
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_B.bias", [12], "bias"),
            ("base_model.model.model.layers.0.self_attn.q_proj.base_layer.weight", [12, 8], "full module"),
            (AdapterBuilder.name(layer: 0, module: .k, matrix: "lora_A"), [2, 8], "does not target"),
            (AdapterBuilder.name(layer: 5, module: .q, matrix: "lora_A"), [2, 8], "layer 5"),
            ("base_model.model.model.layers.0.mlp.q_proj.lora_A.weight", [2, 8], "self_attn"),
            (
                AdapterBuilder.name(layer: 0, module: .q, matrix: "lora_A", adapterName: "default"), [2, 8],
                "duplicates"
            ),
            ("base_model.model.model.language_model.layers.0.self_attn.q_proj.lora_A.weight", [2, 8], "decoder-layer"),
        ]
        for (name, shape, reasonFragment) in cases {
            var builder = Self.valid()
            builder.addTensor(name, shape: shape)
            let error = try builder.loadError()
            guard case .unexpectedTensor(_, let tensor, let reason)? = error else {
                Issue.record("\(name): expected unexpectedTensor, got \(String(describing: error))")
                continue
            }
            #expect(tensor == name || reasonFragment == "duplicates")
            #expect(reason.contains(reasonFragment), "\(name): \(reason)")
        }
    }

    /// Oracle: formats-and-api.md §F.4 — an adapter whose target_modules match no projection must
    /// fail loudly, not load as a no-op.
    @Test func noModuleMatched() throws {
        let cases = [
            AdapterBuilder.config(targetModules: #"["c_attn"]"#),
            AdapterBuilder.config(targetModules: #"".*language_model.*""#),
            AdapterBuilder.config(targetModules: #"["q_proj"]"#, #""layers_to_transform":[7]"#),
        ]
        for config in cases {
            let error = try AdapterBuilder(config: config).loadError()
            #expect(error?.kind == .noModuleMatched, "\(config)")
            #expect(error?.description.contains("HINT") == true)
        }
    }

    /// Oracle: file-level failures — missing files, a pickle-only adapter (with a hint), a corrupt
    /// or non-float safetensors file wrapped as `.checkpoint`, a config-level rejection surfacing
    /// through `load`.
    @Test func fileLevelFailures() throws {
        let empty = try TemporaryDirectory()
        let noConfig = #expect(throws: AdapterError.self) {
            try LoRAAdapter.load(name: "x", directory: empty.url, base: AdapterBuilder.base)
        }
        #expect(noConfig?.kind == .unreadableFile)

        let pickleOnly = try TemporaryDirectory()
        try Data(AdapterBuilder.config().utf8).write(to: pickleOnly.url.appendingPathComponent("adapter_config.json"))
        try Data([0x80, 0x02]).write(to: pickleOnly.url.appendingPathComponent("adapter_model.bin"))
        let pickle = #expect(throws: AdapterError.self) {
            try LoRAAdapter.load(name: "x", directory: pickleOnly.url, base: AdapterBuilder.base)
        }
        #expect(pickle == .missingWeights(directory: pickleOnly.url.path, hasPickle: true))
        #expect(pickle?.description.contains("safe_serialization") == true)

        let corrupt = try TemporaryDirectory()
        try Self.valid().write(to: corrupt.url)
        let weights = corrupt.url.appendingPathComponent("adapter_model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 3).write(to: weights)
        let truncated = #expect(throws: AdapterError.self) {
            try LoRAAdapter.load(name: "x", directory: corrupt.url, base: AdapterBuilder.base)
        }
        guard case .checkpoint(let inner)? = truncated, case .truncatedFile = inner else {
            Issue.record("expected .checkpoint(.truncatedFile), got \(String(describing: truncated))")
            return
        }

        var integers = Self.valid()
        integers.removeTensor(Self.qA0)
        integers.addRawTensor(Self.qA0, dtype: .i32, shape: [2, 8], bytes: [UInt8](repeating: 0, count: 64))
        let dtypeError = try integers.loadError()
        #expect(
            dtypeError
                == .checkpoint(
                    .unsupportedDType(file: dtypeError?.checkpointFile ?? "", tensor: Self.qA0, dtype: "I32")))

        #expect(try Self.valid(AdapterBuilder.config(#""use_dora":true"#)).loadError()?.kind == .doraUnsupported)
    }
}

extension AdapterError {
    /// The file of a wrapped checkpoint error (test helper).
    fileprivate var checkpointFile: String? {
        if case .checkpoint(let error) = self { error.file } else { nil }
    }
}
