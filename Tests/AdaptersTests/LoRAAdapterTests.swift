// Loading well-formed adapters: which modules are adapted, ranks and scalings, the packed stream
// (checked element by element against the A/B written), delta weights, identity and hashing.

import Adapters
import Checkpoint
import Foundation
import MemoryPool
import Testing

@Suite struct LoRAAdapterTests {
    /// Checks every element of `adapter.stream` against the A and B the builder wrote.
    /// Oracle: AdapterStreamLayout's documented layout — A `[rank, in]` as saved, then Bᵀ `[rank, out]`.
    private static func expectStreamMatches(_ adapter: LoRAAdapter, _ builder: AdapterBuilder) {
        let widths = AdapterBuilder.widths
        var covered = 0
        for layer in 0..<adapter.layout.layerCount {
            for module in LoRAModule.allCases {
                let key = AdapterBuilder.Key(layer: layer, module: module)
                guard let entry = adapter.layout.entry(layer: layer, module: module) else {
                    #expect(builder.a[key] == nil, "layer \(layer) \(module) written but not loaded")
                    #expect(adapter.scalings[layer][module.index] == 0)
                    continue
                }
                guard let a = builder.a[key], let b = builder.b[key] else {
                    Issue.record("layer \(layer) \(module) loaded but not written")
                    continue
                }
                let rank = entry.rank
                let (input, output) = (widths.inputWidth(module), widths.outputWidth(module))
                for row in 0..<rank {
                    for column in 0..<input {
                        #expect(adapter.stream[entry.aOffset + row * input + column] == a[row * input + column])
                    }
                    for column in 0..<output {
                        #expect(adapter.stream[entry.bOffset + row * output + column] == b[column * rank + row])
                    }
                }
                covered += rank * (input + output)
            }
        }
        #expect(covered == adapter.stream.count, "the stream holds nothing but A and Bᵀ rows")
    }

    /// Oracle: the layout doc (element by element) and PEFT's scaling alpha/r, for all seven modules.
    @Test func allModulesPackedPerLayout() throws {
        var builder = AdapterBuilder(config: AdapterBuilder.config(r: 2, alpha: 4, targetModules: #""all-linear""#))
        builder.addModules(layers: [0, 1, 2], modules: LoRAModule.allCases, rank: 2)
        let (adapter, _) = try builder.load()
        #expect(
            adapter.layout
                == AdapterStreamLayout(
                    ranks: [[Int]](repeating: [2, 2, 2, 2, 2, 2, 2], count: 3), widths: AdapterBuilder.widths))
        #expect(adapter.scalings == [[Float]](repeating: [Float](repeating: 2, count: 7), count: 3))
        Self.expectStreamMatches(adapter, builder)
    }

    /// Oracle: PEFT's saved-name convention — names with `.default` (adapter name kept) load the
    /// same weights as the stripped names.
    @Test func namesWithAndWithoutDefault() throws {
        var plain = AdapterBuilder(config: AdapterBuilder.config())
        plain.addModules(layers: [0, 1, 2], modules: [.q, .v], rank: 2)
        var named = AdapterBuilder(config: AdapterBuilder.config())
        named.addModules(layers: [0, 1, 2], modules: [.q, .v], rank: 2, adapterName: "default")
        let (fromPlain, _) = try plain.load()
        let (fromNamed, _) = try named.load()
        #expect(fromPlain.stream == fromNamed.stream && fromPlain.layout == fromNamed.layout)
        Self.expectStreamMatches(fromNamed, named)
    }

    /// Oracle: target_modules selects a subset; other modules have no entry and scaling 0.
    @Test func subsetOfModules() throws {
        var builder = AdapterBuilder(
            config: AdapterBuilder.config(r: 3, alpha: 6, targetModules: #"["k_proj","down_proj"]"#))
        builder.addModules(layers: [0, 1, 2], modules: [.k, .down], rank: 3)
        let (adapter, _) = try builder.load()
        for layer in 0..<3 {
            #expect(adapter.rank(layer: layer, module: .k) == 3 && adapter.rank(layer: layer, module: .down) == 3)
            #expect(adapter.rank(layer: layer, module: .q) == 0 && adapter.deltaWeight(layer: layer, module: .q) == nil)
            #expect(adapter.scalings[layer] == [0, 2, 0, 0, 0, 0, 2])
        }
        Self.expectStreamMatches(adapter, builder)
    }

    /// Oracle: PEFT's rank_pattern/alpha_pattern semantics (first matching key, suffix match) and
    /// use_rslora scaling alpha/√r, with tensors written at the per-module ranks.
    @Test func rankAndAlphaPatternsWithRSLoRA() throws {
        var builder = AdapterBuilder(
            config: AdapterBuilder.config(
                r: 4, alpha: 8, targetModules: #"["q_proj","v_proj","down_proj"]"#,
                #""use_rslora":true,"rank_pattern":{"down_proj":2,"layers.1.self_attn.q_proj":3},"alpha_pattern":{"v_proj":16}"#
            ))
        for layer in 0..<3 {
            builder.addModule(layer: layer, module: .q, rank: layer == 1 ? 3 : 4)
            builder.addModule(layer: layer, module: .v, rank: 4)
            builder.addModule(layer: layer, module: .down, rank: 2)
        }
        let (adapter, _) = try builder.load()
        #expect(adapter.rank(layer: 1, module: .q) == 3 && adapter.rank(layer: 0, module: .q) == 4)
        #expect(adapter.rank(layer: 2, module: .down) == 2)
        #expect(adapter.scalings[0][LoRAModule.q.index] == 4)  // 8/√4
        #expect(adapter.scalings[1][LoRAModule.q.index] == Float(8 / 3.0.squareRoot()))
        #expect(adapter.scalings[0][LoRAModule.v.index] == 8)  // 16/√4
        #expect(adapter.scalings[0][LoRAModule.down.index] == Float(8 / 2.0.squareRoot()))
        Self.expectStreamMatches(adapter, builder)
    }

    /// Oracle: PEFT's layers_to_transform — only the listed layers carry tensors and entries.
    @Test func layersToTransform() throws {
        var builder = AdapterBuilder(
            config: AdapterBuilder.config(
                r: 2, alpha: 2, targetModules: #"["o_proj","up_proj"]"#, #""layers_to_transform":[0,2]"#))
        builder.addModules(layers: [0, 2], modules: [.o, .up], rank: 2)
        let (adapter, _) = try builder.load()
        #expect(adapter.layout.entries[1].allSatisfy { $0 == nil })
        #expect(adapter.rank(layer: 2, module: .up) == 2)
        Self.expectStreamMatches(adapter, builder)
    }

    /// Oracle: HalfPrecision (tested against Float16) — F16 and BF16 adapters load the values written
    /// (chosen exactly representable).
    @Test(arguments: [SafeTensorsDType.f16, .bf16])
    func halfPrecisionAdapters(dtype: SafeTensorsDType) throws {
        var builder = AdapterBuilder(config: AdapterBuilder.config())
        builder.dtype = dtype
        builder.addModules(layers: [0, 1, 2], modules: [.q, .v], rank: 2)
        let (adapter, _) = try builder.load()
        Self.expectStreamMatches(adapter, builder)
    }

    /// Oracle: PEFT `get_delta_weight` = scaling · (B @ A), computed here from the written A and B.
    @Test func deltaWeightIsScaledBTimesA() throws {
        var builder = AdapterBuilder(config: AdapterBuilder.config(r: 2, alpha: 3, targetModules: #"["o_proj"]"#))
        builder.addModules(layers: [0, 1, 2], modules: [.o], rank: 2)
        let (adapter, _) = try builder.load()
        let key = AdapterBuilder.Key(layer: 1, module: .o)
        let a = try #require(builder.a[key])  // [2, q 12]
        let b = try #require(builder.b[key])  // [H 8, 2]
        let delta = try #require(adapter.deltaWeight(layer: 1, module: .o))  // [8, 12]
        #expect(delta.count == 8 * 12)
        for row in 0..<8 {
            for column in 0..<12 {
                let expected = 1.5 * (b[row * 2] * a[column] + b[row * 2 + 1] * a[12 + column])
                #expect(abs(delta[row * 12 + column] - expected) <= 1e-5 * max(1, abs(expected)))
            }
        }
    }

    /// Oracle: the identity rule (name@16 hex) and SHA-256 (tested against NIST vectors) of
    /// config bytes followed by weight bytes; any change to the files changes it, the name does not.
    @Test func identityAndContentHash() throws {
        var builder = AdapterBuilder(config: AdapterBuilder.config())
        builder.addModules(layers: [0, 1, 2], modules: [.q, .v], rank: 2)
        let directory = try TemporaryDirectory()
        try builder.write(to: directory.url)
        let adapter = try LoRAAdapter.load(name: "sql", directory: directory.url, base: AdapterBuilder.base)
        let config = [UInt8](try Data(contentsOf: directory.url.appendingPathComponent("adapter_config.json")))
        let weights = [UInt8](try Data(contentsOf: directory.url.appendingPathComponent("adapter_model.safetensors")))
        #expect(adapter.contentHash == SHA256.hex(SHA256.hash(config + weights)))
        #expect(adapter.identity == "sql@" + adapter.contentHash.prefix(16))
        #expect(adapter.contentHash.count == 64)
        let renamed = try LoRAAdapter.load(name: "other", directory: directory.url, base: AdapterBuilder.base)
        #expect(renamed.contentHash == adapter.contentHash && renamed.identity != adapter.identity)

        var changed = builder
        changed.removeTensor(AdapterBuilder.name(layer: 0, module: .q, matrix: "lora_A"))
        changed.addTensor(
            AdapterBuilder.name(layer: 0, module: .q, matrix: "lora_A"), shape: [2, 8],
            values: [Float](repeating: 1, count: 16))
        let (modified, _) = try changed.load(name: "sql")
        #expect(modified.contentHash != adapter.contentHash)
    }

    /// Oracle: the in-memory initializer lays out exactly like AdapterStreamLayout.
    @Test func inMemoryAdapter() {
        let widths = AdapterBuilder.widths
        var ranks = [[Int]](repeating: [Int](repeating: 0, count: 7), count: 2)
        ranks[1][LoRAModule.v.index] = 1
        let layout = AdapterStreamLayout(ranks: ranks, widths: widths)
        let stream = (0..<layout.elementCount).map(Float.init)
        var scalings = [[Float]](repeating: [Float](repeating: 0, count: 7), count: 2)
        scalings[1][LoRAModule.v.index] = 2
        let adapter = LoRAAdapter(
            name: "mem", widths: widths, ranks: ranks, scalings: scalings, stream: stream, contentHash: "ab")
        #expect(adapter.layout == layout && adapter.identity == "mem@ab" && adapter.config == nil)
        // Bᵀ row 0 = stream[8..<14], A row 0 = stream[0..<8]: delta[o][i] = 2 · (8 + o) · i.
        #expect(adapter.deltaWeight(layer: 1, module: .v)?[3 * 8 + 5] == Float(2 * 11 * 5))
    }
}
