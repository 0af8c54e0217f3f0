// The public value type of a chat-template context: the JSON-like data (strings, numbers, booleans,
// none, lists, insertion-ordered dictionaries) that callers pass in as messages, tools and extra variables.
// The interpreter's own richer value (undefined, namespaces, macros, ...) is the internal `Value`.

// MARK: - TemplateValue

/// A value visible to a chat template, as Python's `json.loads` would produce it.
///
/// Dictionaries keep insertion order, as Python dictionaries do, because `tojson` and `items()` render
/// keys in that order. Literals build values directly:
///
/// ```swift
/// let tool: TemplateValue = ["type": "function", "function": ["name": "get_weather"]]
/// ```
public enum TemplateValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case none
    case list([TemplateValue])
    case dict(TemplateDictionary)
}

// MARK: - Literals

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .none }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .dict(TemplateDictionary(elements))
    }
}

// MARK: - TemplateDictionary

/// A string-keyed dictionary that remembers insertion order (like a Python `dict`).
///
/// Setting an existing key replaces its value in place, keeping its position.
public struct TemplateDictionary: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// Keys in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    /// An empty dictionary.
    public init() {}

    /// A dictionary of `pairs` in order; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, TemplateValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self.init(elements) }

    /// The number of entries.
    public var count: Int { keys.count }

    /// The entries in insertion order.
    public var pairs: [(key: String, value: TemplateValue)] { keys.map { ($0, storage[$0] ?? .none) } }

    /// The value for `key`; assigning `nil` removes the entry.
    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Equal when both hold the same entries (order is ignored, as Python's `dict.__eq__` ignores it).
    public static func == (lhs: TemplateDictionary, rhs: TemplateDictionary) -> Bool {
        lhs.storage == rhs.storage
    }
}
