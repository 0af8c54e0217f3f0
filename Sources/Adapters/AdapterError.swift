// The one error type of the Adapters module: every reason a PEFT LoRA adapter directory cannot be
// loaded. Each case names the file (or directory) at fault and the field or tensor involved; the
// descriptions carry a HINT where the fix is not obvious.

import Checkpoint

/// An error loading a HF PEFT LoRA adapter.
public enum AdapterError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file could not be read (or does not exist).
    case unreadableFile(file: String, reason: String)
    /// `adapter_model.safetensors` is absent (`hasPickle`: an `adapter_model.bin` is there instead).
    case missingWeights(directory: String, hasPickle: Bool)
    /// `adapter_config.json` is not valid JSON or not an object.
    case badConfigJSON(file: String, reason: String)
    /// A config field is missing, mistyped or inconsistent.
    case badConfigField(file: String, field: String, reason: String)
    /// `peft_type` is not `LORA`.
    case notLoRA(file: String, peftType: String)
    /// `use_dora: true`: DoRA adds a magnitude vector and a different forward.
    case doraUnsupported(file: String)
    /// `modules_to_save` lists modules whose full weights the adapter replaces.
    case modulesToSaveUnsupported(file: String, modules: [String])
    /// `bias` is not `"none"` (or `lora_bias: true`): the adapter trains biases.
    case biasUnsupported(file: String, field: String, value: String)
    /// `fan_in_fan_out: true` (GPT-2 Conv1D-style weights), impossible for Llama.
    case fanInFanOutUnsupported(file: String)
    /// A PEFT feature that changes inference and is not implemented (`layer_replication`,
    /// `target_parameters`, `alora_invocation_tokens`, `task_type` other than CAUSAL_LM, …).
    case unsupportedFeature(file: String, field: String, value: String)
    /// The safetensors file itself is malformed (truncated, bad header, unsupported dtype, …).
    case checkpoint(CheckpointError)
    /// A LoRA tensor's shape does not fit the base model and the configured rank.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    /// A module the config targets has no `lora_A` or `lora_B` tensor.
    case missingTensor(file: String, tensor: String)
    /// A tensor the adapter cannot contain (embedding/lm_head LoRA, DoRA magnitude, bias, a layer
    /// the base model lacks, a module the config does not target, a duplicate, …).
    case unexpectedTensor(file: String, tensor: String, reason: String)
    /// `target_modules` (after exclusions and layer filters) selects no projection of the base model.
    case noModuleMatched(file: String, targetModules: String)

    public var description: String {
        switch self {
        case .unreadableFile(let file, let reason):
            "\(file): cannot read: \(reason)"
        case .missingWeights(let directory, let hasPickle):
            "\(directory): no adapter_model.safetensors"
                + (hasPickle
                    ? " (HINT: adapter_model.bin is a pickle and is not loaded; re-save with "
                        + "save_pretrained(..., safe_serialization=True))"
                    : " (HINT: is this a PEFT adapter directory?)")
        case .badConfigJSON(let file, let reason):
            "\(file): invalid JSON: \(reason)"
        case .badConfigField(let file, let field, let reason):
            "\(file): field '\(field)': \(reason)"
        case .notLoRA(let file, let peftType):
            "\(file): peft_type is '\(peftType)', only LORA adapters are supported"
        case .doraUnsupported(let file):
            "\(file): use_dora is true; DoRA adapters are not supported (HINT: train without use_dora, "
                + "or merge the adapter into the base weights)"
        case .modulesToSaveUnsupported(let file, let modules):
            "\(file): modules_to_save \(modules) replaces full modules, which multi-adapter serving cannot do "
                + "(HINT: merge the adapter into a new base model instead)"
        case .biasUnsupported(let file, let field, let value):
            "\(file): \(field) = \(value); adapters that train biases are not supported (HINT: use bias=\"none\")"
        case .fanInFanOutUnsupported(let file):
            "\(file): fan_in_fan_out is true, which only applies to Conv1D (GPT-2 style) models, not Llama"
        case .unsupportedFeature(let file, let field, let value):
            "\(file): '\(field)' = \(value) is not supported"
        case .checkpoint(let error):
            error.description
        case .shapeMismatch(let file, let tensor, let expected, let found):
            "\(file): tensor '\(tensor)' has shape \(found), expected \(expected) "
                + "(HINT: was the adapter trained on a different base model, or do r/rank_pattern disagree "
                + "with the weights?)"
        case .missingTensor(let file, let tensor):
            "\(file): tensor '\(tensor)' is missing but adapter_config.json targets its module"
        case .unexpectedTensor(let file, let tensor, let reason):
            "\(file): unexpected tensor '\(tensor)': \(reason)"
        case .noModuleMatched(let file, let targetModules):
            "\(file): target_modules \(targetModules) matches no q/k/v/o/gate/up/down projection of the base model "
                + "(HINT: module paths look like 'model.layers.0.self_attn.q_proj'; an adapter for a different "
                + "architecture or module naming would otherwise be silently ignored)"
        }
    }
}
