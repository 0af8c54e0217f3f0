// The demo model SmolLM2-135M-Instruct.Q4_1.gguf (fetched by scripts/fetch-demo-model, not committed), checked
// against gguf-py's reading of the same file (Tests/Fixtures/gguf/smollm2_demo.json). Skipped when absent.

import Foundation
import GGUF
import Testing

@Suite(.enabled(if: GGUFFixture.demoModelIsPresent, "run scripts/fetch-demo-model to fetch the demo model"))
struct GGUFDemoModelTests {
    struct Summary: Decodable {
        struct ArraySummary: Decodable {
            var elementType: String
            var count: Int
            var first: [GGUFFixture.ExpectedValue]
            var last: [GGUFFixture.ExpectedValue]
        }
        struct Sample: Decodable {
            var rows: Int
            var values: [Double]
        }
        var fileByteCount: Int
        var version: Int
        var alignment: Int
        var dataOffset: Int
        var metadata: [String: GGUFFixture.ExpectedValue]
        var arrays: [String: ArraySummary]
        var tensors: [GGUFFixture.ExpectedTensor]
        var samples: [String: Sample]
    }

    let file: GGUFFile
    let summary: Summary

    init() throws {
        file = try GGUFFile(url: GGUFFixture.demoModel)
        summary = try JSONDecoder().decode(
            Summary.self, from: Data(contentsOf: GGUFFixture.url("smollm2_demo.json")))
    }

    /// Oracle: gguf-py GGUFReader on the same file: header, scalar metadata, and arrays (count, ends).
    @Test func metadataMatchesGGUFPy() throws {
        #expect(file.byteCount == summary.fileByteCount)
        #expect(Int(file.version) == summary.version)
        #expect(file.alignment == summary.alignment)
        #expect(file.dataOffset == summary.dataOffset)
        #expect(file.metadata.count == summary.metadata.count + summary.arrays.count)
        for (key, value) in summary.metadata {
            #expect(file.metadata[key].map(GGUFFixture.ExpectedValue.init) == value, "\(key)")
        }
        for (key, array) in summary.arrays {
            let elements = try #require(file.metadata[key]?.arrayValue, "\(key)")
            #expect(file.metadata[key].map(GGUFFixture.ExpectedValue.init)?.elementType == array.elementType)
            #expect(elements.count == array.count, "\(key)")
            #expect(elements.prefix(array.first.count).map(GGUFFixture.ExpectedValue.init) == array.first, "\(key)")
            #expect(elements.suffix(array.last.count).map(GGUFFixture.ExpectedValue.init) == array.last, "\(key)")
        }
    }

    /// Oracle: gguf-py's tensor list (names in order, types, ne, byte ranges) and the type census it implies.
    @Test func tensorInfosMatchGGUFPy() throws {
        #expect(file.tensorNames == summary.tensors.map(\.name))
        for tensor in summary.tensors {
            let info = try file.tensor(tensor.name)
            #expect(info.type.description == tensor.type, "\(tensor.name)")
            #expect(info.dimensions == tensor.ne, "\(tensor.name)")
            #expect(info.byteRange == tensor.offset..<(tensor.offset + tensor.byteCount), "\(tensor.name)")
        }
        let census = Dictionary(grouping: file.tensors.values, by: \.type).mapValues(\.count)
        #expect(census == [.q4_1: 210, .f32: 61, .q8_0: 1])
        #expect(file.tensors.count == 272)
    }

    /// Oracle: the llama.* keys as gguf-py reads them (SmolLM2-135M: 30 layers, 576 hidden, 9 heads, 3 KV heads).
    @Test func llamaHyperparameters() throws {
        let hp = try GGUFLlamaHyperparameters(file: file)
        #expect(hp == GGUFLlamaHyperparameters(
            hiddenSize: 576, layerCount: 30, headCount: 9, kvHeadCount: 3, headDim: 64, intermediateSize: 1536,
            contextLength: 8192, ropeDimensionCount: 64, ropeTheta: 100_000, rmsNormEpsilon: Float(1e-5),
            vocabSize: 49152, tiedEmbeddings: true))
        try hp.validateTensorShapes(in: file)
        #expect(file.stringArray("tokenizer.ggml.tokens")?.count == hp.vocabSize)
    }

    /// Oracle: gguf.quants.dequantize of the first rows of Q8_0, Q4_1 and F32 tensors, bit for bit.
    @Test func dequantizedRowsMatchGGUFPy() throws {
        for (name, sample) in summary.samples {
            let values = try file.floats(name, rows: 0..<sample.rows)
            let oracle = sample.values.asFloats
            #expect(values.count == oracle.count, "\(name)")
            #expect(zip(values, oracle).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name)")
        }
    }
}
