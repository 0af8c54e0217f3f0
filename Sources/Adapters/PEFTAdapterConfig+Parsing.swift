// Parsing `adapter_config.json` into PEFTAdapterConfig: PEFT's defaults for absent fields, PEFT's
// own consistency checks, and rejection of every feature that would change inference math in a
// way slora does not implement (DoRA, biases, modules_to_save, layer replication, …).
// Unknown fields are ignored, as PEFT's loader and vLLM's do.

import Checkpoint
import Foundation

extension PEFTAdapterConfig {
    /// Fields that must be absent, null, false or empty: each changes the adapter's forward pass
    /// or weights in a way slora does not implement.
    static let rejectedFeatures = [
        "layer_replication", "trainable_token_indices", "target_parameters", "alora_invocation_tokens",
        "use_qalora", "use_bdlora", "arrow_config", "kasa_config", "monteclora_config",
    ]

    /// Parses the bytes of an `adapter_config.json`; `path` names the file in errors.
    public init(jsonData: Data, path: String = "adapter_config.json") throws(AdapterError) {
        let json: JSONValue
        do {
            json = try JSONValue.parse([UInt8](jsonData))
        } catch {
            throw .badConfigJSON(file: path, reason: error.description)
        }
        guard json.members != nil else { throw .badConfigJSON(file: path, reason: "not a JSON object") }
        let fields = FieldReader(json: json, path: path)

        // MARK: Kind
        guard let peftType = try fields.string("peft_type") else { throw fields.fail("peft_type", "missing") }
        guard peftType == "LORA" else { throw .notLoRA(file: path, peftType: peftType) }
        let taskType = try fields.string("task_type")
        if let taskType, taskType != "CAUSAL_LM" {
            throw .unsupportedFeature(file: path, field: "task_type", value: "\"\(taskType)\" (only CAUSAL_LM)")
        }

        // MARK: Rejected features
        if try fields.bool("use_dora") == true { throw .doraUnsupported(file: path) }
        if try fields.bool("fan_in_fan_out") == true { throw .fanInFanOutUnsupported(file: path) }
        if let bias = try fields.string("bias"), bias != "none" {
            throw .biasUnsupported(file: path, field: "bias", value: "\"\(bias)\"")
        }
        if try fields.bool("lora_bias") == true {
            throw .biasUnsupported(file: path, field: "lora_bias", value: "true")
        }
        if let modules = json["modules_to_save"], !Self.isEmpty(modules) {
            throw .modulesToSaveUnsupported(file: path, modules: modules.array?.compactMap(\.string) ?? [])
        }
        for member in json.members ?? []
        where (Self.rejectedFeatures.contains(member.key) || member.key.hasPrefix("alora"))
            && !Self.isEmpty(member.value)
        {
            throw .unsupportedFeature(file: path, field: member.key, value: Self.render(member.value))
        }

        // MARK: Rank and scaling
        let rank = try fields.int("r") ?? 8
        guard rank > 0 else { throw fields.fail("r", "must be positive, found \(rank)") }
        let alpha = try fields.number("lora_alpha") ?? 8
        let useRSLoRA = try fields.bool("use_rslora") ?? false
        let rankPattern = try fields.pattern("rank_pattern") { value -> Int? in
            guard let rank = value.int, rank > 0 else { return nil }
            return rank
        }
        let alphaPattern = try fields.pattern("alpha_pattern") { $0.double }

        // MARK: Module selection
        let targetModules = try fields.selector("target_modules", allowAllLinear: true) ?? .names(["q_proj", "v_proj"])
        let excludeModules = try fields.selector("exclude_modules", allowAllLinear: false)
        let layersToTransform = try fields.layersToTransform()
        let layersPattern = try fields.stringOrList("layers_pattern")
        if case .regex = targetModules, layersToTransform != nil {
            throw fields.fail(
                "layers_to_transform", "cannot be used when target_modules is a regex string (as in PEFT)")
        }
        if let layersPattern, !layersPattern.isEmpty, layersToTransform == nil {
            throw fields.fail("layers_pattern", "needs layers_to_transform (as in PEFT)")
        }
        for entry in rankPattern.map(\.key) + alphaPattern.map(\.key) {
            try fields.checkRegex("(.*\\.)?(\(entry))", field: "rank_pattern/alpha_pattern key '\(entry)'")
        }

        self.init(
            path: path, rank: rank, alpha: alpha, useRSLoRA: useRSLoRA, targetModules: targetModules,
            excludeModules: excludeModules, rankPattern: rankPattern, alphaPattern: alphaPattern,
            layersToTransform: layersToTransform, layersPattern: layersPattern, taskType: taskType,
            baseModelNameOrPath: try fields.string("base_model_name_or_path"))
    }

    /// null, false, 0, "", [] and {} all mean "feature off".
    static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .bool(let flag): !flag
        case .int(let number): number == 0
        case .string(let string): string.isEmpty
        case .array(let values): values.isEmpty
        case .object(let members): members.isEmpty
        case .double: false
        }
    }

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): "\"\(string)\""
        case .int(let number): "\(number)"
        case .double(let number): "\(number)"
        case .bool(let flag): "\(flag)"
        case .null: "null"
        case .array(let values): "[" + values.map(render).joined(separator: ", ") + "]"
        case .object(let members):
            "{" + members.map { "\"\($0.key)\": " + render($0.value) }.joined(separator: ", ") + "}"
        }
    }
}

// MARK: - Field reader

/// Typed reads of `adapter_config.json` fields; null counts as absent.
private struct FieldReader {
    let json: JSONValue
    let path: String

    func fail(_ field: String, _ reason: String) -> AdapterError {
        .badConfigField(file: path, field: field, reason: reason)
    }

    func value(_ field: String) -> JSONValue? {
        guard let value = json[field], !value.isNull else { return nil }
        return value
    }

    func string(_ field: String) throws(AdapterError) -> String? {
        guard let value = value(field) else { return nil }
        guard let string = value.string else { throw fail(field, "expected a string, found a \(value.typeName)") }
        return string
    }

    func bool(_ field: String) throws(AdapterError) -> Bool? {
        guard let value = value(field) else { return nil }
        guard let flag = value.bool else { throw fail(field, "expected true or false, found a \(value.typeName)") }
        return flag
    }

    func int(_ field: String) throws(AdapterError) -> Int? {
        guard let value = value(field) else { return nil }
        guard let number = value.int else { throw fail(field, "expected an integer, found a \(value.typeName)") }
        return number
    }

    func number(_ field: String) throws(AdapterError) -> Double? {
        guard let value = value(field) else { return nil }
        guard let number = value.double, number.isFinite else {
            throw fail(field, "expected a number, found a \(value.typeName)")
        }
        return number
    }

    /// A `rank_pattern`/`alpha_pattern` object, duplicates folded as a Python dict would.
    func pattern<Value>(
        _ field: String, _ convert: (JSONValue) -> Value?
    ) throws(AdapterError) -> [PEFTAdapterConfig.PatternEntry<Value>] {
        guard let value = value(field) else { return [] }
        guard let members = value.dictionaryOrderedMembers else {
            throw fail(field, "expected an object, found a \(value.typeName)")
        }
        var entries: [PEFTAdapterConfig.PatternEntry<Value>] = []
        for member in members {
            guard let converted = convert(member.value) else {
                throw fail("\(field).\(member.key)", "invalid value \(PEFTAdapterConfig.render(member.value))")
            }
            entries.append(.init(key: member.key, value: converted))
        }
        return entries
    }

    /// `target_modules` / `exclude_modules`: a list of names, a regex string, or "all-linear".
    func selector(_ field: String, allowAllLinear: Bool) throws(AdapterError) -> PEFTAdapterConfig.ModuleSelector? {
        guard let value = value(field) else { return nil }
        if let pattern = value.string {
            if allowAllLinear && pattern.lowercased() == "all-linear" { return .allLinear }
            try checkRegex(pattern, field: field)
            return .regex(pattern)
        }
        guard let names = try stringOrList(field) else { return nil }
        return .names(names)
    }

    func stringOrList(_ field: String) throws(AdapterError) -> [String]? {
        guard let value = value(field) else { return nil }
        if let string = value.string { return [string] }
        guard let values = value.array else {
            throw fail(field, "expected a string or a list, found a \(value.typeName)")
        }
        var strings: [String] = []
        for element in values {
            guard let string = element.string else { throw fail(field, "list entries must be strings") }
            strings.append(string)
        }
        return strings
    }

    /// `layers_to_transform`: an int or a list of ints; an empty list means all layers (as PEFT).
    func layersToTransform() throws(AdapterError) -> [Int]? {
        let field = "layers_to_transform"
        guard let value = value(field) else { return nil }
        if let layer = value.int { return [layer] }
        guard let values = value.array else { throw fail(field, "expected an int or a list of ints") }
        var layers: [Int] = []
        for element in values {
            guard let layer = element.int else { throw fail(field, "list entries must be integers") }
            layers.append(layer)
        }
        return layers.isEmpty ? nil : layers
    }

    /// Fails unless `pattern` compiles as a Swift regex (Python `re` syntax is mostly shared).
    func checkRegex(_ pattern: String, field: String) throws(AdapterError) {
        do {
            _ = try Regex(pattern)
        } catch {
            throw fail(field, "invalid or unsupported regular expression \"\(pattern)\": \(error)")
        }
    }
}
