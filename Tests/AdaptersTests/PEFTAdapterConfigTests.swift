// adapter_config.json parsing, PEFT's module-matching rules (target_modules, exclude_modules,
// layers_to_transform, rank_pattern/alpha_pattern) and the rejection of unsupported features.

import Adapters
import Foundation
import MemoryPool
import Testing

@Suite struct PEFTAdapterConfigTests {
    private static func parse(_ json: String) throws(AdapterError) -> PEFTAdapterConfig {
        try PEFTAdapterConfig(jsonData: Data(json.utf8), path: "adapter_config.json")
    }

    private static func error(_ json: String) -> AdapterError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    /// Every projection path of a 3-layer model, layer-major.
    private static let paths = (0..<3).flatMap { layer in
        LoRAModule.allCases.map { PEFTAdapterConfig.modulePath(layer: layer, module: $0) }
    }

    private static func targeted(_ config: PEFTAdapterConfig) -> [String] {
        paths.filter { config.isTargeted($0) }
    }

    /// Oracle: PEFT 0.21.2 `check_target_module_exists`, evaluated in Python on the same configs and
    /// the 21 module paths of a 3-layer Llama (results pasted below).
    @Test func targetSelectionMatchesPEFT() throws {
        let c = AdapterBuilder.config
        let cases: [(String, String, [String])] = [
            (
                "names", c(2, 4, #"["q_proj","v_proj"]"#, ""),
                [
                    "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                    "model.layers.1.self_attn.q_proj",
                    "model.layers.1.self_attn.v_proj", "model.layers.2.self_attn.q_proj",
                    "model.layers.2.self_attn.v_proj",
                ]
            ),
            (
                "regex", c(2, 4, #"".*\\.layers\\.[01]\\.self_attn\\.(q|k)_proj""#, ""),
                [
                    "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.k_proj",
                    "model.layers.1.self_attn.q_proj",
                    "model.layers.1.self_attn.k_proj",
                ]
            ),
            ("ltt int", c(2, 4, #"["q_proj"]"#, #""layers_to_transform":1"#), ["model.layers.1.self_attn.q_proj"]),
            (
                "ltt list", c(2, 4, #"["q_proj","down_proj"]"#, #""layers_to_transform":[0,2]"#),
                [
                    "model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj",
                    "model.layers.2.self_attn.q_proj",
                    "model.layers.2.mlp.down_proj",
                ]
            ),
            (
                "ltt pattern layers", c(2, 4, #"["q_proj"]"#, #""layers_to_transform":[2],"layers_pattern":"layers""#),
                ["model.layers.2.self_attn.q_proj"]
            ),
            ("ltt pattern h", c(2, 4, #"["q_proj"]"#, #""layers_to_transform":[2],"layers_pattern":"h""#), []),
            (
                "exclude list",
                c(2, 4, #"["q_proj","o_proj"]"#, #""exclude_modules":["layers.1.self_attn.q_proj","o_proj"]"#),
                ["model.layers.0.self_attn.q_proj", "model.layers.2.self_attn.q_proj"]
            ),
            (
                "exclude regex", c(2, 4, #"["q_proj","k_proj"]"#, #""exclude_modules":".*layers\\.[12]\\..*""#),
                ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.k_proj"]
            ),
            ("full path name", c(2, 4, #"["model.layers.2.mlp.up_proj"]"#, ""), ["model.layers.2.mlp.up_proj"]),
            (
                "suffix path", c(2, 4, #"["mlp.up_proj"]"#, ""),
                ["model.layers.0.mlp.up_proj", "model.layers.1.mlp.up_proj", "model.layers.2.mlp.up_proj"]
            ),
            ("partial name", c(2, 4, #"["proj"]"#, ""), []),
            ("all-linear", c(2, 4, #""ALL-LINEAR""#, ""), Self.paths),
            (
                "null = PEFT default for llama", c(2, 4, "null", ""),
                Self.paths.filter { $0.hasSuffix("q_proj") || $0.hasSuffix("v_proj") }
            ),
        ]
        for (name, json, expected) in cases {
            let config = try Self.parse(json)
            #expect(Self.targeted(config) == expected, "\(name)")
        }
    }

    /// Oracle: PEFT's `get_pattern_key` evaluated in Python — keys are tried in file order, each
    /// must match a dotted suffix of the path as a regex; no match means the default `r`.
    @Test func rankPatternFollowsGetPatternKey() throws {
        let q1 = "model.layers.1.self_attn.q_proj"
        let q11 = "model.layers.11.self_attn.q_proj"
        let cases: [(String, String, Int)] = [
            (#"{"q_proj":2,"layers.1.self_attn.q_proj":3}"#, q1, 2),  // first key wins
            (#"{"layers.1.self_attn.q_proj":3,"q_proj":2}"#, q1, 3),
            (#"{"proj":5}"#, q1, 8),  // must match after a '.'
            (#"{".*_proj":5}"#, q1, 5),
            (#"{"layers.1.*":5}"#, q1, 5),
            (#"{"self_attn":5}"#, q1, 8),  // must reach the end of the path
            (#"{"1.self_attn.q_proj":5}"#, q11, 8),
            (#"{"layers\\.1\\..*":5}"#, q1, 5),
        ]
        for (pattern, path, expected) in cases {
            let config = try Self.parse(AdapterBuilder.config(r: 8, alpha: 16, #""rank_pattern":\#(pattern)"#))
            #expect(config.rank(for: path) == expected, "\(pattern) on \(path)")
        }
    }

    /// Oracle: PEFT `update_layer` — scaling = alpha/r, or alpha/√r with use_rslora, with r and
    /// alpha taken per module from rank_pattern / alpha_pattern.
    @Test func scalingPerModule() throws {
        let config = try Self.parse(
            AdapterBuilder.config(r: 4, alpha: 8, #""rank_pattern":{"down_proj":2},"alpha_pattern":{"v_proj":16}"#))
        #expect(config.scaling(for: "model.layers.0.self_attn.q_proj") == 2)
        #expect(config.scaling(for: "model.layers.0.self_attn.v_proj") == 4)
        #expect(config.scaling(for: "model.layers.0.mlp.down_proj") == 4)
        let rs = try Self.parse(
            AdapterBuilder.config(r: 4, alpha: 8, #""use_rslora":true,"rank_pattern":{"down_proj":2}"#))
        #expect(rs.scaling(for: "model.layers.0.self_attn.q_proj") == 4)
        #expect(rs.scaling(for: "model.layers.0.mlp.down_proj") == 8 / 2.0.squareRoot())
    }

    /// Oracle: PEFT's defaults (r 8, lora_alpha 8, no rslora) and its tolerance of unknown fields
    /// and of null/false/empty values for features slora rejects when enabled.
    @Test func defaultsAndIgnoredFields() throws {
        let config = try Self.parse(
            #"{"peft_type":"LORA","target_modules":["q_proj"],"some_future_field":{"x":1},"lora_dropout":0.05,"#
                + #""modules_to_save":[],"layer_replication":null,"use_qalora":false,"trainable_token_indices":null,"#
                + #""alora_invocation_tokens":null,"target_parameters":[],"task_type":null,"init_lora_weights":"gaussian"}"#
        )
        #expect(config.rank == 8 && config.alpha == 8 && !config.useRSLoRA)
        #expect(config.targetModules == .names(["q_proj"]) && config.taskType == nil)
    }

    /// Oracle: the supported subset (formats-and-api.md §B.1) — each unsupported setting is rejected
    /// with the case beside it.
    @Test func unsupportedSettingsAreRejected() {
        let c = { (extra: String) in AdapterBuilder.config(extra) }
        let cases: [(String, String, AdapterErrorKind)] = [
            ("prefix tuning", #"{"peft_type":"PREFIX_TUNING"}"#, .notLoRA),
            ("DoRA", c(#""use_dora":true"#), .doraUnsupported),
            ("modules_to_save", c(#""modules_to_save":["lm_head"]"#), .modulesToSaveUnsupported),
            ("bias all", c(#""bias":"all""#), .biasUnsupported),
            ("bias lora_only", c(#""bias":"lora_only""#), .biasUnsupported),
            ("lora_bias", c(#""lora_bias":true"#), .biasUnsupported),
            ("fan_in_fan_out", c(#""fan_in_fan_out":true"#), .fanInFanOutUnsupported),
            ("layer_replication", c(#""layer_replication":[[0,2]]"#), .unsupportedFeature),
            ("alora", c(#""alora_invocation_tokens":[5,6]"#), .unsupportedFeature),
            ("trainable tokens", c(#""trainable_token_indices":[1,2]"#), .unsupportedFeature),
            ("target_parameters", c(#""target_parameters":["experts.gate_up_proj"]"#), .unsupportedFeature),
            ("qalora", c(#""use_qalora":true"#), .unsupportedFeature),
            ("sequence classification", c(#""task_type":"SEQ_CLS""#), .unsupportedFeature),
        ]
        for (name, json, expected) in cases {
            let error = Self.error(json)
            #expect(error?.kind == expected, "\(name): \(String(describing: error))")
            #expect(error?.description.contains("adapter_config.json") == true, "\(name) names the file")
        }
    }

    /// Oracle: field typing and PEFT's own consistency checks — each malformed config is a
    /// `badConfigField` naming the field, or `badConfigJSON` when it is not JSON.
    @Test func malformedConfigsNameTheField() {
        let c = AdapterBuilder.config
        let cases: [(String, String)] = [
            (#"{"r":8}"#, "peft_type"),
            (c(0, 4, #"["q_proj"]"#, ""), "r"),
            (c(2, 4, #"["q_proj"]"#, #""r":"8""#), "r"),
            (c(2, 4, #"["q_proj"]"#, #""lora_alpha":"x""#), "lora_alpha"),
            (c(2, 4, #"["q_proj"]"#, #""use_rslora":1"#), "use_rslora"),
            (c(2, 4, #"[1,2]"#, ""), "target_modules"),
            (c(2, 4, #""(unclosed""#, ""), "target_modules"),
            (c(2, 4, #"".*q_proj""#, #""layers_to_transform":[0]"#), "layers_to_transform"),
            (c(2, 4, #"["q_proj"]"#, #""layers_pattern":"layers""#), "layers_pattern"),
            (c(2, 4, #"["q_proj"]"#, #""layers_to_transform":"0""#), "layers_to_transform"),
            (c(2, 4, #"["q_proj"]"#, #""rank_pattern":{"q_proj":0}"#), "rank_pattern.q_proj"),
            (c(2, 4, #"["q_proj"]"#, #""rank_pattern":[1]"#), "rank_pattern"),
            (c(2, 4, #"["q_proj"]"#, #""alpha_pattern":{"q_proj":"big"}"#), "alpha_pattern.q_proj"),
        ]
        for (json, field) in cases {
            let error = Self.error(json)
            guard case .badConfigField(let file, let found, _)? = error else {
                Issue.record("\(field): expected badConfigField, got \(String(describing: error))")
                continue
            }
            #expect(file == "adapter_config.json" && found == field)
        }
        #expect(Self.error("{").map(\.kind) == .badConfigJSON)
        #expect(Self.error("[]").map(\.kind) == .badConfigJSON)
    }
}
