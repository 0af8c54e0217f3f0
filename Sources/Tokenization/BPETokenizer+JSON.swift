// BPETokenizer+JSON.swift
// Loads a BPETokenizer from an HF tokenizer.json and, when present, tokenizer_config.json, whose
// `add_bos_token` / `add_eos_token` / `bos_token` / `eos_token` override what the post-processor adds.

import Foundation

extension BPETokenizer {
    /// Loads `tokenizer.json` and, if it exists, `tokenizer_config.json` from `directory`.
    public convenience init(directory: URL) throws(TokenizerError) {
        let config = directory.appendingPathComponent("tokenizer_config.json")
        try self.init(
            tokenizerFile: directory.appendingPathComponent("tokenizer.json"),
            configFile: FileManager.default.fileExists(atPath: config.path) ? config : nil)
    }

    /// Loads a tokenizer.json file and an optional tokenizer_config.json file.
    public convenience init(tokenizerFile: URL, configFile: URL? = nil) throws(TokenizerError) {
        let tokenizerData = try Self.read(tokenizerFile)
        let configData: Data?
        if let configFile { configData = try Self.read(configFile) } else { configData = nil }
        try self.init(tokenizerJSON: tokenizerData, configJSON: configData, path: tokenizerFile.path,
                      configPath: configFile?.path ?? "tokenizer_config.json")
    }

    /// Loads from the bytes of tokenizer.json and (optionally) tokenizer_config.json; the paths only name
    /// the files in errors.
    public convenience init(
        tokenizerJSON: Data, configJSON: Data? = nil, path: String = "tokenizer.json",
        configPath: String = "tokenizer_config.json"
    ) throws(TokenizerError) {
        let root = try JSONValue.parse(tokenizerJSON, path: path)
        guard case .object = root else { throw .invalidJSON(path: path, reason: "the top level is not an object") }
        let reader = TokenizerJSONReader(path: path)
        let parts = try reader.model(root["model"])
        let added = try reader.addedTokens(root["added_tokens"])
        let template = try reader.postProcessor(root["post_processor"])
        var components = Components(
            model: .merges(parts.model), idToToken: parts.idToToken, normalizer: try reader.normalizer(root["normalizer"]),
            preTokenizer: try reader.preTokenizer(root["pre_tokenizer"]), decoder: try reader.decoder(root["decoder"]),
            addedTokens: added, prefixIDs: template.prefix, suffixIDs: template.suffix,
            bosTokenID: template.prefix.first.map(Int.init), eosTokenIDs: [])

        if let configJSON {
            let config = try JSONValue.parse(configJSON, path: configPath)
            func resolve(_ key: String) -> Int32? {
                guard let value = config[key] else { return nil }
                let content = value.stringValue ?? value["content"]?.stringValue
                guard let content else { return nil }
                if let token = added.last(where: { $0.content == content }) { return Int32(clamping: token.id) }
                return parts.model.tokenToID[content]
            }
            let bos = resolve("bos_token")
            let eos = resolve("eos_token")
            if let bos { components.bosTokenID = Int(bos) }
            if let eos { components.eosTokenIDs = [Int(eos)] }
            if let addBOS = config["add_bos_token"]?.boolValue {
                components.prefixIDs = addBOS ? bos.map { [$0] } ?? [] : []
            }
            if let addEOS = config["add_eos_token"]?.boolValue {
                components.suffixIDs = addEOS ? eos.map { [$0] } ?? [] : []
            }
        }
        self.init(components: components)
    }

    private static func read(_ url: URL) throws(TokenizerError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }
}
