// A LlamaConfiguration from a GGUF file's `llama.*` metadata (GGUFLlamaHyperparameters), so a GGUF
// model runs through the same LlamaModel as an HF checkpoint. Llama-3 RoPE scaling is not metadata in
// GGUF (it is the `rope_freqs.weight` tensor): GGUFWeightSource.ropeFrequencyFactors() carries it.

import Checkpoint
import GGUF

extension LlamaConfiguration {
    /// The configuration these hyper-parameters describe.
    ///
    /// RoPE scaling: `rope.scaling.type` `linear` (or a legacy `rope.scale_linear` factor) → `.linear`;
    /// absent / `none` → `.none`; anything else (YaRN, …) throws. Partial rotary (`rope.dimension_count`
    /// below the head width) throws. f32 metadata is widened through its shortest decimal (`1e-05` stays
    /// 1e-5), matching the `config.json` value it was converted from.
    /// - Parameter file: names the file in errors.
    public init(
        gguf hp: GGUFLlamaHyperparameters, bosTokenID: Int? = nil, eosTokenIDs: [Int] = [], file: String = "<gguf>"
    ) throws(LlamaLoadError) {
        guard hp.ropeDimensionCount == hp.headDim else {
            throw .unsupported(file: file, key: "llama.rope.dimension_count", value: "\(hp.ropeDimensionCount) < head dim \(hp.headDim)")
        }
        let scaling: RoPEScaling
        switch hp.ropeScalingType {
        case nil, "none":
            if hp.ropeScalingType == nil, let factor = hp.ropeScalingFactor, factor != 1 {
                scaling = .linear(factor: Self.widen(factor))
            } else {
                scaling = .none
            }
        case "linear":
            guard let factor = hp.ropeScalingFactor, factor.isFinite, factor > 0 else {
                throw .unsupported(file: file, key: "llama.rope.scaling.factor", value: "\(hp.ropeScalingFactor.map { "\($0)" } ?? "missing")")
            }
            scaling = .linear(factor: Self.widen(factor))
        case let other?:
            throw .unsupported(file: file, key: "llama.rope.scaling.type", value: other)
        }
        self.init(
            modelType: .llama, hiddenSize: hp.hiddenSize, intermediateSize: hp.intermediateSize,
            layerCount: hp.layerCount, headCount: hp.headCount, kvHeadCount: hp.kvHeadCount, headDim: hp.headDim,
            vocabularySize: hp.vocabSize, rmsNormEps: Self.widen(hp.rmsNormEpsilon),
            maxPositionEmbeddings: hp.contextLength, tieWordEmbeddings: hp.tiedEmbeddings, bosTokenID: bosTokenID,
            eosTokenIDs: eosTokenIDs, ropeTheta: Self.widen(hp.ropeTheta), ropeScaling: scaling)
    }

    /// Reads the hyper-parameters and `tokenizer.ggml.bos_token_id` / `eos_token_id` of a llama GGUF file.
    /// Throws `GGUFError` for missing or malformed metadata, `LlamaLoadError` for unsupported settings.
    public init(gguf file: GGUFFile) throws {
        let hp = try GGUFLlamaHyperparameters(file: file)
        let eos = [file.int("tokenizer.ggml.eos_token_id"), file.int("tokenizer.ggml.eot_token_id")]
        var eosTokenIDs: [Int] = []
        for case let id? in eos where !eosTokenIDs.contains(id) { eosTokenIDs.append(id) }
        try self.init(gguf: hp, bosTokenID: file.int("tokenizer.ggml.bos_token_id"), eosTokenIDs: eosTokenIDs, file: file.path)
    }

    /// f32 → f64 through the shortest decimal that round-trips the f32.
    private static func widen(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
}
