// Reading a LlamaConfiguration from a HF `config.json`: defaults as in transformers'
// `LlamaConfig` / `MistralConfig`, RoPE from either transformers v4 (`rope_theta` + `rope_scaling`)
// or v5 (`rope_parameters`), and typed errors for anything slora cannot run faithfully.

import Foundation

extension LlamaConfiguration {
    /// Reads `config.json` at `url`.
    public init(contentsOf url: URL) throws(CheckpointError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(file: url.path, reason: "\(error)")
        }
        try self.init(jsonData: data, path: url.path)
    }

    /// Parses the bytes of a `config.json`; `path` only names the file in errors.
    public init(jsonData: Data, path: String = "config.json") throws(CheckpointError) {
        let json: JSONValue
        do {
            json = try JSONValue.parse([UInt8](jsonData))
        } catch {
            throw .badJSON(file: path, reason: error.description)
        }
        guard json.members != nil else { throw .badJSON(file: path, reason: "config is not a JSON object") }
        let reader = ConfigFieldReader(object: json, path: path)

        // MARK: Architecture
        guard let modelTypeName = try reader.string("model_type") else { throw reader.fail("model_type", "missing") }
        guard let modelType = ModelType(rawValue: modelTypeName) else {
            throw reader.unsupported("model_type", "\"\(modelTypeName)\" (supported: llama, mistral)")
        }
        if let activation = try reader.string("hidden_act"), activation != "silu" {
            throw reader.unsupported("hidden_act", "\"\(activation)\"")
        }
        for field in ["attention_bias", "mlp_bias"] where try reader.bool(field) == true {
            throw reader.unsupported(field, "true")
        }

        // MARK: Widths
        let hiddenSize = try reader.requiredPositiveInt("hidden_size")
        let intermediateSize = try reader.requiredPositiveInt("intermediate_size")
        let layerCount = try reader.requiredPositiveInt("num_hidden_layers")
        let headCount = try reader.requiredPositiveInt("num_attention_heads")
        let vocabularySize = try reader.requiredPositiveInt("vocab_size")
        let defaultKVHeads = modelType == .mistral ? 8 : headCount
        let kvHeadCount = try reader.positiveInt("num_key_value_heads") ?? defaultKVHeads
        guard headCount % kvHeadCount == 0 else {
            throw reader.fail(
                "num_key_value_heads", "\(kvHeadCount) does not divide num_attention_heads \(headCount)")
        }
        let headDim: Int
        if let explicit = try reader.positiveInt("head_dim") {
            headDim = explicit
        } else {
            guard hiddenSize % headCount == 0 else {
                throw reader.fail("num_attention_heads", "\(headCount) does not divide hidden_size \(hiddenSize)")
            }
            headDim = hiddenSize / headCount
        }
        guard headDim % 2 == 0 else { throw reader.fail("head_dim", "\(headDim) is odd; RoPE needs an even head_dim") }

        // MARK: Misc
        let rmsNormEps = try reader.double("rms_norm_eps") ?? 1e-6
        guard rmsNormEps > 0 else { throw reader.fail("rms_norm_eps", "must be positive, found \(rmsNormEps)") }
        let defaultContext = modelType == .mistral ? 4096 * 32 : 2048
        let maxPositionEmbeddings = try reader.positiveInt("max_position_embeddings") ?? defaultContext
        let tieWordEmbeddings = try reader.bool("tie_word_embeddings") ?? false
        let (bosTokenID, eosTokenIDs) = try Self.parseTokenIDs(reader)
        let slidingWindow: Int? =
            switch modelType {
            case .llama: nil
            case .mistral: json["sliding_window"] == nil ? 4096 : try reader.positiveInt("sliding_window")
            }
        if let factor = try reader.double("partial_rotary_factor"), factor != 1 {
            throw reader.unsupported("partial_rotary_factor", "\(factor)")
        }
        let (ropeTheta, ropeScaling) = try Self.parseRoPE(reader, maxPositionEmbeddings: maxPositionEmbeddings)

        self.init(
            modelType: modelType, hiddenSize: hiddenSize, intermediateSize: intermediateSize,
            layerCount: layerCount, headCount: headCount, kvHeadCount: kvHeadCount, headDim: headDim,
            vocabularySize: vocabularySize, rmsNormEps: rmsNormEps, maxPositionEmbeddings: maxPositionEmbeddings,
            tieWordEmbeddings: tieWordEmbeddings, bosTokenID: bosTokenID, eosTokenIDs: eosTokenIDs,
            ropeTheta: ropeTheta, ropeScaling: ropeScaling, slidingWindow: slidingWindow)
    }

    // MARK: - Token ids

    /// HF defaults when absent (bos 1, eos 2); null means none; eos may be an int or a list.
    private static func parseTokenIDs(_ reader: ConfigFieldReader) throws(CheckpointError) -> (Int?, [Int]) {
        let bos: Int? = reader.object["bos_token_id"] == nil ? 1 : try reader.int("bos_token_id")
        guard let eosValue = reader.object["eos_token_id"] else { return (bos, [2]) }
        switch eosValue {
        case .null:
            return (bos, [])
        case .array(let values):
            var ids: [Int] = []
            for value in values {
                guard let id = ConfigFieldReader.integer(value) else {
                    throw reader.fail("eos_token_id", "list entries must be integers")
                }
                ids.append(id)
            }
            return (bos, ids)
        default:
            return (bos, [try reader.requiredInt("eos_token_id")])
        }
    }

    // MARK: - RoPE

    /// θ and scaling from v5 `rope_parameters`, else v4 `rope_theta` + `rope_scaling`.
    private static func parseRoPE(
        _ reader: ConfigFieldReader, maxPositionEmbeddings: Int
    ) throws(CheckpointError) -> (Double, RoPEScaling) {
        let topLevelTheta = try reader.double("rope_theta")
        let parameters: ConfigFieldReader
        if let v5 = try reader.nested("rope_parameters") {
            parameters = v5
        } else if let v4 = try reader.nested("rope_scaling") {
            parameters = v4
        } else {
            return (try validTheta(topLevelTheta ?? 10_000, reader, "rope_theta"), .none)
        }
        let theta = try parameters.double("rope_theta") ?? topLevelTheta ?? 10_000
        let thetaField = parameters.contains("rope_theta") ? parameters.prefix + "rope_theta" : "rope_theta"
        let typeKey = parameters.contains("rope_type") ? "rope_type" : "type"
        guard let type = try parameters.string(typeKey) else {
            // v5 files may omit the type (default RoPE); a v4 `rope_scaling` dict must name it.
            if parameters.prefix == "rope_parameters." { return (try validTheta(theta, reader, thetaField), .none) }
            throw parameters.fail("rope_type", "missing")
        }
        if let factor = try parameters.double("partial_rotary_factor"), factor != 1 {
            throw parameters.unsupported("partial_rotary_factor", "\(factor)")
        }
        let scaling: RoPEScaling
        switch type {
        case "default":
            scaling = .none
        case "linear":
            scaling = .linear(factor: try positiveFactor(parameters))
        case "llama3":
            let factor = try positiveFactor(parameters)
            let low = try parameters.requiredDouble("low_freq_factor")
            let high = try parameters.requiredDouble("high_freq_factor")
            guard low > 0, high > low else {
                throw parameters.fail("high_freq_factor", "must exceed low_freq_factor (\(low)) > 0, found \(high)")
            }
            let context = try parameters.positiveInt("original_max_position_embeddings") ?? maxPositionEmbeddings
            scaling = .llama3(
                factor: factor, lowFreqFactor: low, highFreqFactor: high, originalMaxPositionEmbeddings: context)
        default:
            throw parameters.unsupported(typeKey, "\"\(type)\" (supported: default, linear, llama3)")
        }
        return (try validTheta(theta, reader, thetaField), scaling)
    }

    private static func positiveFactor(_ parameters: ConfigFieldReader) throws(CheckpointError) -> Double {
        let factor = try parameters.requiredDouble("factor")
        guard factor > 0 else { throw parameters.fail("factor", "must be positive, found \(factor)") }
        return factor
    }

    private static func validTheta(
        _ theta: Double, _ reader: ConfigFieldReader, _ field: String
    ) throws(CheckpointError) -> Double {
        guard theta > 0 else {
            throw CheckpointError.badConfigField(
                file: reader.path, field: field, reason: "must be positive, found \(theta)")
        }
        return theta
    }
}
