// A HF PEFT `adapter_config.json` for a LoRA adapter: the fields that decide which projections
// are adapted and with what rank and scaling. Parsing and the features rejected live in
// PEFTAdapterConfig+Parsing.swift; PEFT's module-matching rules in PEFTAdapterConfig+Matching.swift.

import Foundation

/// The inference-relevant subset of a PEFT `LoraConfig` (peft `src/peft/tuners/lora/config.py`).
///
/// Module paths are the base model's module names as PEFT sees them, e.g.
/// `model.layers.0.self_attn.q_proj` or `model.layers.3.mlp.down_proj`.
public struct PEFTAdapterConfig: Sendable, Hashable {
    /// How `target_modules` / `exclude_modules` select modules.
    public enum ModuleSelector: Sendable, Hashable, CustomStringConvertible {
        /// A list: a module matches when its path equals an entry or ends with `"." + entry`.
        case names([String])
        /// A string: a regular expression that must match the whole module path.
        case regex(String)
        /// `"all-linear"`: every linear layer except the output head (all seven projections).
        case allLinear

        public var description: String {
            switch self {
            case .names(let names): "\(names)"
            case .regex(let pattern): "regex \"\(pattern)\""
            case .allLinear: "\"all-linear\""
            }
        }
    }

    /// One `rank_pattern` / `alpha_pattern` entry, kept in file order (PEFT tries them in order).
    public struct PatternEntry<Value: Sendable & Hashable>: Sendable, Hashable {
        /// A regex matched against the end of the module path (after a `.`), as PEFT's `get_pattern_key`.
        public let key: String
        public let value: Value

        public init(key: String, value: Value) {
            self.key = key
            self.value = value
        }
    }

    /// The config file's path (for errors).
    public let path: String
    /// `r`: the default rank.
    public let rank: Int
    /// `lora_alpha`: the default scaling numerator.
    public let alpha: Double
    /// `use_rslora`: scaling = alpha/√r instead of alpha/r.
    public let useRSLoRA: Bool
    /// `target_modules`; when null in the file, PEFT's default for Llama/Mistral (`q_proj`, `v_proj`).
    public let targetModules: ModuleSelector
    /// `exclude_modules` (never `.allLinear`).
    public let excludeModules: ModuleSelector?
    /// `rank_pattern`, in file order.
    public let rankPattern: [PatternEntry<Int>]
    /// `alpha_pattern`, in file order.
    public let alphaPattern: [PatternEntry<Double>]
    /// `layers_to_transform` (an int is a one-element list); nil = all layers.
    public let layersToTransform: [Int]?
    /// `layers_pattern`: names of the layer list (e.g. `layers`) used to find the layer index.
    public let layersPattern: [String]?
    /// `task_type` (`CAUSAL_LM` or nil).
    public let taskType: String?
    /// `base_model_name_or_path`, informational.
    public let baseModelNameOrPath: String?

    /// Builds a config from values (tests); use `init(jsonData:path:)` for files.
    public init(
        path: String = "adapter_config.json", rank: Int, alpha: Double, useRSLoRA: Bool = false,
        targetModules: ModuleSelector, excludeModules: ModuleSelector? = nil,
        rankPattern: [PatternEntry<Int>] = [], alphaPattern: [PatternEntry<Double>] = [],
        layersToTransform: [Int]? = nil, layersPattern: [String]? = nil,
        taskType: String? = "CAUSAL_LM", baseModelNameOrPath: String? = nil
    ) {
        self.path = path
        self.rank = rank
        self.alpha = alpha
        self.useRSLoRA = useRSLoRA
        self.targetModules = targetModules
        self.excludeModules = excludeModules
        self.rankPattern = rankPattern
        self.alphaPattern = alphaPattern
        self.layersToTransform = layersToTransform
        self.layersPattern = layersPattern
        self.taskType = taskType
        self.baseModelNameOrPath = baseModelNameOrPath
    }

    /// Reads and parses `adapter_config.json` at `url`.
    public init(contentsOf url: URL) throws(AdapterError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(file: url.path, reason: "\(error)")
        }
        try self.init(jsonData: data, path: url.path)
    }
}
