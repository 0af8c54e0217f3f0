// The runtime dictionary: insertion-ordered like a Python `dict`, with string keys (all JSON gives) or
// integer keys (dict literals such as `{0: 0, 512: 128}` in real templates). `True`/`False` and
// integral floats key as the equal int, as in Python.

// MARK: - DictKey

/// A dictionary key: the hashable subset of values this interpreter supports.
enum DictKey: Hashable {
    case string(String)
    case int(Int)

    /// The key for `value`, or nil for values Python could hash but this subset does not key by.
    init?(_ value: Value) {
        switch value {
        case .string(let string): self = .string(string)
        case .int(let int): self = .int(int)
        case .bool(let bool): self = .int(bool ? 1 : 0)
        case .double(let double):
            guard let int = Int(exactly: double) else { return nil }
            self = .int(int)
        default: return nil
        }
    }

    var value: Value {
        switch self {
        case .string(let string): return .string(string)
        case .int(let int): return .int(int)
        }
    }
}

// MARK: - ValueDictionary

struct ValueDictionary {
    private(set) var keys: [DictKey] = []
    private var storage: [DictKey: Value] = [:]

    var count: Int { keys.count }
    var values: [Value] { keys.map { storage[$0] ?? .none } }
    var pairs: [(key: DictKey, value: Value)] { keys.map { ($0, storage[$0] ?? .none) } }

    subscript(key: DictKey) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Lookup by attribute or string key.
    subscript(name: String) -> Value? {
        get { self[.string(name)] }
        set { self[.string(name)] = newValue }
    }
}
