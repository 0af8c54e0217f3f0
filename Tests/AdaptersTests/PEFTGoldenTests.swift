// A real PEFT adapter (Tests/Fixtures/peft-pattern, made by scripts/make_peft_config_golden.py):
// rank_pattern, alpha_pattern, use_rslora, exclude_modules and all-linear as PEFT itself saved them.

import Adapters
import Checkpoint
import Foundation
import MemoryPool
import Testing

@Suite struct PEFTGoldenTests {
    private static let directory = TemporaryDirectory.fixtures().appendingPathComponent(
        "peft-pattern", isDirectory: true)

    private static func golden() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("peft_golden.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private static func load() throws -> LoRAAdapter {
        let base = try LlamaConfiguration(contentsOf: directory.appendingPathComponent("base_config.json"))
        return try LoRAAdapter.load(name: "golden", directory: directory, base: base)
    }

    /// Oracle: PEFT 0.21.2's own LoraLayer objects (`r`, `scaling` per module, dumped by the
    /// generator) — every module PEFT adapted has our rank and scaling; every other has none.
    @Test func ranksAndScalingsMatchPEFT() throws {
        let modules = try #require(try Self.golden()["modules"] as? [String: [String: Any]])
        let adapter = try Self.load()
        #expect(adapter.layout.layerCount == 2)
        var adapted = 0
        for layer in 0..<2 {
            for module in LoRAModule.allCases {
                let path = PEFTAdapterConfig.modulePath(layer: layer, module: module)
                guard let peft = modules[path] else {
                    #expect(adapter.rank(layer: layer, module: module) == 0, "\(path) is not adapted by PEFT")
                    continue
                }
                adapted += 1
                let rank = try #require(peft["r"] as? Int)
                let scaling = try #require(peft["scaling"] as? Double)
                #expect(adapter.rank(layer: layer, module: module) == rank, "\(path)")
                #expect(adapter.scalings[layer][module.index] == Float(scaling), "\(path)")
            }
        }
        #expect(adapted == modules.count && adapted == 13)
    }

    /// Oracle: PEFT `LoraLayer.get_delta_weight` (float64 dump) for four modules, including the
    /// rank_pattern ones — checks A/B orientation, the Bᵀ packing and the scaling together.
    @Test func deltaWeightsMatchPEFT() throws {
        let deltas = try #require(try Self.golden()["delta_weights"] as? [String: [String: Any]])
        let adapter = try Self.load()
        #expect(deltas.count == 4)
        for (path, entry) in deltas {
            let parts = path.split(separator: ".")
            let layer = try #require(Int(parts[2]))
            let module = try #require(LoRAModule(rawValue: String(parts[4])))
            let shape = try #require(entry["shape"] as? [Int])
            let values = try #require(entry["values"] as? [Double])
            #expect(shape == [adapter.widths.outputWidth(module), adapter.widths.inputWidth(module)], "\(path)")
            let ours = try #require(adapter.deltaWeight(layer: layer, module: module))
            #expect(ours.count == values.count)
            for (index, value) in values.enumerated() where index < ours.count {
                #expect(abs(Double(ours[index]) - value) <= 1e-5 * max(1, abs(value)), "\(path)[\(index)]")
            }
        }
    }

    /// Oracle: Python hashlib's SHA-256 of adapter_config.json + adapter_model.safetensors.
    @Test func contentHashMatchesHashlib() throws {
        let expected = try #require(try Self.golden()["content_sha256"] as? String)
        let adapter = try Self.load()
        #expect(adapter.contentHash == expected)
        #expect(adapter.identity == "golden@" + expected.prefix(16))
    }

    /// Oracle: PEFT's saved config — exclusions apply even though the saved target list names
    /// the excluded module; file-order patterns.
    @Test func savedConfigParses() throws {
        let config = try PEFTAdapterConfig(contentsOf: Self.directory.appendingPathComponent("adapter_config.json"))
        #expect(config.rank == 4 && config.alpha == 8 && config.useRSLoRA)
        #expect(config.excludeModules == .names(["layers.0.mlp.up_proj"]))
        #expect(config.isTargeted("model.layers.1.mlp.up_proj") && !config.isTargeted("model.layers.0.mlp.up_proj"))
        #expect(Set(config.rankPattern.map(\.key)) == ["down_proj", "layers.1.self_attn.q_proj"])
    }
}
