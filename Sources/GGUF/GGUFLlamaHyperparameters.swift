// The Llama hyper-parameters stored in a GGUF file's `llama.*` keys (ggml docs/gguf.md), with HF-style names,
// defaults for the optional keys, consistency checks, and a shape check of the llama tensors against them.

/// Llama hyper-parameters read from GGUF metadata. Property names follow the HF config vocabulary.
///
/// ```swift
/// let hp = try GGUFLlamaHyperparameters(file: file)
/// try hp.validateTensorShapes(in: file)
/// ```
public struct GGUFLlamaHyperparameters: Sendable, Hashable {
    /// `llama.embedding_length` (HF `hidden_size`).
    public var hiddenSize: Int
    /// `llama.block_count` (HF `num_hidden_layers`).
    public var layerCount: Int
    /// `llama.attention.head_count` (HF `num_attention_heads`).
    public var headCount: Int
    /// `llama.attention.head_count_kv`, default `headCount` (HF `num_key_value_heads`).
    public var kvHeadCount: Int
    /// `llama.attention.key_length`, default `hiddenSize / headCount` (HF `head_dim`).
    public var headDim: Int
    /// `llama.feed_forward_length` (HF `intermediate_size`).
    public var intermediateSize: Int
    /// `llama.context_length` (HF `max_position_embeddings`).
    public var contextLength: Int
    /// `llama.rope.dimension_count`, default `headDim`: leading dimensions of each head that RoPE rotates.
    public var ropeDimensionCount: Int
    /// `llama.rope.freq_base`, default 10000 (HF `rope_theta`).
    public var ropeTheta: Float
    /// `llama.attention.layer_norm_rms_epsilon` (HF `rms_norm_eps`).
    public var rmsNormEpsilon: Float
    /// `llama.vocab_size`, else the length of `tokenizer.ggml.tokens`, else rows of `token_embd.weight`.
    public var vocabSize: Int
    /// `llama.rope.scaling.type` (`none`, `linear`, `yarn`, ...), if present. Llama-3 style scaling is not a key:
    /// the converter writes a `rope_freqs.weight` tensor instead.
    public var ropeScalingType: String?
    /// `llama.rope.scaling.factor`, or the legacy `llama.rope.scale_linear`, if present.
    public var ropeScalingFactor: Float?
    /// `llama.rope.scaling.original_context_length`, if present.
    public var ropeScalingOriginalContextLength: Int?
    /// Whether the file has no `output.weight`, so the LM head reuses `token_embd.weight`.
    public var tiedEmbeddings: Bool

    /// Memberwise initializer (for tests and synthetic models).
    public init(
        hiddenSize: Int, layerCount: Int, headCount: Int, kvHeadCount: Int, headDim: Int, intermediateSize: Int,
        contextLength: Int, ropeDimensionCount: Int, ropeTheta: Float, rmsNormEpsilon: Float, vocabSize: Int,
        ropeScalingType: String? = nil, ropeScalingFactor: Float? = nil, ropeScalingOriginalContextLength: Int? = nil,
        tiedEmbeddings: Bool
    ) {
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.intermediateSize = intermediateSize
        self.contextLength = contextLength
        self.ropeDimensionCount = ropeDimensionCount
        self.ropeTheta = ropeTheta
        self.rmsNormEpsilon = rmsNormEpsilon
        self.vocabSize = vocabSize
        self.ropeScalingType = ropeScalingType
        self.ropeScalingFactor = ropeScalingFactor
        self.ropeScalingOriginalContextLength = ropeScalingOriginalContextLength
        self.tiedEmbeddings = tiedEmbeddings
    }

    /// Reads and checks the hyper-parameters of a `llama` GGUF file.
    ///
    /// Throws `unsupportedArchitecture` unless `general.architecture == "llama"`, `missingKey` / `typeMismatch` for
    /// absent or mistyped required keys, and `invalidHyperparameter` for values out of range or inconsistent
    /// (e.g. `hiddenSize` not divisible by `headCount`, an odd `headDim`).
    public init(file: GGUFFile) throws(GGUFError) {
        let architecture = try file.requiredString("general.architecture")
        guard architecture == "llama" else {
            throw .unsupportedArchitecture(file: file.path, architecture: architecture)
        }
        let p = "llama."
        hiddenSize = try file.requiredInt(p + "embedding_length")
        layerCount = try file.requiredInt(p + "block_count")
        headCount = try file.requiredInt(p + "attention.head_count")
        intermediateSize = try file.requiredInt(p + "feed_forward_length")
        contextLength = try file.requiredInt(p + "context_length")
        rmsNormEpsilon = try file.requiredFloat(p + "attention.layer_norm_rms_epsilon")
        kvHeadCount = try file.optionalInt(p + "attention.head_count_kv") ?? headCount
        ropeTheta = try file.optionalFloat(p + "rope.freq_base") ?? 10_000

        // Upper bounds keep every product below (shapes, byte counts) far from overflow on hostile input.
        try Self.check(Self.sizeRange.contains(hiddenSize), p + "embedding_length", "out of range", file)
        try Self.check((1...Self.maxLayerCount).contains(layerCount), p + "block_count", "out of range", file)
        try Self.check((1...Self.maxHeadCount).contains(headCount), p + "attention.head_count", "out of range", file)
        try Self.check(
            kvHeadCount > 0 && headCount % kvHeadCount == 0, p + "attention.head_count_kv",
            "\(kvHeadCount) must be positive and divide head_count \(headCount)", file)
        try Self.check(Self.sizeRange.contains(intermediateSize), p + "feed_forward_length", "out of range", file)
        try Self.check(contextLength > 0, p + "context_length", "must be positive", file)
        try Self.check(
            rmsNormEpsilon.isFinite && rmsNormEpsilon > 0, p + "attention.layer_norm_rms_epsilon",
            "must be positive", file)
        try Self.check(ropeTheta.isFinite && ropeTheta > 0, p + "rope.freq_base", "must be positive", file)

        if let keyLength = try file.optionalInt(p + "attention.key_length") {
            headDim = keyLength
        } else {
            try Self.check(
                hiddenSize % headCount == 0, p + "embedding_length",
                "\(hiddenSize) is not divisible by head_count \(headCount)", file)
            headDim = hiddenSize / headCount
        }
        try Self.check(
            (1...Self.maxHeadDim).contains(headDim) && headDim % 2 == 0, p + "attention.key_length",
            "head dim \(headDim) must be even and at most \(Self.maxHeadDim)", file)
        ropeDimensionCount = try file.optionalInt(p + "rope.dimension_count") ?? headDim
        try Self.check(
            ropeDimensionCount > 0 && ropeDimensionCount <= headDim && ropeDimensionCount % 2 == 0,
            p + "rope.dimension_count", "\(ropeDimensionCount) must be even and in 1...\(headDim)", file)

        if let vocab = try file.optionalInt(p + "vocab_size") {
            vocabSize = vocab
        } else if let tokens = file.metadata["tokenizer.ggml.tokens"]?.arrayValue {
            vocabSize = tokens.count
        } else if let embedding = file.tensors["token_embd.weight"], embedding.dimensions.count == 2 {
            vocabSize = embedding.dimensions[1]
        } else {
            throw .missingKey(file: file.path, key: p + "vocab_size")
        }
        try Self.check(Self.sizeRange.contains(vocabSize), p + "vocab_size", "out of range", file)

        ropeScalingType = try file.optionalString(p + "rope.scaling.type")
        if let factor = try file.optionalFloat(p + "rope.scaling.factor") {
            ropeScalingFactor = factor
        } else {
            ropeScalingFactor = try file.optionalFloat(p + "rope.scale_linear")
        }
        ropeScalingOriginalContextLength = try file.optionalInt(p + "rope.scaling.original_context_length")
        tiedEmbeddings = file.tensors["output.weight"] == nil
    }

    static let sizeRange = 1...(1 << 24)
    static let maxLayerCount = 1 << 12
    static let maxHeadCount = 1 << 12
    static let maxHeadDim = 1 << 12

    private static func check(
        _ condition: Bool, _ key: String, _ reason: @autoclosure () -> String, _ file: GGUFFile
    ) throws(GGUFError) {
        guard condition else { throw .invalidHyperparameter(file: file.path, key: key, reason: reason()) }
    }

    // MARK: - Tensor shapes

    /// The expected HF-order shape (`[rows, cols]`, or `[n]`) of every llama tensor, by GGUF name.
    /// `output.weight` is listed only when the embeddings are not tied.
    public var expectedShapes: [String: [Int]] {
        let qWidth = headCount * headDim
        let kvWidth = kvHeadCount * headDim
        var shapes: [String: [Int]] = [
            "token_embd.weight": [vocabSize, hiddenSize],
            "output_norm.weight": [hiddenSize],
        ]
        if !tiedEmbeddings { shapes["output.weight"] = [vocabSize, hiddenSize] }
        for layer in 0..<layerCount {
            func name(_ kind: String) -> String { GGUFLlamaLayout.blockTensorName(kind, layer: layer) }
            shapes[name("attn_norm")] = [hiddenSize]
            shapes[name("attn_q")] = [qWidth, hiddenSize]
            shapes[name("attn_k")] = [kvWidth, hiddenSize]
            shapes[name("attn_v")] = [kvWidth, hiddenSize]
            shapes[name("attn_output")] = [hiddenSize, qWidth]
            shapes[name("ffn_norm")] = [hiddenSize]
            shapes[name("ffn_gate")] = [intermediateSize, hiddenSize]
            shapes[name("ffn_up")] = [intermediateSize, hiddenSize]
            shapes[name("ffn_down")] = [hiddenSize, intermediateSize]
        }
        return shapes
    }

    /// Checks that every llama tensor exists with the shape these hyper-parameters imply (throws `tensorNotFound`
    /// or `shapeMismatch`). After this, q/k rows can be (un)permuted without violating preconditions.
    public func validateTensorShapes(in file: GGUFFile) throws(GGUFError) {
        for (name, expected) in expectedShapes.sorted(by: { $0.key < $1.key }) {
            let info = try file.tensor(name)
            guard info.shape == expected else {
                throw .shapeMismatch(file: file.path, tensor: name, expected: expected, found: info.shape)
            }
        }
    }
}
