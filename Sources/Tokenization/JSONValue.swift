// JSONValue.swift
// A small JSON tree used to read tokenizer.json and tokenizer_config.json: both have open-ended, tagged
// component objects that are easier to walk as a tree than to model as Codable structs.

import Foundation

/// A parsed JSON value.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    // MARK: - Parsing

    /// Parses `data`; `path` only names the file in errors.
    static func parse(_ data: Data, path: String) throws(TokenizerError) -> JSONValue {
        let result = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<JSONValue, JSONParser.Failure> in
            var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
            return Result { () throws(JSONParser.Failure) -> JSONValue in try parser.parseDocument() }
        }
        switch result {
        case .success(let value): return value
        case .failure(let failure): throw .invalidJSON(path: path, reason: failure.description)
        }
    }

    // MARK: - Access

    subscript(key: String) -> JSONValue? {
        if case .object(let dictionary) = self { return dictionary[key] }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var intValue: Int? {
        guard case .number(let value) = self, value.rounded() == value, abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }
}
