// A parsed JSON document that keeps object members in file order, duplicates included.
// Foundation's JSONSerialization loses both, and both matter here: safetensors forbids duplicate
// tensor names, and PEFT's `rank_pattern`/`alpha_pattern` are tried in dict (file) order.

/// One `"key": value` member of a JSON object, in file order.
public struct JSONMember: Sendable {
    public let key: String
    public let value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON value. Objects keep every member in file order (duplicates included); numbers written
/// without fraction or exponent that fit `Int` are `.int`, all others `.double`.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    // MARK: - Parsing

    /// Parses a complete JSON document (surrounding whitespace allowed, nothing else after it).
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                var parser = JSONParser(buffer)
                return try parser.parseDocument()
            }
        }
        return try result.get()
    }

    /// Parses a complete JSON document held in `buffer` (the caller keeps it alive during the call).
    public static func parse(_ buffer: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(buffer)
        return try parser.parseDocument()
    }

    // MARK: - Access

    /// The value of the last member named `key` (Python's `json` keeps the last duplicate), or nil
    /// when `self` is not an object or has no such member.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// The members of an object in file order, or nil for other values.
    public var members: [JSONMember]? {
        if case .object(let members) = self { members } else { nil }
    }

    /// The members of an object with duplicates folded like a Python dict: each key keeps the
    /// position of its first occurrence and the value of its last.
    public var dictionaryOrderedMembers: [JSONMember]? {
        guard let members else { return nil }
        var order: [String] = []
        var values: [String: JSONValue] = [:]
        for member in members {
            if values.updateValue(member.value, forKey: member.key) == nil { order.append(member.key) }
        }
        return order.compactMap { key in values[key].map { JSONMember(key: key, value: $0) } }
    }

    public var array: [JSONValue]? {
        if case .array(let values) = self { values } else { nil }
    }

    public var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var bool: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The value of an integer literal (`3`, not `3.0`).
    public var int: Int? {
        if case .int(let value) = self { value } else { nil }
    }

    /// Any number as a `Double` (integer literals included).
    public var double: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The JSON type name, for error messages ("string", "object", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Why a JSON document failed to parse: a message and the byte offset where it was noticed.
public struct JSONParseError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public let offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte \(offset)" }
}
