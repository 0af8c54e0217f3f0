// Parsing of HF config.json literals (as published for Llama 2, Llama 3.1/3.2, Mistral) into
// LlamaConfiguration, and the typed errors for unsupported or malformed fields.

import Checkpoint
import Foundation
import Testing

@Suite struct LlamaConfigurationTests {
    private static func parse(_ json: String) throws(CheckpointError) -> LlamaConfiguration {
        try LlamaConfiguration(jsonData: Data(json.utf8), path: "config.json")
    }

    /// The error of parsing `json` (nil if it parsed).
    private static func error(_ json: String) -> CheckpointError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    /// A small valid llama config with `extra` members spliced in (later keys win, as in Python).
    private static func tiny(_ extra: String = "") -> String {
        #"{"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"#
            + #""num_attention_heads":4,"vocab_size":100"# + (extra.isEmpty ? "" : "," + extra) + "}"
    }

    /// Oracle: Llama-2-7b's published config.json (MHA, `rope_scaling: null`), read field by field.
    @Test func llama2MultiHeadAttention() throws {
        let config = try Self.parse(
            #"{"architectures":["LlamaForCausalLM"],"bos_token_id":1,"eos_token_id":2,"hidden_act":"silu","#
                + #""hidden_size":4096,"initializer_range":0.02,"intermediate_size":11008,"max_position_embeddings":4096,"#
                + #""model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":32,"#
                + #""pretraining_tp":1,"rms_norm_eps":1e-05,"rope_scaling":null,"tie_word_embeddings":false,"#
                + #""torch_dtype":"float16","transformers_version":"4.31.0.dev0","use_cache":true,"vocab_size":32000}"#)
        #expect(config.modelType == .llama)
        #expect(config.hiddenSize == 4096 && config.intermediateSize == 11008 && config.layerCount == 32)
        #expect(config.headCount == 32 && config.kvHeadCount == 32 && config.headDim == 128)
        #expect(config.vocabularySize == 32000 && config.maxPositionEmbeddings == 4096)
        #expect(config.rmsNormEps == 1e-5)
        #expect(config.bosTokenID == 1 && config.eosTokenIDs == [2])
        #expect(config.ropeTheta == 10_000 && config.ropeScaling == .none)
        #expect(!config.tieWordEmbeddings && config.slidingWindow == nil)
    }

    /// Oracle: Llama-3.1-8B-Instruct's published config.json: GQA, eos list, llama3 `rope_scaling`.
    @Test func llama31RopeScalingAndEOSList() throws {
        let config = try Self.parse(
            #"{"architectures":["LlamaForCausalLM"],"attention_bias":false,"attention_dropout":0.0,"bos_token_id":128000,"#
                + #""eos_token_id":[128001,128008,128009],"hidden_act":"silu","hidden_size":4096,"intermediate_size":14336,"#
                + #""max_position_embeddings":131072,"mlp_bias":false,"model_type":"llama","num_attention_heads":32,"#
                + #""num_hidden_layers":32,"num_key_value_heads":8,"pretraining_tp":1,"rms_norm_eps":1e-05,"#
                + #""rope_scaling":{"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"#
                + #""original_max_position_embeddings":8192,"rope_type":"llama3"},"rope_theta":500000.0,"#
                + #""tie_word_embeddings":false,"torch_dtype":"bfloat16","use_cache":true,"vocab_size":128256}"#)
        #expect(config.kvHeadCount == 8 && config.headDim == 128 && config.kvWidth == 1024 && config.queryWidth == 4096)
        #expect(config.eosTokenIDs == [128001, 128008, 128009] && config.bosTokenID == 128000)
        #expect(config.ropeTheta == 500_000)
        #expect(
            config.ropeScaling
                == .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192))
    }

    /// Oracle: a transformers v5 config (Llama-3.2-1B re-saved): `rope_parameters` carries θ and
    /// the llama3 scaling; tied embeddings; explicit head_dim.
    @Test func llama32RopeParametersV5() throws {
        let config = try Self.parse(
            #"{"model_type":"llama","hidden_size":2048,"intermediate_size":8192,"num_hidden_layers":16,"#
                + #""num_attention_heads":32,"num_key_value_heads":8,"head_dim":64,"vocab_size":128256,"#
                + #""max_position_embeddings":131072,"rms_norm_eps":1e-05,"tie_word_embeddings":true,"#
                + #""bos_token_id":128000,"eos_token_id":128001,"rope_parameters":{"rope_type":"llama3","#
                + #""rope_theta":500000.0,"factor":32.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"#
                + #""original_max_position_embeddings":8192}}"#)
        #expect(config.tieWordEmbeddings && config.headDim == 64 && config.layerCount == 16)
        #expect(config.ropeTheta == 500_000)
        #expect(
            config.ropeScaling
                == .llama3(factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192))
        let v5Default = try Self.parse(Self.tiny(#""rope_parameters":{"rope_type":"default","rope_theta":1234.5}"#))
        #expect(v5Default.ropeTheta == 1234.5 && v5Default.ropeScaling == .none)
    }

    /// Oracle: Mistral-Nemo's published shape — explicit `head_dim` 128 ≠ hidden/heads (160), GQA.
    @Test func gqaWithExplicitHeadDim() throws {
        let config = try Self.parse(
            #"{"model_type":"mistral","hidden_size":5120,"intermediate_size":14336,"num_hidden_layers":40,"#
                + #""num_attention_heads":32,"num_key_value_heads":8,"head_dim":128,"vocab_size":131072,"#
                + #""max_position_embeddings":1024000,"rope_theta":1000000.0,"sliding_window":null,"rms_norm_eps":1e-05}"#
        )
        #expect(config.modelType == .mistral)
        #expect(config.headDim == 128 && config.queryWidth == 4096 && config.kvWidth == 1024)
        #expect(config.slidingWindow == nil && config.ropeTheta == 1_000_000)
    }

    /// Oracle: Mistral-7B-v0.1's published config.json (sliding window 4096).
    @Test func mistral7B() throws {
        let config = try Self.parse(
            #"{"architectures":["MistralForCausalLM"],"bos_token_id":1,"eos_token_id":2,"hidden_act":"silu","#
                + #""hidden_size":4096,"initializer_range":0.02,"intermediate_size":14336,"max_position_embeddings":32768,"#
                + #""model_type":"mistral","num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,"#
                + #""rms_norm_eps":1e-05,"rope_theta":10000.0,"sliding_window":4096,"tie_word_embeddings":false,"#
                + #""torch_dtype":"bfloat16","transformers_version":"4.34.0.dev0","use_cache":true,"vocab_size":32000}"#
        )
        #expect(config.modelType == .mistral && config.kvHeadCount == 8 && config.slidingWindow == 4096)
        #expect(config.maxPositionEmbeddings == 32768)
    }

    /// Oracle: transformers' linear scaling under both spellings of the type key.
    @Test func linearScaling() throws {
        let legacy = try Self.parse(Self.tiny(#""rope_scaling":{"type":"linear","factor":2.0}"#))
        #expect(legacy.ropeScaling == .linear(factor: 2))
        let current = try Self.parse(Self.tiny(#""rope_scaling":{"rope_type":"linear","factor":4}"#))
        #expect(current.ropeScaling == .linear(factor: 4))
    }

    /// Oracle: HF `LlamaConfig` defaults — absent kv heads = heads, absent token ids = 1/2,
    /// explicit nulls = none, absent θ = 10000.
    @Test func defaultsAndNulls() throws {
        let config = try Self.parse(Self.tiny())
        #expect(config.kvHeadCount == 4 && config.headDim == 16 && config.rmsNormEps == 1e-6)
        #expect(config.bosTokenID == 1 && config.eosTokenIDs == [2] && config.maxPositionEmbeddings == 2048)
        let nulls = try Self.parse(Self.tiny(#""bos_token_id":null,"eos_token_id":null,"num_key_value_heads":null"#))
        #expect(nulls.bosTokenID == nil && nulls.eosTokenIDs.isEmpty && nulls.kvHeadCount == 4)
        #expect(
            config
                == LlamaConfiguration(
                    hiddenSize: 64, intermediateSize: 128, layerCount: 2, headCount: 4,
                    vocabularySize: 100, bosTokenID: 1, eosTokenIDs: [2]))
    }

    /// Oracle: the supported subset — each unsupported value is rejected with the field it came
    /// from (dotted for nested RoPE fields).
    @Test func unsupportedValuesNameTheField() {
        let cases: [(String, String)] = [
            (#"{"model_type":"gpt2","hidden_size":8}"#, "model_type"),
            (Self.tiny(#""rope_scaling":{"rope_type":"yarn","factor":4.0}"#), "rope_scaling.rope_type"),
            (Self.tiny(#""rope_scaling":{"type":"dynamic","factor":2.0}"#), "rope_scaling.type"),
            (
                Self.tiny(#""rope_parameters":{"rope_type":"longrope","rope_theta":10000.0}"#),
                "rope_parameters.rope_type"
            ),
            (Self.tiny(#""attention_bias":true"#), "attention_bias"),
            (Self.tiny(#""mlp_bias":true"#), "mlp_bias"),
            (Self.tiny(#""hidden_act":"gelu""#), "hidden_act"),
            (Self.tiny(#""partial_rotary_factor":0.5"#), "partial_rotary_factor"),
        ]
        for (json, field) in cases {
            let error = Self.error(json)
            guard case .unsupportedConfigValue(let file, let found, _)? = error else {
                Issue.record("\(field): expected unsupportedConfigValue, got \(String(describing: error))")
                continue
            }
            #expect(file == "config.json" && found == field)
        }
    }

    /// Oracle: the field rules — missing, mistyped or inconsistent fields are `badConfigField`
    /// naming the field; non-JSON is `badJSON`.
    @Test func badFieldsNameTheField() {
        let cases: [(String, String)] = [
            (#"{"hidden_size":8}"#, "model_type"),
            (
                #"{"model_type":"llama","intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":1,"vocab_size":2}"#,
                "hidden_size"
            ),
            (Self.tiny(#""hidden_size":"64""#), "hidden_size"),
            (Self.tiny(#""hidden_size":0"#), "hidden_size"),
            (Self.tiny(#""num_key_value_heads":3"#), "num_key_value_heads"),
            (Self.tiny(#""hidden_size":66"#), "num_attention_heads"),
            (Self.tiny(#""head_dim":15"#), "head_dim"),
            (Self.tiny(#""eos_token_id":[1,"x"]"#), "eos_token_id"),
            (Self.tiny(#""rope_scaling":{"factor":2.0}"#), "rope_scaling.rope_type"),
            (Self.tiny(#""rope_scaling":{"rope_type":"linear"}"#), "rope_scaling.factor"),
            (
                Self.tiny(#""rope_scaling":{"rope_type":"llama3","factor":8.0,"high_freq_factor":4.0}"#),
                "rope_scaling.low_freq_factor"
            ),
            (
                Self.tiny(
                    #""rope_scaling":{"rope_type":"llama3","factor":8,"low_freq_factor":4,"high_freq_factor":4}"#),
                "rope_scaling.high_freq_factor"
            ),
            (Self.tiny(#""rope_scaling":"llama3""#), "rope_scaling"),
            (Self.tiny(#""rope_theta":-1"#), "rope_theta"),
            (Self.tiny(#""tie_word_embeddings":"yes""#), "tie_word_embeddings"),
        ]
        for (json, field) in cases {
            let error = Self.error(json)
            guard case .badConfigField(_, let found, let reason)? = error else {
                Issue.record("\(field): expected badConfigField, got \(String(describing: error))")
                continue
            }
            #expect(found == field, "\(reason)")
        }
        #expect(Self.error("{").map(\.kind) == .badJSON)
        #expect(Self.error("[1]").map(\.kind) == .badJSON)
    }

    /// Oracle: integral floats are accepted for integer fields, as Python would use them.
    @Test func integralFloatsAccepted() throws {
        let config = try Self.parse(Self.tiny(#""max_position_embeddings":4096.0"#))
        #expect(config.maxPositionEmbeddings == 4096)
    }
}
