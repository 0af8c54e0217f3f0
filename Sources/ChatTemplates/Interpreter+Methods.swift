// Python methods templates call on values (`content.strip()`, `message.items()`, `text.split('</think>')`)
// and how attribute lookup finds them. Mutating methods (`list.append`, `dict.update`) are hidden, as
// transformers' ImmutableSandboxedEnvironment hides them; Python methods this subset lacks are found
// but fail when called, naming the method.

// MARK: - Method lookup

extension Value {
    private static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "splitlines", "upper", "lower",
        "title", "capitalize", "replace", "find", "rfind", "index", "count", "join", "isdigit", "isalpha",
        "isalnum", "isspace", "isupper", "islower", "format", "center", "ljust", "rjust", "zfill", "encode",
        "partition", "rpartition", "swapcase", "casefold", "expandtabs", "removeprefix", "removesuffix",
    ]
    private static let dictMethods: Set<String> = ["items", "keys", "values", "get", "copy", "fromkeys"]
    private static let listMethods: Set<String> = ["index", "count", "copy"]

    /// The bound method `name` of `value`, or nil when the value has no such (safe) method.
    static func methodLookup(_ name: String, on value: Value) -> Value? {
        let known: Bool
        switch value {
        case .string: known = stringMethods.contains(name)
        case .dict: known = dictMethods.contains(name)
        case .list, .tuple: known = listMethods.contains(name)
        default: known = false
        }
        return known ? .callable(.method(receiver: value, name: name)) : nil
    }
}

// MARK: - Method calls

extension Interpreter {
    func callMethod(
        _ name: String, on receiver: Value, positional: [Value], keyword: [(name: String, value: Value)], line: Int
    ) throws(TemplateError) -> Value {
        let arguments = try ArgumentReader(
            function: name, positional: positional, keyword: keyword, line: line)
        switch receiver {
        case .string(let string): return try callStringMethod(name, ScalarText(string), arguments)
        case .dict(let dict):
            switch name {
            case "items": return .list(dict.pairs.map { .tuple([$0.key.value, $0.value]) })
            case "keys": return .list(dict.keys.map(\.value))
            case "values": return .list(dict.values)
            case "get":
                let key = try arguments.required(0, "key")
                let fallback = try arguments.optional(1, "default") ?? .none
                guard let dictKey = DictKey(key) else { return fallback }
                return dict[dictKey] ?? fallback
            case "copy": return receiver
            default: break
            }
        case .list(let items), .tuple(let items):
            switch name {
            case "count":
                let needle = try arguments.required(0, "value")
                return .int(items.count { $0.pythonEquals(needle) })
            case "index":
                let needle = try arguments.required(0, "value")
                guard let index = items.firstIndex(where: { $0.pythonEquals(needle) }) else {
                    throw .runtime(message: "\(needle.pythonRepr) is not in list", line: line)
                }
                return .int(index)
            case "copy": return receiver
            default: break
            }
        default: break
        }
        throw .unsupported(construct: "method '\(receiver.typeName).\(name)'", line: line)
    }

    private func callStringMethod(_ name: String, _ text: ScalarText, _ arguments: ArgumentReader) throws(TemplateError)
        -> Value
    {
        let line = arguments.line
        switch name {
        case "strip", "lstrip", "rstrip":
            let characters = try arguments.optionalString(0, "chars")
            let result = text.stripped(
                characters.map(ScalarText.init), leading: name != "rstrip", trailing: name != "lstrip")
            return .string(result.string)
        case "startswith", "endswith":
            let candidates: [Value]
            switch try arguments.required(0, "prefix") {
            case .list(let items), .tuple(let items): candidates = items
            case let single: candidates = [single]
            }
            for candidate in candidates {
                guard case .string(let affix) = candidate else {
                    throw .runtime(message: "\(name) first arg must be str or a tuple of str", line: line)
                }
                let matched =
                    name == "startswith" ? text.hasPrefix(ScalarText(affix)) : text.hasSuffix(ScalarText(affix))
                if matched { return .bool(true) }
            }
            return .bool(false)
        case "split", "rsplit":
            let separator = try arguments.optionalString(0, "sep")
            if separator == "" { throw .runtime(message: "empty separator", line: line) }
            let maxSplits = try arguments.optionalInt(1, "maxsplit") ?? -1
            if name == "rsplit" && maxSplits >= 0 {
                throw .unsupported(construct: "method 'str.rsplit' with maxsplit", line: line)
            }
            return .list(text.split(separator.map(ScalarText.init), maxSplits: maxSplits).map { .string($0.string) })
        case "splitlines": return .list(text.splitLines().map { .string($0.string) })
        case "upper": return .string(text.uppercased().string)
        case "lower": return .string(text.lowercased().string)
        case "title": return .string(text.titleCased().string)
        case "capitalize": return .string(text.capitalized().string)
        case "replace":
            let old = try arguments.requiredString(0, "old")
            let new = try arguments.requiredString(1, "new")
            let limit = try arguments.optionalInt(2, "count").flatMap { $0 < 0 ? nil : $0 }
            return .string(text.replacing(ScalarText(old), with: ScalarText(new), limit: limit).string)
        case "find":
            return .int(text.find(ScalarText(try arguments.requiredString(0, "sub"))) ?? -1)
        case "count":
            return .int(text.occurrences(of: ScalarText(try arguments.requiredString(0, "sub"))))
        case "join":
            var parts: [String] = []
            for item in try iterate(try arguments.required(0, "iterable"), line: line) {
                guard case .string(let part) = item else {
                    throw .runtime(message: "sequence item: expected str instance, \(item.typeName) found", line: line)
                }
                parts.append(part)
            }
            return .string(parts.joined(separator: text.string))
        case "isdigit":
            return .bool(
                text.count > 0 && text.scalars.allSatisfy { [.decimal, .digit].contains($0.properties.numericType) })
        case "isspace":
            return .bool(text.count > 0 && text.scalars.allSatisfy(\.isPythonWhitespace))
        default:
            throw .unsupported(construct: "method 'str.\(name)'", line: line)
        }
    }
}
