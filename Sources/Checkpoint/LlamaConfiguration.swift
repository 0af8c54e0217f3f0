// The hyperparameters of a Llama-architecture model (Llama 1/2/3, Mistral, SmolLM, …) as read
// from a HF `config.json`. Parsing lives in LlamaConfiguration+Parsing.swift, RoPE frequencies in
// LlamaConfiguration+RoPE.swift.

/// How RoPE frequencies are rescaled for long contexts (`rope_scaling` / `rope_parameters`).
public enum RoPEScaling: Sendable, Hashable {
    /// `rope_type: default` or no scaling.
    case none
    /// `rope_type: linear`: every inverse frequency divided by `factor`.
    case linear(factor: Double)
    /// `rope_type: llama3` (Llama 3.1+): low frequencies divided by `factor`, high ones kept,
    /// a smooth blend between (see `LlamaConfiguration.ropeInverseFrequencies()`).
    case llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositionEmbeddings: Int)
}

/// A Llama-architecture model's configuration.
///
/// ```swift
/// let config = try LlamaConfiguration(contentsOf: modelURL.appendingPathComponent("config.json"))
/// let tiny = LlamaConfiguration(hiddenSize: 64, intermediateSize: 128, layerCount: 2,
///                               headCount: 4, kvHeadCount: 2, vocabularySize: 100)
/// ```
public struct LlamaConfiguration: Sendable, Hashable {
    /// The checkpoint's `model_type`. Both share this architecture; Mistral may add a sliding window.
    public enum ModelType: String, Sendable, Hashable, CaseIterable {
        case llama
        case mistral
    }

    public let modelType: ModelType
    /// H, the residual width (`hidden_size`).
    public let hiddenSize: Int
    /// I, the MLP width (`intermediate_size`).
    public let intermediateSize: Int
    /// `num_hidden_layers`.
    public let layerCount: Int
    /// Query heads (`num_attention_heads`).
    public let headCount: Int
    /// Key/value heads (`num_key_value_heads`, defaulting to `headCount`); divides `headCount`.
    public let kvHeadCount: Int
    /// Per-head width: `head_dim` when given, else `hiddenSize / headCount`. Even.
    public let headDim: Int
    /// `vocab_size`.
    public let vocabularySize: Int
    /// ε of every RMSNorm (`rms_norm_eps`).
    public let rmsNormEps: Double
    /// `max_position_embeddings`.
    public let maxPositionEmbeddings: Int
    /// When true there is no `lm_head.weight`: the output projection reuses `model.embed_tokens.weight`.
    public let tieWordEmbeddings: Bool
    /// `bos_token_id` (nil when the config says null).
    public let bosTokenID: Int?
    /// `eos_token_id`, which HF allows as an int or a list (empty when null).
    public let eosTokenIDs: [Int]
    /// RoPE base θ (`rope_theta`, or `rope_parameters.rope_theta` in transformers v5).
    public let ropeTheta: Double
    public let ropeScaling: RoPEScaling
    /// Mistral's `sliding_window` (attend only to the last N positions); nil = full causal attention.
    /// Always nil for `llama`.
    public let slidingWindow: Int?

    /// Builds a configuration from literals (tests, tiny models). Defaults follow HF `LlamaConfig`
    /// except token ids, which default to none.
    /// - Parameters:
    ///   - kvHeadCount: nil = `headCount` (multi-head attention).
    ///   - headDim: nil = `hiddenSize / headCount`.
    public init(
        modelType: ModelType = .llama,
        hiddenSize: Int,
        intermediateSize: Int,
        layerCount: Int,
        headCount: Int,
        kvHeadCount: Int? = nil,
        headDim: Int? = nil,
        vocabularySize: Int,
        rmsNormEps: Double = 1e-6,
        maxPositionEmbeddings: Int = 2048,
        tieWordEmbeddings: Bool = false,
        bosTokenID: Int? = nil,
        eosTokenIDs: [Int] = [],
        ropeTheta: Double = 10_000,
        ropeScaling: RoPEScaling = .none,
        slidingWindow: Int? = nil
    ) {
        let kvHeadCount = kvHeadCount ?? headCount
        let headDim = headDim ?? (headCount > 0 ? hiddenSize / headCount : 0)
        precondition(hiddenSize > 0 && intermediateSize > 0 && layerCount > 0 && vocabularySize > 0)
        precondition(headCount > 0 && kvHeadCount > 0 && headCount % kvHeadCount == 0)
        precondition(headDim > 0 && headDim % 2 == 0)
        self.modelType = modelType
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.vocabularySize = vocabularySize
        self.rmsNormEps = rmsNormEps
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tieWordEmbeddings = tieWordEmbeddings
        self.bosTokenID = bosTokenID
        self.eosTokenIDs = eosTokenIDs
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.slidingWindow = slidingWindow
    }

    // MARK: - Derived widths

    /// headCount · headDim: the width of q (and of o_proj's input).
    public var queryWidth: Int { headCount * headDim }
    /// kvHeadCount · headDim: the width of k and v.
    public var kvWidth: Int { kvHeadCount * headDim }
}
