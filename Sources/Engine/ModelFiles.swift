// Opens what a user points slora at, an HF model directory or a GGUF file, and gathers everything the
// engine needs from it: configuration, weights, tokenizer, chat template and stop tokens.

import Checkpoint
import Foundation
import GGUF
import Llama
import Tokenization

/// A base model's files, opened and validated.
public struct ModelFiles {
    /// The served model name: the file or directory name (without `.gguf`).
    public let name: String
    public let config: LlamaConfiguration
    public let weights: any LlamaWeightSource
    public let tokenizer: BPETokenizer?
    /// The Jinja chat template (tokenizer_config.json `chat_template` or GGUF `tokenizer.chat_template`).
    public let chatTemplate: String?
    /// Token ids that end generation: the config's EOS ids, generation_config.json's, the tokenizer's.
    public let stopTokenIDs: Set<Int32>

    /// Opens `path`: a `.gguf` file or an HF directory (config.json + safetensors, optional tokenizer.json).
    public static func open(_ path: String) throws -> ModelFiles {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFilesError.notFound(path)
        }
        return isDirectory.boolValue ? try openDirectory(url) : try openGGUF(url)
    }

    static func openDirectory(_ url: URL) throws -> ModelFiles {
        let config = try LlamaConfiguration(contentsOf: url.appendingPathComponent("config.json"))
        let checkpoint = try ModelCheckpoint(directory: url)
        var tokenizer: BPETokenizer?
        var template: String?
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("tokenizer.json").path) {
            tokenizer = try BPETokenizer(directory: url)
            template = try chatTemplate(inConfig: url.appendingPathComponent("tokenizer_config.json"))
        }
        var stops = Set(config.eosTokenIDs.map { Int32($0) })
        stops.formUnion(try generationConfigEOS(url.appendingPathComponent("generation_config.json")))
        stops.formUnion((tokenizer?.eosTokenIDs ?? []).map { Int32($0) })
        return ModelFiles(
            name: url.lastPathComponent, config: config, weights: checkpoint, tokenizer: tokenizer,
            chatTemplate: template, stopTokenIDs: stops)
    }

    static func openGGUF(_ url: URL) throws -> ModelFiles {
        let file = try GGUFFile(url: url)
        let config = try LlamaConfiguration(gguf: file)
        let source = try GGUFWeightSource(file: file, config: config)
        let tokenizer = try GGUFVocabulary(file: file).map { try BPETokenizer(vocabulary: $0) }
        var stops = Set(config.eosTokenIDs.map { Int32($0) })
        if let eos = file.int("tokenizer.ggml.eos_token_id") { stops.insert(Int32(eos)) }
        if let eot = file.int("tokenizer.ggml.eot_token_id") { stops.insert(Int32(eot)) }
        var name = url.lastPathComponent
        if name.hasSuffix(".gguf") { name.removeLast(5) }
        return ModelFiles(
            name: name, config: config, weights: source, tokenizer: tokenizer,
            chatTemplate: file.string("tokenizer.chat_template"), stopTokenIDs: stops)
    }

    /// `chat_template` of tokenizer_config.json (a string, or the "default" entry of a list of named templates).
    static func chatTemplate(inConfig url: URL) throws -> String? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelFilesError.badJSON(url.path)
        }
        if let template = json["chat_template"] as? String { return template }
        if let list = json["chat_template"] as? [[String: Any]] {
            return (list.first { $0["name"] as? String == "default" } ?? list.first)?["template"] as? String
        }
        return nil
    }

    /// `eos_token_id` (int or list) of generation_config.json, if the file exists.
    static func generationConfigEOS(_ url: URL) throws -> Set<Int32> {
        guard let data = try? Data(contentsOf: url) else { return [] }
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelFilesError.badJSON(url.path)
        }
        if let id = json["eos_token_id"] as? Int { return [Int32(id)] }
        return Set(((json["eos_token_id"] as? [Int]) ?? []).map { Int32($0) })
    }
}

/// Why a model path could not be opened.
public enum ModelFilesError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case badJSON(String)
    case noTokenizer(String)
    case noChatTemplate(String)

    public var description: String {
        switch self {
        case .notFound(let path): "no model file or directory at \(path)"
        case .badJSON(let path): "\(path) is not a JSON object"
        case .noTokenizer(let path): "\(path) has no tokenizer (tokenizer.json or GGUF tokenizer.ggml.*): pass token ids"
        case .noChatTemplate(let path): "\(path) has no chat template (tokenizer_config.json chat_template or GGUF tokenizer.chat_template)"
        }
    }
}
