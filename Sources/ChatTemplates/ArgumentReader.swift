// Python-style argument binding for filters, methods and global functions: each parameter can come
// positionally or by keyword, with typed accessors that report the function and line on misuse.

// MARK: - ArgumentReader

struct ArgumentReader {
    let function: String
    let positional: [Value]
    let keyword: [(name: String, value: Value)]
    let line: Int

    /// Checks keyword names against `accepted` (when given) so a typo is an error, not silently ignored.
    init(
        function: String, positional: [Value], keyword: [(name: String, value: Value)], line: Int,
        accepted: [String]? = nil
    ) throws(TemplateError) {
        self.function = function
        self.positional = positional
        self.keyword = keyword
        self.line = line
        if let accepted {
            if positional.count > accepted.count {
                throw .runtime(
                    message: "\(function)() takes at most \(accepted.count) argument(s) (\(positional.count) given)",
                    line: line)
            }
            for (name, _) in keyword where !accepted.contains(name) {
                throw .runtime(message: "\(function)() got an unexpected keyword argument '\(name)'", line: line)
            }
        }
    }

    /// The parameter at `position` or named `name`, if given.
    func optional(_ position: Int, _ name: String) throws(TemplateError) -> Value? {
        let byKeyword = keyword.last { $0.name == name }?.value
        if position < positional.count {
            if byKeyword != nil {
                throw .runtime(message: "\(function)() got multiple values for argument '\(name)'", line: line)
            }
            return positional[position]
        }
        return byKeyword
    }

    func required(_ position: Int, _ name: String) throws(TemplateError) -> Value {
        guard let value = try optional(position, name) else {
            throw .runtime(message: "\(function)() missing required argument '\(name)'", line: line)
        }
        return value
    }

    func optionalString(_ position: Int, _ name: String) throws(TemplateError) -> String? {
        switch try optional(position, name) {
        case nil, .some(.none): return nil
        case .some(.string(let string)): return string
        case .some(let other):
            throw .runtime(message: "\(function)() argument '\(name)' must be str, not \(other.typeName)", line: line)
        }
    }

    func requiredString(_ position: Int, _ name: String) throws(TemplateError) -> String {
        guard let string = try optionalString(position, name) else {
            throw .runtime(message: "\(function)() missing required argument '\(name)'", line: line)
        }
        return string
    }

    func optionalInt(_ position: Int, _ name: String) throws(TemplateError) -> Int? {
        switch try optional(position, name) {
        case nil, .some(.none): return nil
        case .some(.int(let int)): return int
        case .some(.bool(let bool)): return bool ? 1 : 0
        case .some(let other):
            throw .runtime(message: "\(function)() argument '\(name)' must be int, not \(other.typeName)", line: line)
        }
    }

    func optionalBool(_ position: Int, _ name: String) throws(TemplateError) -> Bool? {
        try optional(position, name)?.isTruthy
    }
}
