// Parsing of PEFT adapter tensor names such as
// `base_model.model.model.layers.3.mlp.down_proj.lora_B.weight` (optionally with an adapter name,
// `...lora_B.default.weight`), and a precise reason for every name slora cannot use.

import MemoryPool

/// The (layer, module, A-or-B) a LoRA weight tensor belongs to.
struct LoRATensorName: Hashable {
    enum Matrix: Hashable {
        /// `lora_A.weight`, `[rank, inputWidth]`.
        case a
        /// `lora_B.weight`, `[outputWidth, rank]`.
        case b
    }

    let layer: Int
    let module: LoRAModule
    let matrix: Matrix

    /// The canonical saved name (PEFT strips the adapter name on save).
    var canonicalName: String {
        "base_model.model." + PEFTAdapterConfig.modulePath(layer: layer, module: module)
            + (matrix == .a ? ".lora_A.weight" : ".lora_B.weight")
    }

    /// Parses `name`, or returns why it is not a supported LoRA weight.
    static func parse(_ name: String) -> Result<LoRATensorName, Rejection> {
        var path = Substring(name)
        if path.hasPrefix("base_model.model.") { path = path.dropFirst("base_model.model.".count) }
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        // model . layers . N . parent . proj . lora_X [. adapter] . weight
        guard parts.count == 7 || parts.count == 8, parts[0] == "model", parts[1] == "layers",
            let layer = Int(parts[2]), layer >= 0, String(layer) == parts[2],
            let module = LoRAModule(rawValue: String(parts[4])),
            parts[5] == "lora_A" || parts[5] == "lora_B", parts.last == "weight"
        else {
            return .failure(Rejection(reason: Self.reason(for: name)))
        }
        let expectedParent = module.isAttention ? "self_attn" : "mlp"
        guard parts[3] == expectedParent else {
            return .failure(
                Rejection(reason: "\(module.rawValue) belongs under '\(expectedParent)', not '\(parts[3])'"))
        }
        if parts.count == 8, parts[6].isEmpty {
            return .failure(Rejection(reason: Self.reason(for: name)))
        }
        return .success(LoRATensorName(layer: layer, module: module, matrix: parts[5] == "lora_A" ? .a : .b))
    }

    /// Why an unparseable name is not supported.
    struct Rejection: Error {
        let reason: String
    }

    private static func reason(for name: String) -> String {
        if name.contains("lora_embedding") || name.contains("embed_tokens") {
            return "LoRA on embed_tokens (embedding LoRA) is not supported"
        }
        if name.contains("lm_head") { return "LoRA on lm_head is not supported" }
        if name.contains("lora_magnitude_vector") { return "DoRA magnitude vectors are not supported" }
        if name.hasSuffix(".bias") { return "bias tensors are not supported" }
        if name.contains("modules_to_save") || !name.contains("lora_") {
            return "not a LoRA A/B weight (adapters that save full module weights are not supported)"
        }
        return "not a decoder-layer LoRA weight of a Llama model "
            + "(expected base_model.model.model.layers.<i>.self_attn|mlp.<proj>.lora_A|lora_B.weight)"
    }
}
