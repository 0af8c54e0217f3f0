// TokenizerJSONReader.swift
// Reads the components of an HF tokenizer.json (model, normalizer, pre-tokenizer, decoder, post-processor,
// added tokens) into this module's types. Unknown component types are errors, never silently ignored.

/// Reads tokenizer.json components; `path` names the file in errors.
struct TokenizerJSONReader {
    let path: String

    /// The largest token id accepted (guards the id -> token table against absurd ids; real vocabularies
    /// stay below 300k).
    static let maximumTokenID = 4_194_304

    // MARK: - Model

    struct ModelParts {
        var model: BPEModel
        var idToToken: [String?]
    }

    func model(_ json: JSONValue?) throws(TokenizerError) -> ModelParts {
        guard let json, case .object = json else { throw .missingField(path: path, field: "model") }
        let type = json["type"]?.stringValue ?? "BPE"
        guard type == "BPE" else { throw .unsupportedComponent(path: path, field: "model", type: type) }
        guard let vocabObject = json["vocab"]?.objectValue else { throw .missingField(path: path, field: "model.vocab") }
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(vocabObject.count)
        var maxID = -1
        for (token, value) in vocabObject {
            guard let id = value.intValue, id >= 0, id <= Self.maximumTokenID else {
                throw .invalidField(path: path, field: "model.vocab[\(token)]", reason: "is not a token id")
            }
            vocabulary[token] = Int32(id)
            maxID = max(maxID, id)
        }
        var idToToken = [String?](repeating: nil, count: maxID + 1)
        for (token, id) in vocabulary { idToToken[Int(id)] = token }

        var merges: [(String, String)] = []
        let mergeValues = json["merges"]?.arrayValue ?? []
        merges.reserveCapacity(mergeValues.count)
        for (index, value) in mergeValues.enumerated() {
            switch value {
            case .string(let line):
                guard let pair = Self.splitMerge(line) else {
                    throw .invalidField(path: path, field: "model.merges[\(index)]", reason: "is not \"left right\"")
                }
                merges.append(pair)
            case .array(let parts):
                guard parts.count == 2, let left = parts[0].stringValue, let right = parts[1].stringValue else {
                    throw .invalidField(path: path, field: "model.merges[\(index)]", reason: "is not a pair of strings")
                }
                merges.append((left, right))
            default:
                throw .invalidField(path: path, field: "model.merges[\(index)]", reason: "is neither a string nor a pair")
            }
        }
        let bpe = BPEModel(
            vocabulary: vocabulary, merges: merges, unknownToken: json["unk_token"]?.stringValue,
            fuseUnknown: json["fuse_unk"]?.boolValue ?? false, byteFallback: json["byte_fallback"]?.boolValue ?? false,
            ignoreMerges: json["ignore_merges"]?.boolValue ?? false,
            continuingSubwordPrefix: json["continuing_subword_prefix"]?.stringValue,
            endOfWordSuffix: json["end_of_word_suffix"]?.stringValue)
        return ModelParts(model: bpe, idToToken: idToToken)
    }

    /// `"left right"`, split at the first space after the first character (llama.cpp's rule, which also
    /// accepts a left part that is itself a space).
    static func splitMerge(_ line: String) -> (String, String)? {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count >= 3, let space = scalars[1...].firstIndex(of: " ") else { return nil }
        var left = String.UnicodeScalarView()
        left.append(contentsOf: scalars[..<space])
        var right = String.UnicodeScalarView()
        right.append(contentsOf: scalars[(space + 1)...])
        guard !right.isEmpty else { return nil }
        return (String(left), String(right))
    }

    // MARK: - Added tokens

    func addedTokens(_ json: JSONValue?) throws(TokenizerError) -> [AddedToken] {
        guard let json, !json.isNull else { return [] }
        guard let entries = json.arrayValue else {
            throw .invalidField(path: path, field: "added_tokens", reason: "is not an array")
        }
        var result: [AddedToken] = []
        for (index, entry) in entries.enumerated() {
            guard let id = entry["id"]?.intValue, id >= 0, id <= Self.maximumTokenID,
                let content = entry["content"]?.stringValue
            else {
                throw .invalidField(path: path, field: "added_tokens[\(index)]", reason: "needs an id and a content")
            }
            let special = entry["special"]?.boolValue ?? false
            result.append(AddedToken(
                id: id, content: content, special: special, lstrip: entry["lstrip"]?.boolValue ?? false,
                rstrip: entry["rstrip"]?.boolValue ?? false, normalized: entry["normalized"]?.boolValue ?? !special,
                singleWord: entry["single_word"]?.boolValue ?? false))
        }
        return result
    }

    // MARK: - Normalizer

    func normalizer(_ json: JSONValue?, field: String = "normalizer") throws(TokenizerError) -> Normalizer? {
        guard let json, !json.isNull else { return nil }
        let type = json["type"]?.stringValue ?? ""
        switch type {
        case "Sequence":
            var steps: [Normalizer] = []
            for (index, item) in (json["normalizers"]?.arrayValue ?? []).enumerated() {
                if let step = try normalizer(item, field: "\(field).normalizers[\(index)]") { steps.append(step) }
            }
            return .sequence(steps)
        case "Prepend":
            guard let prefix = json["prepend"]?.stringValue else { throw .missingField(path: path, field: "\(field).prepend") }
            return .prepend(prefix)
        case "Replace":
            let content = json["content"]?.stringValue ?? ""
            return .replace(pattern: try pattern(json["pattern"], field: "\(field).pattern"), content: content)
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Strip":
            return .strip(left: json["strip_left"]?.boolValue ?? true, right: json["strip_right"]?.boolValue ?? true)
        default:
            throw .unsupportedComponent(path: path, field: field, type: type)
        }
    }

    /// `{"String": "..."}` or `{"Regex": "..."}`.
    func pattern(_ json: JSONValue?, field: String) throws(TokenizerError) -> SplitPattern {
        if let literal = json?["String"]?.stringValue {
            return .literal(Array(literal.unicodeScalars))
        }
        if let source = json?["Regex"]?.stringValue {
            guard let compiled = SplitPattern.regex(source) else {
                throw .invalidRegex(path: path, field: field, pattern: source)
            }
            return compiled
        }
        throw .invalidField(path: path, field: field, reason: "is neither {\"String\": ...} nor {\"Regex\": ...}")
    }

    // MARK: - Pre-tokenizer

    func preTokenizer(_ json: JSONValue?, field: String = "pre_tokenizer") throws(TokenizerError) -> PreTokenizer? {
        guard let json, !json.isNull else { return nil }
        let type = json["type"]?.stringValue ?? ""
        switch type {
        case "Sequence":
            var steps: [PreTokenizer] = []
            for (index, item) in (json["pretokenizers"]?.arrayValue ?? []).enumerated() {
                if let step = try preTokenizer(item, field: "\(field).pretokenizers[\(index)]") { steps.append(step) }
            }
            return .sequence(steps)
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: json["add_prefix_space"]?.boolValue ?? true,
                              useRegex: json["use_regex"]?.boolValue ?? true)
        case "Split":
            let behaviorName = json["behavior"]?.stringValue ?? "Isolated"
            guard let behavior = SplitBehavior(rawValue: behaviorName) else {
                throw .invalidField(path: path, field: "\(field).behavior", reason: "has unknown value \(behaviorName)")
            }
            return .split(pattern: try pattern(json["pattern"], field: "\(field).pattern"), behavior: behavior,
                          invert: json["invert"]?.boolValue ?? false)
        case "Digits":
            return .digits(individual: json["individual_digits"]?.boolValue ?? false)
        case "Metaspace":
            let (replacement, scheme) = try metaspaceOptions(json, field: field)
            return .metaspace(replacement: replacement, prependScheme: scheme, split: json["split"]?.boolValue ?? true)
        case "Whitespace":
            return .whitespace
        case "WhitespaceSplit":
            return .whitespaceSplit
        default:
            throw .unsupportedComponent(path: path, field: field, type: type)
        }
    }

    /// Metaspace's replacement scalar and prepend scheme (old files say `add_prefix_space` instead).
    private func metaspaceOptions(_ json: JSONValue, field: String) throws(TokenizerError) -> (Unicode.Scalar, PrependScheme) {
        let replacementText = json["replacement"]?.stringValue ?? "\u{2581}"
        guard replacementText.unicodeScalars.count == 1, let replacement = replacementText.unicodeScalars.first else {
            throw .invalidField(path: path, field: "\(field).replacement", reason: "is not one character")
        }
        if let schemeName = json["prepend_scheme"]?.stringValue {
            guard let scheme = PrependScheme(rawValue: schemeName) else {
                throw .invalidField(path: path, field: "\(field).prepend_scheme", reason: "has unknown value \(schemeName)")
            }
            return (replacement, scheme)
        }
        return (replacement, (json["add_prefix_space"]?.boolValue ?? true) ? .always : .never)
    }

    // MARK: - Decoder

    func decoder(_ json: JSONValue?, field: String = "decoder") throws(TokenizerError) -> TokenDecoder? {
        guard let json, !json.isNull else { return nil }
        let type = json["type"]?.stringValue ?? ""
        switch type {
        case "Sequence":
            var steps: [TokenDecoder] = []
            for (index, item) in (json["decoders"]?.arrayValue ?? []).enumerated() {
                if let step = try decoder(item, field: "\(field).decoders[\(index)]") { steps.append(step) }
            }
            return .sequence(steps)
        case "ByteLevel":
            return .byteLevel
        case "Replace":
            return .replace(pattern: try pattern(json["pattern"], field: "\(field).pattern"),
                            content: json["content"]?.stringValue ?? "")
        case "ByteFallback":
            return .byteFallback
        case "Fuse":
            return .fuse
        case "Strip":
            let contentText = json["content"]?.stringValue ?? " "
            guard contentText.unicodeScalars.count == 1, let content = contentText.unicodeScalars.first else {
                throw .invalidField(path: path, field: "\(field).content", reason: "is not one character")
            }
            return .strip(content: content, start: max(0, json["start"]?.intValue ?? 0),
                          stop: max(0, json["stop"]?.intValue ?? 0))
        case "Metaspace":
            let (replacement, scheme) = try metaspaceOptions(json, field: field)
            return .metaspace(replacement: replacement, prependScheme: scheme)
        default:
            throw .unsupportedComponent(path: path, field: field, type: type)
        }
    }

    // MARK: - Post-processor

    /// Ids that the post-processor puts around a single sequence.
    struct Template: Equatable {
        var prefix: [Int32] = []
        var suffix: [Int32] = []
    }

    func postProcessor(_ json: JSONValue?, field: String = "post_processor") throws(TokenizerError) -> Template {
        guard let json, !json.isNull else { return Template() }
        let type = json["type"]?.stringValue ?? ""
        switch type {
        case "ByteLevel":
            return Template()
        case "Sequence":
            // Each processor wraps the result of the previous one.
            var result = Template()
            for (index, item) in (json["processors"]?.arrayValue ?? []).enumerated() {
                let inner = try postProcessor(item, field: "\(field).processors[\(index)]")
                result = Template(prefix: inner.prefix + result.prefix, suffix: result.suffix + inner.suffix)
            }
            return result
        case "TemplateProcessing":
            return try templateProcessing(json, field: field)
        case "RobertaProcessing", "BertProcessing":
            guard let cls = json["cls"]?.arrayValue, cls.count == 2, let clsID = cls[1].intValue,
                let sep = json["sep"]?.arrayValue, sep.count == 2, let sepID = sep[1].intValue
            else { throw .invalidField(path: path, field: field, reason: "needs cls and sep as [token, id]") }
            return Template(prefix: [Int32(clamping: clsID)], suffix: [Int32(clamping: sepID)])
        default:
            throw .unsupportedComponent(path: path, field: field, type: type)
        }
    }

    private func templateProcessing(_ json: JSONValue, field: String) throws(TokenizerError) -> Template {
        guard let single = json["single"]?.arrayValue else { throw .missingField(path: path, field: "\(field).single") }
        var result = Template()
        var seenSequence = false
        for (index, item) in single.enumerated() {
            if item["Sequence"] != nil {
                seenSequence = true
                continue
            }
            guard let name = item["SpecialToken"]?["id"]?.stringValue else {
                throw .invalidField(path: path, field: "\(field).single[\(index)]", reason: "is neither Sequence nor SpecialToken")
            }
            guard let ids = json["special_tokens"]?[name]?["ids"]?.arrayValue else {
                throw .missingField(path: path, field: "\(field).special_tokens.\(name)")
            }
            var tokenIDs: [Int32] = []
            for value in ids {
                guard let id = value.intValue, id >= 0, id <= Self.maximumTokenID else {
                    throw .invalidField(path: path, field: "\(field).special_tokens.\(name).ids", reason: "is not a token id")
                }
                tokenIDs.append(Int32(id))
            }
            if seenSequence { result.suffix += tokenIDs } else { result.prefix += tokenIDs }
        }
        return result
    }
}
