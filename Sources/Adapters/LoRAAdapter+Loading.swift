// Loading a HF PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) into a
// LoRAAdapter, validating everything up front: config features, which modules are targeted, every
// tensor's name and shape against the base model, nothing missing and nothing extra.

import Checkpoint
import Foundation
import MemoryPool

extension LoRAAdapter {
    public static let configFileName = "adapter_config.json"
    public static let weightsFileName = "adapter_model.safetensors"

    /// Loads and fully validates the PEFT adapter in `directory` for the base model `base`.
    ///
    /// Ranks and scalings follow PEFT (`r`/`lora_alpha`, overridden per module by `rank_pattern` /
    /// `alpha_pattern`; alpha/r, or alpha/√r with `use_rslora`). Tensor names may carry an adapter
    /// name (`lora_A.default.weight`). Fails when no module is targeted, when a targeted module
    /// lacks A or B, when any other tensor is present, or when a shape disagrees with the base.
    public static func load(name: String, directory: URL, base: LlamaConfiguration) throws(AdapterError) -> LoRAAdapter
    {
        let configURL = directory.appendingPathComponent(configFileName)
        let configBytes: [UInt8]
        do {
            configBytes = [UInt8](try Data(contentsOf: configURL))
        } catch {
            throw .unreadableFile(file: configURL.path, reason: "\(error)")
        }
        let config = try PEFTAdapterConfig(jsonData: Data(configBytes), path: configURL.path)

        let weightsPath = directory.appendingPathComponent(weightsFileName).path
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            let pickle = directory.appendingPathComponent("adapter_model.bin").path
            throw .missingWeights(directory: directory.path, hasPickle: FileManager.default.fileExists(atPath: pickle))
        }
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(path: weightsPath)
        } catch {
            throw .checkpoint(error)
        }

        let widths = base.projectionWidths
        let (ranks, scalings) = try targets(of: config, layerCount: base.layerCount)
        let tensors = try classifyTensors(in: file, ranks: ranks)
        // Shapes are checked before the layout is sized, so an absurd `r` cannot overflow it.
        try checkShapes(in: file, tensors: tensors, ranks: ranks, widths: widths)
        let layout = AdapterStreamLayout(ranks: ranks, widths: widths)
        let stream = try packStream(file: file, tensors: tensors, layout: layout, widths: widths)

        var hasher = SHA256()
        hasher.update(configBytes)
        file.withUnsafeFileBytes { hasher.update($0) }
        return LoRAAdapter(
            name: name, directory: directory, config: config, widths: widths, layout: layout, stream: stream,
            scalings: scalings, contentHash: SHA256.hex(hasher.finalize()))
    }

    // MARK: - Targets

    /// Per (layer, module): PEFT's rank (0 = not targeted) and scaling.
    /// - Returns: `ranks[l][m.index]`, `scalings[l][m.index]`, both `[layerCount][7]`.
    private static func targets(
        of config: PEFTAdapterConfig, layerCount: Int
    ) throws(AdapterError) -> ([[Int]], [[Float]]) {
        var ranks = [[Int]](repeating: [Int](repeating: 0, count: LoRAModule.allCases.count), count: layerCount)
        var scalings = [[Float]](repeating: [Float](repeating: 0, count: LoRAModule.allCases.count), count: layerCount)
        var matched = false
        for layer in 0..<layerCount {
            for module in LoRAModule.allCases {
                let path = PEFTAdapterConfig.modulePath(layer: layer, module: module)
                guard config.isTargeted(path) else { continue }
                matched = true
                ranks[layer][module.index] = config.rank(for: path)
                scalings[layer][module.index] = Float(config.scaling(for: path))
            }
        }
        guard matched else {
            throw .noModuleMatched(file: config.path, targetModules: config.targetModules.description)
        }
        return (ranks, scalings)
    }

    // MARK: - Tensors

    /// Maps every tensor in the file to its (layer, module, A/B); any tensor that is not a LoRA
    /// weight of a targeted module of an existing layer is an error.
    private static func classifyTensors(
        in file: SafeTensorsFile, ranks: [[Int]]
    ) throws(AdapterError) -> [LoRATensorName: String] {
        var tensors: [LoRATensorName: String] = [:]
        for tensor in file.tensorNames {
            let parsed: LoRATensorName
            switch LoRATensorName.parse(tensor) {
            case .success(let name): parsed = name
            case .failure(let rejection):
                throw .unexpectedTensor(file: file.path, tensor: tensor, reason: rejection.reason)
            }
            guard parsed.layer < ranks.count else {
                throw .unexpectedTensor(
                    file: file.path, tensor: tensor,
                    reason: "layer \(parsed.layer) does not exist; the base model has \(ranks.count) layers "
                        + "(HINT: was the adapter trained on a different base model?)")
            }
            guard ranks[parsed.layer][parsed.module.index] > 0 else {
                throw .unexpectedTensor(
                    file: file.path, tensor: tensor, reason: "adapter_config.json does not target this module")
            }
            if let previous = tensors.updateValue(tensor, forKey: parsed) {
                throw .unexpectedTensor(file: file.path, tensor: tensor, reason: "duplicates '\(previous)'")
            }
        }
        for layer in ranks.indices {
            for module in LoRAModule.allCases where ranks[layer][module.index] > 0 {
                for matrix in [LoRATensorName.Matrix.a, .b] {
                    let key = LoRATensorName(layer: layer, module: module, matrix: matrix)
                    if tensors[key] == nil { throw .missingTensor(file: file.path, tensor: key.canonicalName) }
                }
            }
        }
        return tensors
    }

    /// Every A must be `[rank, inputWidth]` and every B `[outputWidth, rank]`.
    private static func checkShapes(
        in file: SafeTensorsFile, tensors: [LoRATensorName: String], ranks: [[Int]], widths: ProjectionWidths
    ) throws(AdapterError) {
        for layer in ranks.indices {
            for module in LoRAModule.allCases where ranks[layer][module.index] > 0 {
                let rank = ranks[layer][module.index]
                for matrix in [LoRATensorName.Matrix.a, .b] {
                    let tensor = tensors[LoRATensorName(layer: layer, module: module, matrix: matrix)] ?? ""
                    let expected =
                        matrix == .a ? [rank, widths.inputWidth(module)] : [widths.outputWidth(module), rank]
                    let found = file.info(tensor)?.shape ?? []
                    guard found == expected else {
                        throw .shapeMismatch(file: file.path, tensor: tensor, expected: expected, found: found)
                    }
                }
            }
        }
    }

    /// Reads every A and B (checking shapes) into one stream: A as saved, B transposed.
    /// - Returns: `[layout.elementCount]`.
    private static func packStream(
        file: SafeTensorsFile, tensors: [LoRATensorName: String], layout: AdapterStreamLayout, widths: ProjectionWidths
    ) throws(AdapterError) -> [Float] {
        var stream = [Float](repeating: 0, count: layout.elementCount)
        for layer in 0..<layout.layerCount {
            for module in LoRAModule.allCases {
                guard let entry = layout.entry(layer: layer, module: module) else { continue }
                let rank = entry.rank
                let inputWidth = widths.inputWidth(module)
                let outputWidth = widths.outputWidth(module)
                let aName = tensors[LoRATensorName(layer: layer, module: module, matrix: .a)] ?? ""
                let bName = tensors[LoRATensorName(layer: layer, module: module, matrix: .b)] ?? ""
                let a = try read(file, aName, shape: [rank, inputWidth])  // [rank, in]
                let b = try read(file, bName, shape: [outputWidth, rank])  // [out, rank]
                stream.replaceSubrange(entry.aOffset..<entry.aOffset + a.count, with: a)
                for row in 0..<rank {  // Bᵀ [rank, out]
                    for output in 0..<outputWidth {
                        stream[entry.bOffset + row * outputWidth + output] = b[output * rank + row]
                    }
                }
            }
        }
        return stream
    }

    private static func read(_ file: SafeTensorsFile, _ name: String, shape: [Int]) throws(AdapterError) -> [Float] {
        do {
            return try file.floats(name, shape: shape)
        } catch {
            switch error {
            case .wrongShape(let path, let tensor, let expected, let found):
                throw .shapeMismatch(file: path, tensor: tensor, expected: expected, found: found)
            case .missingTensor(let path, let tensor):
                throw .missingTensor(file: path, tensor: tensor)
            default:
                throw .checkpoint(error)
            }
        }
    }
}
