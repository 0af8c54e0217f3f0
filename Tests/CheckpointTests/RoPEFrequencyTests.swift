// LlamaConfiguration.ropeInverseFrequencies against transformers' LlamaRotaryEmbedding, using
// Tests/Fixtures/rope/rope_golden.json from scripts/make_rope_golden.py.

import Checkpoint
import Foundation
import Testing

@Suite struct RoPEFrequencyTests {
    private struct GoldenCase {
        let name: String
        let configJSON: Data
        let torchFloat32: [Double]
        let float64: [Double]
    }

    private static func goldenCases() throws -> [GoldenCase] {
        let url = TemporaryDirectory.fixtures().appendingPathComponent("rope/rope_golden.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try #require(root["cases"] as? [String: [String: Any]])
        return try cases.keys.sorted().map { name in
            let entry = try #require(cases[name])
            return GoldenCase(
                name: name,
                configJSON: try JSONSerialization.data(withJSONObject: try #require(entry["config"])),
                torchFloat32: try #require(entry["inv_freq_torch_float32"] as? [Double]),
                float64: try #require(entry["inv_freq_float64"] as? [Double]))
        }
    }

    /// Oracle: transformers `LlamaRotaryEmbedding(config).inv_freq` (torch float32, so within a few
    /// float32 ulps) and the same formula in float64 (numpy; agreement to 1e-12) for llama3 (v4
    /// `rope_scaling`, v5 `rope_parameters`, legacy `type` with explicit head_dim), linear and default.
    @Test func matchesTransformers() throws {
        let cases = try Self.goldenCases()
        #expect(cases.count == 5)
        for golden in cases {
            let config = try LlamaConfiguration(jsonData: golden.configJSON, path: golden.name)
            let ours = config.ropeInverseFrequencies()
            #expect(ours.count == config.headDim / 2, "\(golden.name)")
            #expect(ours.count == golden.torchFloat32.count, "\(golden.name)")
            for (index, value) in ours.enumerated() where index < golden.torchFloat32.count {
                let torch = golden.torchFloat32[index]
                let exact = golden.float64[index]
                #expect(abs(value - exact) <= 1e-12 * exact, "\(golden.name)[\(index)] \(value) vs float64 \(exact)")
                #expect(abs(value - torch) <= 1e-6 * torch, "\(golden.name)[\(index)] \(value) vs torch \(torch)")
            }
        }
    }

    /// Oracle: the llama3 rule's three regimes, on Llama 3.1 numbers (θ 5e5, d 128, factor 8,
    /// wavelengths < 2048 kept, > 8192 divided by 8, blended between).
    @Test func llama3Regimes() {
        let scaled = LlamaConfiguration(
            hiddenSize: 4096, intermediateSize: 8, layerCount: 1, headCount: 32, vocabularySize: 8, ropeTheta: 500_000,
            ropeScaling: .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192))
        let plain = LlamaConfiguration(
            hiddenSize: 4096, intermediateSize: 8, layerCount: 1, headCount: 32, vocabularySize: 8, ropeTheta: 500_000)
        let ours = scaled.ropeInverseFrequencies()
        let base = plain.ropeInverseFrequencies()
        #expect(base[0] == 1)
        for index in base.indices {
            let wavelength = 2 * Double.pi / base[index]
            if wavelength < 2048 {
                #expect(ours[index] == base[index])
            } else if wavelength > 8192 {
                #expect(ours[index] == base[index] / 8)
            } else {
                #expect(ours[index] < base[index] && ours[index] > base[index] / 8)
            }
        }
    }
}
