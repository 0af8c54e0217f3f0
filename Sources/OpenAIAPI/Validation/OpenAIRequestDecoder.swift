// Decodes request bodies and turns Foundation's DecodingError into an ``OpenAIRequestError`` naming the
// field. Unknown top-level keys are not an error (vLLM's `extra="allow"`, formats-and-api.md §A.2); the
// caller may list them with ``OpenAIRequestDecoder/unknownFields(in:known:)`` to log a warning.
// Foundation reports a number that does not fit an integer field (1.5, 1e30) as "not valid JSON" with no
// coding path, so such failures are diagnosed again against the DTO's list of integer fields.

import Foundation

// MARK: - OpenAIRequestDecoder

/// JSON decoding for OpenAI request DTOs.
public struct OpenAIRequestDecoder: Sendable {
    public init() {}

    /// Decodes `T` from `data`, mapping every failure to an ``OpenAIRequestError``.
    /// - Parameter integerFields: top-level keys of `T` holding integers or integer lists, used to name
    ///   the field when a number does not fit.
    public func decode<T: Decodable>(
        _ type: T.Type, from data: Data, integerFields: Set<String> = []
    ) throws(OpenAIRequestError) -> T {
        guard !data.isEmpty else { throw .malformedJSON(detail: "the body is empty") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let field = Self.nonIntegerField(in: data, integerFields: integerFields)
            {
                throw .wrongType(field: field, expected: "an integer within the 64-bit range")
            }
            throw Self.mapped(error)
        } catch {
            throw .malformedJSON(detail: "\(error)")
        }
    }

    /// The first of `integerFields` (or `field[i]` of an integer list) whose JSON number is fractional or
    /// outside the Int64 range; nil if the body is not a JSON object or none is.
    static func nonIntegerField(in data: Data, integerFields: Set<String>) -> String? {
        guard !integerFields.isEmpty,
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        func fits(_ value: Any) -> Bool {
            guard let number = value as? NSNumber, !(value is Bool) else { return true }
            let double = number.doubleValue
            return double.rounded() == double && abs(double) < 9.2e18
        }
        for key in integerFields.sorted() {
            guard let value = object[key] else { continue }
            if let list = value as? [Any] {
                if let index = list.firstIndex(where: { !fits($0) }) { return "\(key)[\(index)]" }
            } else if !fits(value) {
                return key
            }
        }
        return nil
    }

    /// The top-level keys of a JSON object body that are not in `known`, sorted; empty if the body is not
    /// an object.
    public func unknownFields(in data: Data, known: Set<String>) -> [String] {
        guard let keys = try? JSONDecoder().decode(TopLevelKeys.self, from: data) else { return [] }
        return keys.names.filter { !known.contains($0) }.sorted()
    }

    // MARK: - Mapping

    static func mapped(_ error: DecodingError) -> OpenAIRequestError {
        switch error {
        case .keyNotFound(let key, let context):
            return .missingField(path(context.codingPath + [key]))
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return .malformedJSON(detail: "the body must be a JSON object") }
            return .wrongType(field: path(context.codingPath), expected: expectedDescription(type, context))
        case .valueNotFound(let type, let context):
            return .wrongType(field: path(context.codingPath), expected: "\(article(type)), not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let underlying = (context.underlyingError as? NSError)?.localizedDescription
                return .malformedJSON(detail: underlying ?? context.debugDescription)
            }
            return .invalidValue(field: path(context.codingPath), detail: context.debugDescription)
        @unknown default:
            return .malformedJSON(detail: "\(error)")
        }
    }

    /// `messages[0].content` style path of a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result.isEmpty ? "body" : result
    }

    private static func expectedDescription(_ type: Any.Type, _ context: DecodingError.Context) -> String {
        // Custom union types describe themselves in debugDescription ("expected a string, ...").
        if context.debugDescription.hasPrefix("expected ") { return String(context.debugDescription.dropFirst(9)) }
        return article(type)
    }

    private static func article(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default:
            switch String(describing: type) {
            case let name where name.hasPrefix("Array"): "an array"
            case let name where name.hasPrefix("Dictionary"): "an object"
            default: "a value of type \(type)"
            }
        }
    }
}

// MARK: - TopLevelKeys

/// The key names of a JSON object, values ignored.
private struct TopLevelKeys: Decodable {
    var names: [String]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        names = try decoder.container(keyedBy: Key.self).allKeys.map(\.stringValue)
    }
}
