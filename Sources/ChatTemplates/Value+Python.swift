// Python semantics of runtime values, as Jinja inherits them: truthiness, `str()` (what `{{ x }}`
// prints), `repr()` (how lists and dicts print their items), float formatting, `==` and ordering.

// MARK: - Truthiness and str()

extension Value {
    /// Python `bool(value)`; Undefined is falsy.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let bool): return bool
        case .int(let int): return int != 0
        case .double(let double): return double != 0
        case .string(let string): return !string.isEmpty
        case .list(let items), .tuple(let items): return !items.isEmpty
        case .dict(let dict): return dict.count > 0
        case .namespace, .loop, .callable: return true
        }
    }

    /// Python `str(value)`, which is what `{{ value }}` prints; Undefined prints as "".
    var pythonString: String {
        switch self {
        case .undefined: return ""
        case .string(let string): return string
        default: return pythonRepr
        }
    }

    /// Python `repr(value)`: strings quoted, `None`/`True`/`False`, `[...]`, `{...: ...}`.
    var pythonRepr: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "None"
        case .bool(let bool): return bool ? "True" : "False"
        case .int(let int): return String(int)
        case .double(let double): return Value.pythonFloat(double)
        case .string(let string): return Value.pythonStringRepr(string)
        case .list(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .tuple(let items):
            if items.count == 1 { return "(" + items[0].pythonRepr + ",)" }
            return "(" + items.map(\.pythonRepr).joined(separator: ", ") + ")"
        case .dict(let dict):
            let entries = dict.pairs.map { $0.key.value.pythonRepr + ": " + $0.value.pythonRepr }
            return "{" + entries.joined(separator: ", ") + "}"
        case .namespace(let namespace):
            let entries = namespace.attributes.pairs.map { "\($0.key.value.pythonString)=\($0.value.pythonRepr)" }
            return "<Namespace(" + entries.joined(separator: ", ") + ")>"
        case .loop(let loop): return "<LoopContext \(loop.index0 + 1)/\(loop.items.count)>"
        case .callable: return "<function>"
        }
    }

    // MARK: - Python number and string formatting

    /// Python `repr(float)`: shortest round-trip digits, exponent form when the exponent is < -4 or >= 16.
    static func pythonFloat(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description is also shortest round-trip; re-layout its digits the Python way.
        var text = "\(value.magnitude)"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fraction
        // Decimal point position relative to the start of `digits`.
        var point = integerPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = value < 0 ? "-" : ""
        let decimalExponent = point - 1
        if decimalExponent < -4 || decimalExponent >= 16 {
            var mantissa = String(digits.prefix(1))
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponentSign = decimalExponent < 0 ? "-" : "+"
            let magnitude = abs(decimalExponent)
            return sign + mantissa + "e" + exponentSign + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        if point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + digits
        }
        if point >= digits.count {
            return sign + digits + String(repeating: "0", count: point - digits.count) + ".0"
        }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Python `repr(str)`: single quotes unless the text has `'` and no `"`; escapes for control characters.
    static func pythonStringRepr(_ string: String) -> String {
        let quote: Unicode.Scalar = string.contains("'") && !string.contains("\"") ? "\"" : "'"
        var result = String(Character(quote))
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case quote: result += "\\" + String(Character(quote))
            default:
                if isPrintable(scalar) {
                    result.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    result += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    result += "\\u" + hex(scalar.value, width: 4)
                } else {
                    result += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return result + String(Character(quote))
    }

    /// Python's `str.isprintable()` for one character: not Other (Cc, Cf, Cs, Co, Cn) and not a separator
    /// other than the ASCII space.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .spaceSeparator, .lineSeparator,
            .paragraphSeparator:
            return false
        default:
            return true
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

// MARK: - Equality and ordering

extension Value {
    /// Python `==`: numbers compare across int/float/bool, containers element-wise, Undefined equals Undefined.
    func pythonEquals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.pythonEquals($1) }
        case (.dict(let a), .dict(let b)):
            return a.count == b.count
                && a.pairs.allSatisfy { pair in b[pair.key].map { pair.value.pythonEquals($0) } ?? false }
        case (.namespace(let a), .namespace(let b)): return a === b
        case (.loop(let a), .loop(let b)): return a === b
        default:
            if let a = numericValue, let b = other.numericValue { return a == b }
            return false
        }
    }

    /// The number behind an int, float or bool (Python treats `True` as 1).
    var numericValue: Double? {
        switch self {
        case .int(let int): return Double(int)
        case .double(let double): return double
        case .bool(let bool): return bool ? 1 : 0
        default: return nil
        }
    }

    /// Python `<` ordering for numbers, strings (by code point) and lists; nil when Python would raise.
    func pythonCompare(_ other: Value) -> Int? {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .string(let b)):
            let left = Array(a.unicodeScalars.map(\.value))
            let right = Array(b.unicodeScalars.map(\.value))
            return left.lexicographicallyPrecedes(right) ? -1 : (left == right ? 0 : 1)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !x.pythonEquals(y) { return x.pythonCompare(y) }
            return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
        default:
            guard let a = numericValue, let b = other.numericValue else { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }
}
