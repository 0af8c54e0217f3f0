// Test support: builds PEFT-style adapter directories (adapter_config.json + adapter_model.safetensors)
// for a tiny base model, remembering every A and B written so tests can check the packed stream.

import Adapters
import Checkpoint
import Foundation
import MemoryPool

/// An adapter directory under construction.
struct AdapterBuilder {
    /// The tiny base every test adapter targets: H 8, q 12 (headDim 6 explicit), kv 6, I 10, 3 layers.
    static let base = LlamaConfiguration(
        hiddenSize: 8, intermediateSize: 10, layerCount: 3, headCount: 2, kvHeadCount: 1, headDim: 6, vocabularySize: 16
    )
    static var widths: ProjectionWidths { base.projectionWidths }

    /// The `adapter_config.json` text.
    var configJSON: String
    var dtype: SafeTensorsDType = .f32
    /// A `[rank, in]` and B `[out, rank]` written per (layer, module).
    private(set) var a: [Key: [Float]] = [:]
    private(set) var b: [Key: [Float]] = [:]
    private var tensors: [(name: String, shape: [Int], values: [Float])] = []
    private var rawTensors: [(name: String, dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8])] = []

    struct Key: Hashable {
        let layer: Int
        let module: LoRAModule
    }

    /// A config with the common fields and `extra` members spliced in (later keys win, as in Python).
    static func config(
        r: Int = 2, alpha: Double = 4, targetModules: String = #"["q_proj","v_proj"]"#, _ extra: String = ""
    ) -> String {
        #"{"peft_type":"LORA","task_type":"CAUSAL_LM","r":\#(r),"lora_alpha":\#(alpha),"#
            + #""target_modules":\#(targetModules),"bias":"none","use_dora":false,"modules_to_save":null"#
            + (extra.isEmpty ? "" : "," + extra) + "}"
    }

    init(config: String) {
        configJSON = config
    }

    /// Distinct, exactly representable values (also in F16/BF16) for tensor `seed`.
    static func values(seed: Int, count: Int) -> [Float] {
        (0..<count).map { Float(((seed * 37 + $0 * 11) % 61) - 30) / 8 }
    }

    /// Adds A `[rank, in]` and B `[out, rank]` for (layer, module), named with `adapterName` after
    /// `lora_A`/`lora_B` when given (e.g. "default").
    mutating func addModule(layer: Int, module: LoRAModule, rank: Int, adapterName: String? = nil) {
        let inputWidth = Self.widths.inputWidth(module)
        let outputWidth = Self.widths.outputWidth(module)
        let seed = layer * 7 + module.index
        let aValues = Self.values(seed: 2 * seed, count: rank * inputWidth)
        let bValues = Self.values(seed: 2 * seed + 1, count: outputWidth * rank)
        a[Key(layer: layer, module: module)] = aValues
        b[Key(layer: layer, module: module)] = bValues
        addTensor(
            Self.name(layer: layer, module: module, matrix: "lora_A", adapterName: adapterName),
            shape: [rank, inputWidth], values: aValues)
        addTensor(
            Self.name(layer: layer, module: module, matrix: "lora_B", adapterName: adapterName),
            shape: [outputWidth, rank], values: bValues)
    }

    /// Adds every listed (layer, module) at `rank`.
    mutating func addModules(layers: [Int], modules: [LoRAModule], rank: Int, adapterName: String? = nil) {
        for layer in layers {
            for module in modules { addModule(layer: layer, module: module, rank: rank, adapterName: adapterName) }
        }
    }

    /// Adds an arbitrary float tensor (for wrong shapes and unexpected names).
    mutating func addTensor(_ name: String, shape: [Int], values: [Float]? = nil) {
        tensors.append((name, shape, values ?? [Float](repeating: 0.5, count: shape.reduce(1, *))))
    }

    mutating func addRawTensor(_ name: String, dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
        rawTensors.append((name, dtype, shape, bytes))
    }

    mutating func removeTensor(_ name: String) {
        tensors.removeAll { $0.name == name }
    }

    static func name(layer: Int, module: LoRAModule, matrix: String, adapterName: String? = nil) -> String {
        "base_model.model." + PEFTAdapterConfig.modulePath(layer: layer, module: module) + "." + matrix
            + (adapterName.map { "." + $0 } ?? "") + ".weight"
    }

    /// Writes the two files into `directory`.
    func write(to directory: URL) throws {
        try Data(configJSON.utf8).write(to: directory.appendingPathComponent("adapter_config.json"))
        var writer = SafeTensorsWriter()
        writer.metadata = ["format": "pt"]
        for tensor in tensors { writer.add(tensor.name, shape: tensor.shape, floats: tensor.values, dtype: dtype) }
        for tensor in rawTensors {
            writer.add(tensor.name, dtype: tensor.dtype, shape: tensor.shape, rawBytes: tensor.bytes)
        }
        try writer.write(to: directory.appendingPathComponent("adapter_model.safetensors"))
    }

    /// Writes the adapter to a fresh directory and loads it against `base`.
    func load(name: String = "test", base: LlamaConfiguration = AdapterBuilder.base) throws -> (
        LoRAAdapter, TemporaryDirectory
    ) {
        let directory = try TemporaryDirectory()
        try write(to: directory.url)
        return (try LoRAAdapter.load(name: name, directory: directory.url, base: base), directory)
    }

    /// Writes the adapter and returns the load error (nil when it loaded).
    func loadError(base: LlamaConfiguration = AdapterBuilder.base) throws -> AdapterError? {
        let directory = try TemporaryDirectory()
        try write(to: directory.url)
        do {
            _ = try LoRAAdapter.load(name: "bad", directory: directory.url, base: base)
            return nil
        } catch {
            return error
        }
    }
}
