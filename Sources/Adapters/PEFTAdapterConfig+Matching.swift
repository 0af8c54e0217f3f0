// PEFT's rules for which modules an adapter targets and with what rank/alpha, reproduced from
// peft 0.21 (`tuners_utils.check_target_module_exists`, `utils/other.get_pattern_key`,
// `lora/layer.update_layer`), applied to a module path such as `model.layers.0.self_attn.q_proj`.

import Foundation
import MemoryPool

extension PEFTAdapterConfig {
    /// PEFT's module path of `module` in decoder layer `layer` of a `LlamaForCausalLM`.
    public static func modulePath(layer: Int, module: LoRAModule) -> String {
        "model.layers.\(layer).\(module.isAttention ? "self_attn" : "mlp").\(module.rawValue)"
    }

    // MARK: - Targeting

    /// Whether PEFT would put a LoRA layer on the module at `modulePath`
    /// (`check_target_module_exists`: exclusions first, then target_modules, then layer filters).
    public func isTargeted(_ modulePath: String) -> Bool {
        if let excludeModules, Self.selects(excludeModules, modulePath) { return false }
        switch targetModules {
        case .regex(let pattern):
            // PEFT applies layers_to_transform only to list targets (a regex string already says which layers).
            return Self.fullMatch(pattern, modulePath)
        case .names, .allLinear:
            guard Self.selects(targetModules, modulePath) else { return false }
            guard let layersToTransform else { return true }
            guard let index = layerIndex(of: modulePath) else { return false }
            return layersToTransform.contains(index)
        }
    }

    /// `r` for the module: the first `rank_pattern` key (in file order) that matches, else `r`.
    public func rank(for modulePath: String) -> Int {
        Self.patternValue(rankPattern, modulePath) ?? rank
    }

    /// `lora_alpha` for the module: the first matching `alpha_pattern` key, else `lora_alpha`.
    public func alpha(for modulePath: String) -> Double {
        Self.patternValue(alphaPattern, modulePath) ?? alpha
    }

    /// PEFT's `scaling[adapter]`: alpha/r, or alpha/√r with `use_rslora`, per module.
    public func scaling(for modulePath: String) -> Double {
        let rank = Double(rank(for: modulePath))
        return alpha(for: modulePath) / (useRSLoRA ? rank.squareRoot() : rank)
    }

    // MARK: - PEFT matching rules

    /// A list selects a path equal to an entry or ending in `"." + entry`; a regex must match the whole path.
    private static func selects(_ selector: ModuleSelector, _ modulePath: String) -> Bool {
        switch selector {
        case .allLinear:
            return LoRAModule.allCases.contains { modulePath.hasSuffix("." + $0.rawValue) || modulePath == $0.rawValue }
        case .names(let names):
            return names.contains { modulePath == $0 || modulePath.hasSuffix("." + $0) }
        case .regex(let pattern):
            return fullMatch(pattern, modulePath)
        }
    }

    /// `get_pattern_key`: the first key `k` with `re.match(rf"(.*\.)?({k})$", path)`.
    private static func patternValue<Value>(_ entries: [PatternEntry<Value>], _ modulePath: String) -> Value? {
        entries.first { fullMatch("(.*\\.)?(\($0.key))", modulePath) }?.value
    }

    /// The layer index PEFT reads from the path: the first `<name>.<digits>.` segment, where
    /// `<name>` is any segment, or one of `layers_pattern` when given.
    private func layerIndex(of modulePath: String) -> Int? {
        let patterns: [String]
        if let layersPattern, !layersPattern.isEmpty {
            patterns = layersPattern.map { "(?:^|.*?\\.)\($0)\\.(\\d+)\\." }
        } else {
            patterns = [".*?\\.[^.]*\\.(\\d+)\\."]
        }
        for pattern in patterns {
            guard let regex = try? Regex(pattern), let match = try? regex.prefixMatch(in: modulePath) else { continue }
            guard match.output.count > 1, let digits = match.output[1].substring else { continue }
            return Int(digits)
        }
        return nil
    }

    private static func fullMatch(_ pattern: String, _ modulePath: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: modulePath)) != nil
    }
}
