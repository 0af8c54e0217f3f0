// Jinja's built-in filters that chat templates use, with Jinja 3.1's argument names and edge cases
// (`default` only replaces Undefined unless `boolean=true`, `join`/`trim` apply str() first, ...), and
// `tojson` as transformers overrides it. An unknown filter fails when reached, naming it and the line.

// MARK: - Filters

extension Interpreter {
    /// Names `x is filter` answers true for.
    static let filterNames: Set<String> = [
        "default", "d", "length", "count", "trim", "upper", "lower", "capitalize", "title", "tojson", "join",
        "first", "last", "list", "string", "int", "float", "replace", "items", "safe", "indent", "selectattr",
        "rejectattr", "select", "reject", "map", "reverse", "sort", "dictsort", "abs", "escape", "e", "unique",
    ]

    mutating func applyFilter(
        _ name: String, to value: Value, arguments: Arguments, in scope: Scope, line: Int
    ) throws(TemplateError) -> Value {
        let (positional, keyword) = try evaluate(arguments, in: scope)
        return try applyFilter(name, to: value, positional: positional, keyword: keyword, line: line)
    }

    mutating func applyFilterChain(_ filters: [FilterCall], to value: Value, in scope: Scope) throws(TemplateError)
        -> Value
    {
        var result = value
        for filter in filters {
            result = try applyFilter(filter.name, to: result, arguments: filter.arguments, in: scope, line: filter.line)
        }
        return result
    }

    mutating func applyFilter(
        _ name: String, to value: Value, positional: [Value], keyword: [(name: String, value: Value)], line: Int
    ) throws(TemplateError) -> Value {
        let arguments = try ArgumentReader(function: name, positional: positional, keyword: keyword, line: line)
        switch name {
        case "default", "d":
            let fallback = try arguments.optional(0, "default_value") ?? .string("")
            let boolean = try arguments.optionalBool(1, "boolean") ?? false
            return value.isUndefined || (boolean && !value.isTruthy) ? fallback : value
        case "length", "count":
            switch value {
            case .string(let string): return .int(string.unicodeScalars.count)
            case .list(let items), .tuple(let items): return .int(items.count)
            case .dict(let dict): return .int(dict.count)
            case .undefined: return .int(0)
            case .loop(let loop): return .int(loop.items.count)
            default: throw .runtime(message: "object of type '\(value.typeName)' has no len()", line: line)
            }
        case "trim":
            let characters = try arguments.optionalString(0, "chars").map(ScalarText.init)
            return .string(ScalarText(value.pythonString).stripped(characters, leading: true, trailing: true).string)
        case "upper": return .string(ScalarText(value.pythonString).uppercased().string)
        case "lower": return .string(ScalarText(value.pythonString).lowercased().string)
        case "capitalize": return .string(ScalarText(value.pythonString).capitalized().string)
        case "title": return .string(Self.jinjaTitle(value.pythonString))
        case "tojson": return try toJSON(value, arguments)
        case "join":
            let separator = try arguments.optional(0, "d")?.pythonString ?? ""
            var items = try iterate(value, line: line)
            if let attribute = try arguments.optional(1, "attribute") {
                items = try items.map { (item) throws(TemplateError) in try lookupPath(attribute, in: item, line: line)
                }
            }
            return .string(items.map(\.pythonString).joined(separator: separator))
        case "first":
            return try iterate(value, line: line).first ?? .undefined("No first item, sequence was empty.")
        case "last":
            return try iterate(value, line: line).last ?? .undefined("No last item, sequence was empty.")
        case "list": return .list(try iterate(value, line: line))
        case "string", "safe": return .string(value.pythonString)
        case "int": return try Self.toInt(value, arguments)
        case "float": return try Self.toFloat(value, arguments)
        case "replace":
            let old = try arguments.required(0, "old").pythonString
            let new = try arguments.required(1, "new").pythonString
            let limit = try arguments.optionalInt(2, "count").flatMap { $0 < 0 ? nil : $0 }
            let text = ScalarText(value.pythonString)
            return .string(text.replacing(ScalarText(old), with: ScalarText(new), limit: limit).string)
        case "items":
            switch value {
            case .undefined: return .list([])
            case .dict(let dict): return .list(dict.pairs.map { .tuple([$0.key.value, $0.value]) })
            default: throw .runtime(message: "Can only get item pairs from a mapping.", line: line)
            }
        case "indent": return try Self.indent(value.pythonString, arguments)
        case "selectattr", "rejectattr", "select", "reject":
            return try selectOrReject(name, value, positional, line: line)
        case "map": return try mapFilter(value, positional, keyword, line: line)
        case "reverse":
            if case .string(let string) = value {
                return .string(String(String.UnicodeScalarView(string.unicodeScalars.reversed())))
            }
            return .list(try iterate(value, line: line).reversed())
        case "sort": return try sortFilter(value, arguments)
        case "dictsort": return try dictSortFilter(value, arguments)
        case "unique": return try uniqueFilter(value, arguments)
        case "abs":
            switch value {
            case .int(let int) where int != .min: return .int(abs(int))
            case .double(let double): return .double(abs(double))
            case .bool(let bool): return .int(bool ? 1 : 0)
            default: throw .runtime(message: "bad operand type for abs(): '\(value.typeName)'", line: line)
            }
        case "escape", "e": return .string(Self.htmlEscape(value.pythonString))
        default:
            throw .unsupported(construct: "filter '\(name)'", line: line)
        }
    }

    // MARK: - tojson

    private func toJSON(_ value: Value, _ arguments: ArgumentReader) throws(TemplateError) -> Value {
        // transformers: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
        let ensureASCII = try arguments.optionalBool(0, "ensure_ascii") ?? false
        var indent: String?
        switch try arguments.optional(1, "indent") {
        case nil, .some(.none): indent = nil
        case .some(.int(let width)): indent = String(repeating: " ", count: max(0, width))
        case .some(.string(let string)): indent = string
        case .some(let other):
            throw .runtime(
                message: "tojson indent must be an int or a string, not \(other.typeName)", line: arguments.line)
        }
        var separators: (String, String)?
        switch try arguments.optional(2, "separators") {
        case nil, .some(.none): separators = nil
        case .some(.list(let pair)) where pair.count == 2, .some(.tuple(let pair)) where pair.count == 2:
            guard case .string(let item) = pair[0], case .string(let key) = pair[1] else { fallthrough }
            separators = (item, key)
        default:
            throw .runtime(message: "tojson separators must be a pair of strings", line: arguments.line)
        }
        let sortKeys = try arguments.optionalBool(3, "sort_keys") ?? false
        let options = JSONOptions(indent: indent, separators: separators, sortKeys: sortKeys, ensureASCII: ensureASCII)
        switch value.json(options) {
        case .success(let text): return .string(text)
        case .failure(let failure):
            throw .runtime(message: "Object of type \(failure.typeName) is not JSON serializable", line: arguments.line)
        }
    }

    // MARK: - Attribute paths and selection

    /// Jinja's `make_attrgetter`: `"a.b"` looks up `a` then `b`; integer parts index lists.
    func lookupPath(_ path: Value, in item: Value, line: Int) throws(TemplateError) -> Value {
        guard case .string(let dotted) = path else { return try self.item(path, of: item, line: line) }
        var current = item
        for part in dotted.split(separator: ".", omittingEmptySubsequences: false) {
            let key: Value = Int(part).map(Value.int) ?? .string(String(part))
            if current.isUndefined { return current }
            current = try self.item(key, of: current, line: line)
        }
        return current
    }

    private mutating func selectOrReject(
        _ name: String, _ value: Value, _ positional: [Value], line: Int
    ) throws(TemplateError) -> Value {
        let byAttribute = name.hasSuffix("attr")
        let keep = name.hasPrefix("select")
        var rest = positional
        var attribute: Value?
        if byAttribute {
            guard !rest.isEmpty else { throw .runtime(message: "\(name)() missing the attribute name", line: line) }
            attribute = rest.removeFirst()
        }
        var testName: String?
        if !rest.isEmpty {
            guard case .string(let test) = rest.removeFirst() else {
                throw .runtime(message: "\(name)() test name must be a string", line: line)
            }
            testName = test
        }
        var result: [Value] = []
        for item in try iterate(value, line: line) {
            let subject =
                try attribute.map { (path) throws(TemplateError) in try lookupPath(path, in: item, line: line) } ?? item
            let passed =
                try testName.map { (test) throws(TemplateError) in
                    try applyTest(test, to: subject, arguments: rest, line: line)
                } ?? subject.isTruthy
            if passed == keep { result.append(item) }
        }
        return .list(result)
    }

    private mutating func mapFilter(
        _ value: Value, _ positional: [Value], _ keyword: [(name: String, value: Value)], line: Int
    ) throws(TemplateError) -> Value {
        let items = try iterate(value, line: line)
        if positional.isEmpty, let attribute = keyword.first(where: { $0.name == "attribute" })?.value {
            let fallback = keyword.first { $0.name == "default" }?.value
            return .list(
                try items.map { (item) throws(TemplateError) in
                    let found = try lookupPath(attribute, in: item, line: line)
                    return found.isUndefined ? (fallback ?? found) : found
                })
        }
        guard case .string(let filter)? = positional.first else {
            throw .runtime(message: "map() needs a filter name or attribute=", line: line)
        }
        var result: [Value] = []
        for item in items {
            result.append(
                try applyFilter(
                    filter, to: item, positional: Array(positional.dropFirst()), keyword: keyword, line: line))
        }
        return .list(result)
    }
}
