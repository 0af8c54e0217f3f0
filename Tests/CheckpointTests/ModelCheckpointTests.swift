// Tests of ModelCheckpoint: opening a model directory holding one model.safetensors or shards
// listed by model.safetensors.index.json, and the errors of a broken index.

import Checkpoint
import Foundation
import Testing

@Suite struct ModelCheckpointTests {
    private static func shard(_ tensors: [(String, [Int], [Float])], dtype: SafeTensorsDType = .f32) -> [UInt8] {
        var writer = SafeTensorsWriter()
        for (name, shape, values) in tensors { writer.add(name, shape: shape, floats: values, dtype: dtype) }
        return writer.serialized()
    }

    private static func index(_ weightMap: [String: String]) -> [UInt8] {
        let entries = weightMap.keys.sorted().map { #""\#($0)":"\#(weightMap[$0]!)""# }
        return Array(#"{"metadata":{"total_size":0},"weight_map":{\#(entries.joined(separator: ","))}}"#.utf8)
    }

    /// Oracle: the values written into the single file.
    @Test func singleFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.shard([("a", [2], [1, 2]), ("b", [1, 1], [3])]), to: "model.safetensors")
        let checkpoint = try ModelCheckpoint(directory: directory.url)
        #expect(checkpoint.tensorNames == ["a", "b"])
        #expect(checkpoint.contains("a") && !checkpoint.contains("c"))
        #expect(checkpoint.shape(of: "b") == [1, 1])
        #expect(try checkpoint.floats("b", shape: [1, 1]) == [3])
        #expect(throws: CheckpointError.missingTensor(file: directory.url.path, tensor: "c")) {
            try checkpoint.floats("c", shape: [1])
        }
        let error = #expect(throws: CheckpointError.self) { try checkpoint.floats("a", shape: [1, 2]) }
        #expect(error?.kind == .wrongShape)
    }

    /// Oracle: the HF sharding convention — `weight_map` sends each name to its shard; shards may
    /// use different dtypes.
    @Test func shardedIndex() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.shard([("x", [2], [1, 2]), ("y", [1], [3])]), to: "model-00001-of-00002.safetensors")
        try directory.write(Self.shard([("z", [3], [4, 5, 6])], dtype: .bf16), to: "model-00002-of-00002.safetensors")
        try directory.write(
            Self.index([
                "x": "model-00001-of-00002.safetensors", "y": "model-00001-of-00002.safetensors",
                "z": "model-00002-of-00002.safetensors",
            ]), to: "model.safetensors.index.json")
        let checkpoint = try ModelCheckpoint(directory: directory.url)
        #expect(checkpoint.tensorNames == ["x", "y", "z"])
        #expect(checkpoint.files.count == 2)
        #expect(try checkpoint.floats("x", shape: [2]) == [1, 2])
        #expect(try checkpoint.floats("z", shape: [3]) == [4, 5, 6])
        #expect(checkpoint.info("z")?.dtype == .bf16)
    }

    /// Oracle: transformers' lookup order — `model.safetensors` wins over an index.
    @Test func singleFileWinsOverIndex() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.shard([("only", [1], [9])]), to: "model.safetensors")
        try directory.write(Array("not json".utf8), to: "model.safetensors.index.json")
        #expect(try ModelCheckpoint(directory: directory.url).tensorNames == ["only"])
    }

    /// Oracle: each broken directory gives the error case beside it, naming the file at fault.
    @Test func brokenDirectories() throws {
        let good = Self.shard([("x", [1], [1])])
        let cases: [(String, [(String, [UInt8])], CheckpointErrorKind)] = [
            ("no weights", [], .noWeightsFound),
            ("index not JSON", [("model.safetensors.index.json", Array("{".utf8))], .badJSON),
            ("index without weight_map", [("model.safetensors.index.json", Array("{}".utf8))], .badConfigField),
            (
                "shard name escapes the directory",
                [("model.safetensors.index.json", Self.index(["x": "../x.safetensors"]))],
                .badConfigField
            ),
            (
                "shard missing", [("model.safetensors.index.json", Self.index(["x": "gone.safetensors"]))],
                .unreadableFile
            ),
            (
                "tensor not in its shard",
                [
                    ("s.safetensors", good),
                    ("model.safetensors.index.json", Self.index(["x": "s.safetensors", "w": "s.safetensors"])),
                ],
                .missingTensor
            ),
            (
                "corrupt shard",
                [("s.safetensors", [1, 2]), ("model.safetensors.index.json", Self.index(["x": "s.safetensors"]))],
                .truncatedFile
            ),
            (
                "duplicate index entry",
                [
                    ("s.safetensors", good),
                    (
                        "model.safetensors.index.json",
                        Array(#"{"weight_map":{"x":"s.safetensors","x":"s.safetensors"}}"#.utf8)
                    ),
                ],
                .duplicateTensor
            ),
        ]
        for (name, files, expected) in cases {
            let directory = try TemporaryDirectory()
            for (file, bytes) in files { try directory.write(bytes, to: file) }
            let error = #expect(throws: CheckpointError.self, "\(name)") {
                try ModelCheckpoint(directory: directory.url)
            }
            #expect(error?.kind == expected, "\(name): \(String(describing: error))")
        }
    }
}
