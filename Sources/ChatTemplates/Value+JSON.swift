// The `tojson` filter as transformers defines it: Python's
// `json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)` (no HTML escaping,
// unlike Jinja's built-in tojson), with `indent`, `separators`, `sort_keys`, `ensure_ascii` options.

// MARK: - JSON encoding

/// Options of `json.dumps` that templates pass to `tojson`.
struct JSONOptions {
    /// nil: one line; otherwise the string repeated once per nesting level.
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false
    var ensureASCII = false

    init(indent: String?, separators: (String, String)? = nil, sortKeys: Bool = false, ensureASCII: Bool = false) {
        self.indent = indent
        // json.dumps: item separator ", " without indent, "," with it.
        (itemSeparator, keySeparator) = separators ?? (indent == nil ? ", " : ",", ": ")
        self.sortKeys = sortKeys
        self.ensureASCII = ensureASCII
    }
}

extension Value {
    /// Serializes as Python's `json.dumps` would; nil names the first value JSON cannot hold.
    func json(_ options: JSONOptions, depth: Int = 0) -> Result<String, JSONFailure> {
        switch self {
        case .none: return .success("null")
        case .bool(let bool): return .success(bool ? "true" : "false")
        case .int(let int): return .success(String(int))
        case .double(let double):
            if double.isNaN { return .success("NaN") }
            if double.isInfinite { return .success(double < 0 ? "-Infinity" : "Infinity") }
            return .success(Value.pythonFloat(double))
        case .string(let string): return .success(Value.jsonString(string, ensureASCII: options.ensureASCII))
        case .list(let items), .tuple(let items):
            if items.isEmpty { return .success("[]") }
            var parts: [String] = []
            for item in items {
                switch item.json(options, depth: depth + 1) {
                case .success(let text): parts.append(text)
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(wrap(parts, open: "[", close: "]", options: options, depth: depth))
        case .dict(let dict):
            if dict.count == 0 { return .success("{}") }
            var pairs = dict.pairs
            if options.sortKeys {
                pairs.sort { ($0.key.value.pythonCompare($1.key.value) ?? 0) < 0 }
            }
            var parts: [String] = []
            for (key, item) in pairs {
                switch item.json(options, depth: depth + 1) {
                case .success(let text):
                    // json.dumps turns int keys into strings.
                    let name = key.value.pythonString
                    parts.append(Value.jsonString(name, ensureASCII: options.ensureASCII) + options.keySeparator + text)
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(wrap(parts, open: "{", close: "}", options: options, depth: depth))
        case .undefined, .namespace, .loop, .callable:
            return .failure(JSONFailure(typeName: typeName))
        }
    }

    private func wrap(_ parts: [String], open: String, close: String, options: JSONOptions, depth: Int) -> String {
        guard let indent = options.indent else {
            return open + parts.joined(separator: options.itemSeparator) + close
        }
        let inner = "\n" + String(repeating: indent, count: depth + 1)
        let outer = "\n" + String(repeating: indent, count: depth)
        return open + inner + parts.joined(separator: options.itemSeparator + inner) + outer + close
    }

    /// A JSON string literal with Python's escaping (`\uXXXX` for other control characters and, with
    /// `ensureASCII`, for every non-ASCII character as UTF-16 units).
    static func jsonString(_ string: String, ensureASCII: Bool) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E) {
                    for unit in String(scalar).utf16 { result += "\\u" + hex(UInt32(unit), width: 4) }
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

/// A value `json.dumps` cannot serialize (Undefined, a namespace, a macro).
struct JSONFailure: Error {
    var typeName: String
}
