// The longer built-in filters: `int`/`float` conversions with Python's parsing rules, Jinja's
// regex-based `title`, `indent`, `sort`, `unique` and HTML `escape`.

// MARK: - Conversions

extension Interpreter {
    /// Jinja `int(value, default=0, base=10)`: int(), then int(float()) for strings like "1.5", else default.
    static func toInt(_ value: Value, _ arguments: ArgumentReader) throws(TemplateError) -> Value {
        let fallback = try arguments.optional(0, "default") ?? .int(0)
        let base = try arguments.optionalInt(1, "base") ?? 10
        switch value {
        case .int: return value
        case .bool(let bool): return .int(bool ? 1 : 0)
        case .double(let double):
            guard double.isFinite, let int = Int(exactly: double.rounded(.towardZero)) else {
                throw .runtime(
                    message: "cannot convert float \(Value.pythonFloat(double)) to integer", line: arguments.line)
            }
            return .int(int)
        case .string(let string):
            let text = pythonNumberText(string)
            if let int = pythonInt(text, base: base) { return .int(int) }
            if let double = pythonFloat(text), double.isFinite, let int = Int(exactly: double.rounded(.towardZero)) {
                return .int(int)
            }
            return fallback
        default:
            return fallback
        }
    }

    /// Jinja `float(value, default=0.0)`.
    static func toFloat(_ value: Value, _ arguments: ArgumentReader) throws(TemplateError) -> Value {
        let fallback = try arguments.optional(0, "default") ?? .double(0)
        switch value {
        case .double: return value
        case .int(let int): return .double(Double(int))
        case .bool(let bool): return .double(bool ? 1 : 0)
        case .string(let string):
            return pythonFloat(pythonNumberText(string)).map(Value.double) ?? fallback
        default:
            return fallback
        }
    }

    /// Python `int(text, base)`: optional sign, then digits; base 16/8/2 (or 0) allow a `0x`/`0o`/`0b` prefix.
    private static func pythonInt(_ text: String, base: Int) -> Int? {
        var body = Substring(text.lowercased())
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body.removeFirst()
        }
        var radix = base == 0 ? 10 : base
        for (prefix, prefixRadix) in [("0x", 16), ("0o", 8), ("0b", 2)]
        where body.hasPrefix(prefix) && (base == prefixRadix || base == 0) {
            radix = prefixRadix
            body.removeFirst(2)
        }
        guard (2...36).contains(radix), let first = body.first, first.isLetter || first.isNumber,
            let magnitude = Int(body, radix: radix)
        else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// Python `float(text)`: decimal digits with optional fraction and exponent, or inf / infinity / nan.
    private static func pythonFloat(_ text: String) -> Double? {
        var body = Substring(text.lowercased())
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body.removeFirst()
        }
        let magnitude: Double
        switch body {
        case "inf", "infinity": magnitude = .infinity
        case "nan": magnitude = .nan
        default:
            // Swift's Double(_:) also takes hex floats; Python's float() does not.
            let allowed = Set("0123456789.e+-")
            guard let first = body.first, first.isNumber || first == ".", body.allSatisfy(allowed.contains),
                let value = Double(body)
            else { return nil }
            magnitude = value
        }
        return negative ? -magnitude : magnitude
    }

    /// Python's number parsing accepts surrounding whitespace and `_` between digits.
    private static func pythonNumberText(_ string: String) -> String {
        let trimmed = ScalarText(string).stripped(nil, leading: true, trailing: true).scalars
        var result = String.UnicodeScalarView()
        for (index, scalar) in trimmed.enumerated() {
            if scalar == "_" {
                let surrounded =
                    index > 0 && index + 1 < trimmed.count && trimmed[index - 1].isDigit
                    && trimmed[index + 1].isDigit
                if !surrounded { return "invalid" }
                continue
            }
            result.append(scalar)
        }
        return String(result)
    }

    // MARK: - Text filters

    /// Jinja's `title` filter (not `str.title`): words start after `-`, whitespace or `({[<`; each word's
    /// first character is upper-cased and the rest lower-cased.
    static func jinjaTitle(_ string: String) -> String {
        func isBoundary(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isPythonWhitespace || "-({[<".unicodeScalars.contains(scalar)
        }
        var result: [Unicode.Scalar] = []
        var atWordStart = true
        for scalar in string.unicodeScalars {
            if isBoundary(scalar) {
                result.append(scalar)
                atWordStart = true
            } else if atWordStart {
                result += scalar.properties.uppercaseMapping.unicodeScalars
                atWordStart = false
            } else {
                result += scalar.properties.lowercaseMapping.unicodeScalars
            }
        }
        return ScalarText(result).string
    }

    /// Jinja `indent(width=4, first=False, blank=False)`: indents lines after the first; blank lines only
    /// with `blank`.
    static func indent(_ string: String, _ arguments: ArgumentReader) throws(TemplateError) -> Value {
        let indentation: String
        switch try arguments.optional(0, "width") {
        case .some(.string(let text)): indentation = text
        case .some(.int(let width)): indentation = String(repeating: " ", count: max(0, width))
        case nil: indentation = "    "
        case .some(let other):
            throw .runtime(
                message: "indent width must be an int or a string, not \(other.typeName)", line: arguments.line)
        }
        let first = try arguments.optionalBool(1, "first") ?? false
        let blank = try arguments.optionalBool(2, "blank") ?? false
        // Jinja appends "\n" before splitlines(), so a trailing newline yields no extra empty line.
        let lines = ScalarText(string + "\n").splitLines().map(\.string)
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indentation)
        } else {
            result = lines.first ?? ""
            let rest = lines.dropFirst().map { $0.isEmpty ? $0 : indentation + $0 }
            if !rest.isEmpty { result += "\n" + rest.joined(separator: "\n") }
        }
        return .string(first ? indentation + result : result)
    }

    /// markupsafe's `escape`: `& < > " '` to entities.
    static func htmlEscape(_ string: String) -> String {
        var result = ""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&#34;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: - Sorting

    /// Jinja `sort(reverse=False, case_sensitive=False, attribute=None)`: stable, strings compared lower-cased.
    func sortFilter(_ value: Value, _ arguments: ArgumentReader) throws(TemplateError) -> Value {
        let reverse = try arguments.optionalBool(0, "reverse") ?? false
        let caseSensitive = try arguments.optionalBool(1, "case_sensitive") ?? false
        let attribute = try arguments.optional(2, "attribute")
        let items = try iterate(value, line: arguments.line)
        var keyed: [(key: Value, item: Value)] = []
        for item in items {
            keyed.append(
                (try sortKey(item, attribute: attribute, caseSensitive: caseSensitive, line: arguments.line), item))
        }
        var failed = false
        keyed = mergeSorted(keyed) { a, b in
            guard let order = a.key.pythonCompare(b.key) else {
                failed = true
                return false
            }
            return reverse ? order > 0 : order < 0
        }
        if failed {
            throw .runtime(message: "sort: items of different types cannot be ordered", line: arguments.line)
        }
        return .list(keyed.map(\.item))
    }

    /// Jinja `dictsort(case_sensitive=False, by='key', reverse=False)`: a dict's (key, value) pairs, sorted.
    func dictSortFilter(_ value: Value, _ arguments: ArgumentReader) throws(TemplateError) -> Value {
        guard case .dict(let dict) = value else {
            throw .runtime(message: "dictsort: can only sort a mapping, not \(value.typeName)", line: arguments.line)
        }
        let caseSensitive = try arguments.optionalBool(0, "case_sensitive") ?? false
        let byValue: Bool
        switch try arguments.optionalString(1, "by") ?? "key" {
        case "key": byValue = false
        case "value": byValue = true
        case let other:
            throw .runtime(
                message: "dictsort: you can only sort by either 'key' or 'value', not \(other)", line: arguments.line)
        }
        let reverse = try arguments.optionalBool(2, "reverse") ?? false
        let pairs = dict.pairs.map { Value.tuple([$0.key.value, $0.value]) }
        let keyIndex: Value = .int(byValue ? 1 : 0)
        let sortArguments = try ArgumentReader(
            function: "dictsort", positional: [.bool(reverse), .bool(caseSensitive), keyIndex], keyword: [],
            line: arguments.line)
        return try sortFilter(.list(pairs), sortArguments)
    }

    /// Jinja `unique(case_sensitive=False, attribute=None)`: first occurrences in order.
    func uniqueFilter(_ value: Value, _ arguments: ArgumentReader) throws(TemplateError) -> Value {
        let caseSensitive = try arguments.optionalBool(0, "case_sensitive") ?? false
        let attribute = try arguments.optional(1, "attribute")
        var seen: [Value] = []
        var result: [Value] = []
        for item in try iterate(value, line: arguments.line) {
            let key = try sortKey(item, attribute: attribute, caseSensitive: caseSensitive, line: arguments.line)
            if !seen.contains(where: { $0.pythonEquals(key) }) {
                seen.append(key)
                result.append(item)
            }
        }
        return .list(result)
    }

    private func sortKey(_ item: Value, attribute: Value?, caseSensitive: Bool, line: Int) throws(TemplateError)
        -> Value
    {
        let key =
            try attribute.map { (path) throws(TemplateError) in try lookupPath(path, in: item, line: line) } ?? item
        if !caseSensitive, case .string(let string) = key { return .string(ScalarText(string).lowercased().string) }
        return key
    }

    /// A stable merge sort (Swift's `sort` is not documented as stable; Python's `sorted` is).
    private func mergeSorted<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
        guard items.count > 1 else { return items }
        let middle = items.count / 2
        let left = mergeSorted(Array(items[..<middle]), by: less)
        let right = mergeSorted(Array(items[middle...]), by: less)
        var result: [T] = []
        result.reserveCapacity(items.count)
        var i = 0
        var j = 0
        while i < left.count && j < right.count {
            if less(right[j], left[i]) {
                result.append(right[j])
                j += 1
            } else {
                result.append(left[i])
                i += 1
            }
        }
        result += left[i...]
        result += right[j...]
        return result
    }
}
