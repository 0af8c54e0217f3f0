// A model directory's weights: one `model.safetensors`, or shards listed by
// `model.safetensors.index.json` (`weight_map`: tensor name → shard file name). Every shard is
// mapped and validated at open; tensors are read by name as Float with a shape check.

import Foundation

/// The safetensors weights of one HF model directory.
///
/// Like transformers, a single `model.safetensors` wins over a shard index when both exist.
///
/// ```swift
/// let checkpoint = try ModelCheckpoint(directory: modelURL)
/// let embed = try checkpoint.floats("model.embed_tokens.weight", shape: [vocab, hidden])  // [vocab, hidden]
/// ```
public final class ModelCheckpoint: Sendable {
    public static let singleFileName = "model.safetensors"
    public static let indexFileName = "model.safetensors.index.json"

    /// The model directory's path.
    public let directory: String
    /// Every tensor name, sorted.
    public let tensorNames: [String]
    /// The opened files, in the order first named (one for an unsharded checkpoint).
    public let files: [SafeTensorsFile]
    private let fileOfTensor: [String: SafeTensorsFile]

    // MARK: - Opening

    /// Opens `model.safetensors` in `directory`, or else the shards listed by the index there.
    public init(directory url: URL) throws(CheckpointError) {
        let directory = url.path
        self.directory = directory
        let single = url.appendingPathComponent(Self.singleFileName).path
        let index = url.appendingPathComponent(Self.indexFileName).path
        if FileManager.default.fileExists(atPath: single) {
            let file = try SafeTensorsFile(path: single)
            files = [file]
            fileOfTensor = Dictionary(file.tensorNames.map { ($0, file) }, uniquingKeysWith: { first, _ in first })
        } else if FileManager.default.fileExists(atPath: index) {
            (files, fileOfTensor) = try Self.openShards(index: index, directory: url)
        } else {
            throw .noWeightsFound(directory: directory)
        }
        tensorNames = fileOfTensor.keys.sorted()
    }

    /// Parses the shard index, opens each shard once and checks that every listed tensor is in the
    /// shard the index names it in.
    private static func openShards(
        index: String, directory: URL
    ) throws(CheckpointError) -> ([SafeTensorsFile], [String: SafeTensorsFile]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: index))
        } catch {
            throw .unreadableFile(file: index, reason: "\(error)")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse([UInt8](data))
        } catch {
            throw .badJSON(file: index, reason: error.description)
        }
        guard let weightMap = json["weight_map"]?.members else {
            throw .badConfigField(file: index, field: "weight_map", reason: "missing or not an object")
        }
        var files: [SafeTensorsFile] = []
        var fileNamed: [String: SafeTensorsFile] = [:]
        var fileOfTensor: [String: SafeTensorsFile] = [:]
        for entry in weightMap {
            guard let shardName = entry.value.string else {
                throw .badConfigField(
                    file: index, field: "weight_map.\(entry.key)",
                    reason: "is a \(entry.value.typeName), not a file name")
            }
            guard Self.isPlainFileName(shardName) else {
                throw .badConfigField(
                    file: index, field: "weight_map.\(entry.key)",
                    reason: "'\(shardName)' is not a file in the model directory")
            }
            let shard: SafeTensorsFile
            if let opened = fileNamed[shardName] {
                shard = opened
            } else {
                shard = try SafeTensorsFile(path: directory.appendingPathComponent(shardName).path)
                fileNamed[shardName] = shard
                files.append(shard)
            }
            guard shard.contains(entry.key) else { throw .missingTensor(file: shard.path, tensor: entry.key) }
            guard fileOfTensor.updateValue(shard, forKey: entry.key) == nil else {
                throw .duplicateTensor(file: index, tensor: entry.key)
            }
        }
        return (files, fileOfTensor)
    }

    /// A shard name must stay inside the model directory.
    private static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("/") && !name.split(separator: "/").contains("..")
    }

    // MARK: - Queries

    /// Whether the checkpoint holds a tensor named `name`.
    public func contains(_ name: String) -> Bool { fileOfTensor[name] != nil }

    /// The header entry of `name` (dtype, shape, file), or nil when absent.
    public func info(_ name: String) -> SafeTensorsFile.TensorInfo? { fileOfTensor[name]?.info(name) }

    /// The shape of `name`, or nil when absent.
    public func shape(of name: String) -> [Int]? { info(name)?.shape }

    /// The tensor `name` as Floats (converted from F32, F16 or BF16) after checking its shape.
    /// - Returns: `[shape.product]` row-major values.
    public func floats(_ name: String, shape: [Int]) throws(CheckpointError) -> [Float] {
        guard let file = fileOfTensor[name] else { throw .missingTensor(file: directory, tensor: name) }
        return try file.floats(name, shape: shape)
    }
}
