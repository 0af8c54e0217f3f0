// Jinja's built-in tests (`x is defined`, `x is string`, `x is equalto y`, ...) with Jinja 3.1's
// definitions, which follow Python's types (a bool is a number; a string is iterable and a sequence).

// MARK: - Tests

extension Interpreter {
    func applyTest(_ name: String, to value: Value, arguments: [Value], line: Int) throws(TemplateError) -> Bool {
        func argument() throws(TemplateError) -> Value {
            guard let first = arguments.first else {
                throw .runtime(message: "test '\(name)' needs an argument", line: line)
            }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none":
            if case .none = value { return true }
            return false
        case "boolean":
            if case .bool = value { return true }
            return false
        case "true":
            if case .bool(true) = value { return true }
            return false
        case "false":
            if case .bool(false) = value { return true }
            return false
        case "integer":
            if case .int = value { return true }
            return false
        case "float":
            if case .double = value { return true }
            return false
        case "number": return value.numericValue != nil
        case "string":
            if case .string = value { return true }
            return false
        case "mapping":
            if case .dict = value { return true }
            return false
        case "iterable":
            switch value {
            case .string, .list, .tuple, .dict, .undefined, .loop: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .string, .list, .tuple, .dict, .undefined: return true
            default: return false
            }
        case "callable":
            switch value {
            case .callable: return true
            default: return false
            }
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "eq", "equalto", "==": return value.pythonEquals(try argument())
        case "ne", "!=": return !value.pythonEquals(try argument())
        case "lt", "lessthan", "<": return try compare(.less, value, try argument(), line: line)
        case "le", "<=": return try compare(.lessOrEqual, value, try argument(), line: line)
        case "gt", "greaterthan", ">": return try compare(.greater, value, try argument(), line: line)
        case "ge", ">=": return try compare(.greaterOrEqual, value, try argument(), line: line)
        case "in": return try contains(try argument(), value, line: line)
        case "odd", "even", "divisibleby":
            let divisor: Int
            if name == "divisibleby" {
                guard case .int(let number) = try argument(), number != 0 else {
                    throw .runtime(message: "divisibleby needs a non-zero integer", line: line)
                }
                divisor = number
            } else {
                divisor = 2
            }
            guard case .int(let int) = value else {
                throw .runtime(message: "test '\(name)' needs an integer, not \(value.typeName)", line: line)
            }
            let remainder = int % divisor
            return name == "odd" ? remainder != 0 : remainder == 0
        case "lower", "upper":
            let text = ScalarText(value.pythonString)
            let cased = text.scalars.filter(\.properties.isCased)
            guard !cased.isEmpty else { return false }
            return name == "lower"
                ? cased.allSatisfy { !$0.properties.isUppercase && $0.properties.generalCategory != .titlecaseLetter }
                : cased.allSatisfy { !$0.properties.isLowercase && $0.properties.generalCategory != .titlecaseLetter }
        case "filter":
            guard case .string(let filter) = value else { return false }
            return Self.filterNames.contains(filter)
        case "test":
            guard case .string(let test) = value else { return false }
            return Self.testNames.contains(test)
        case "escaped":
            return false
        default:
            throw .unsupported(construct: "test '\(name)'", line: line)
        }
    }

    /// Names `x is test` answers true for.
    static let testNames: Set<String> = [
        "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string",
        "mapping", "iterable", "sequence", "callable", "sameas", "eq", "equalto", "==", "ne", "!=", "lt",
        "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in", "odd", "even", "divisibleby",
        "lower", "upper", "filter", "test", "escaped",
    ]
}
