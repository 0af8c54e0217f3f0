// TokenizerError.swift
// The one error type of the Tokenization module: every case names the file or field at fault so that a bad
// tokenizer.json, tokenizer_config.json or GGUF vocabulary gives a readable message instead of a crash.

import Foundation

/// Errors thrown while loading a tokenizer.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A file is not valid JSON (or its top level is not an object).
    case invalidJSON(path: String, reason: String)
    /// A required field is missing. `field` is a dotted path such as `model.vocab`.
    case missingField(path: String, field: String)
    /// A field has the wrong type or an impossible value.
    case invalidField(path: String, field: String, reason: String)
    /// A component type (model, normalizer, pre-tokenizer, decoder, post-processor) that slora does not implement.
    case unsupportedComponent(path: String, field: String, type: String)
    /// A regular expression in a Split / Replace component that Foundation cannot compile.
    case invalidRegex(path: String, field: String, pattern: String)
    /// A GGUF vocabulary whose fields disagree (lengths, ids out of range, unknown model or pre-tokenizer).
    case invalidVocabulary(field: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidJSON(let path, let reason):
            return "\(path) is not valid JSON: \(reason)"
        case .missingField(let path, let field):
            return "\(path): missing field '\(field)'"
        case .invalidField(let path, let field, let reason):
            return "\(path): field '\(field)' \(reason)"
        case .unsupportedComponent(let path, let field, let type):
            return "\(path): '\(field)' of type '\(type)' is not supported"
        case .invalidRegex(let path, let field, let pattern):
            return "\(path): '\(field)' has a regular expression Foundation cannot compile: \(pattern)"
        case .invalidVocabulary(let field, let reason):
            return "GGUF vocabulary: '\(field)' \(reason)"
        }
    }
}
