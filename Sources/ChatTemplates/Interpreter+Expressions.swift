// Expression evaluation with Jinja's lookup rules (`a.b` tries the attribute then the item, `a[b]` the
// item then the attribute, misses give Undefined, only using an Undefined fails) and Python operators.

// MARK: - Evaluation

extension Interpreter {
    mutating func evaluate(_ expression: Expression, in scope: Scope) throws(TemplateError) -> Value {
        let line = expression.line
        switch expression.kind {
        case .string(let string): return .string(string)
        case .integer(let int): return .int(int)
        case .float(let double): return .double(double)
        case .boolean(let bool): return .bool(bool)
        case .none: return .none
        case .name(let name): return scope.lookup(name) ?? .undefined("'\(name)' is undefined")
        case .list(let items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item, in: scope)) }
            return .list(values)
        case .tuple(let items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item, in: scope)) }
            return .tuple(values)
        case .dict(let entries):
            var dict = ValueDictionary()
            for entry in entries {
                let key = try evaluate(entry.key, in: scope)
                guard let dictKey = DictKey(key) else {
                    throw .unsupported(construct: "dictionary key of type \(key.typeName)", line: line)
                }
                dict[dictKey] = try evaluate(entry.value, in: scope)
            }
            return .dict(dict)
        case .attribute(let object, let name):
            return try attribute(name, of: try evaluate(object, in: scope), line: line)
        case .item(let object, let key):
            let container = try evaluate(object, in: scope)
            return try item(try evaluate(key, in: scope), of: container, line: line)
        case .slice(let object, let start, let stop, let step):
            let target = try evaluate(object, in: scope)
            let bounds = [start, stop, step]
            var values: [Value?] = []
            for bound in bounds {
                values.append(try bound.map { (e) throws(TemplateError) in try evaluate(e, in: scope) })
            }
            return try slice(target, start: values[0], stop: values[1], step: values[2], line: line)
        case .call(let callee, let arguments):
            let function = try evaluate(callee, in: scope)
            let (positional, keyword) = try evaluate(arguments, in: scope)
            return try call(function, positional: positional, keyword: keyword, line: line)
        case .filter(let input, let name, let arguments):
            return try applyFilter(
                name, to: try evaluate(input, in: scope), arguments: arguments, in: scope, line: line)
        case .test(let input, let name, let arguments):
            let value = try evaluate(input, in: scope)
            let (positional, _) = try evaluate(arguments, in: scope)
            return .bool(try applyTest(name, to: value, arguments: positional, line: line))
        case .not(let operand):
            return .bool(!(try evaluate(operand, in: scope).isTruthy))
        case .negate(let operand), .plus(let operand):
            let value = try evaluate(operand, in: scope)
            let negate: Bool = if case .negate = expression.kind { true } else { false }
            switch value {
            case .int(let int): return .int(negate ? -int : int)
            case .double(let double): return .double(negate ? -double : double)
            case .bool(let bool): return .int(negate ? -(bool ? 1 : 0) : (bool ? 1 : 0))
            default:
                throw .runtime(
                    message: "bad operand type for unary \(negate ? "-" : "+"): '\(value.typeName)'", line: line)
            }
        case .binary(let op, let left, let right):
            return try binary(op, try evaluate(left, in: scope), try evaluate(right, in: scope), line: line)
        case .and(let left, let right):
            let value = try evaluate(left, in: scope)
            return value.isTruthy ? try evaluate(right, in: scope) : value
        case .or(let left, let right):
            let value = try evaluate(left, in: scope)
            return value.isTruthy ? value : try evaluate(right, in: scope)
        case .compare(let first, let operations):
            var left = try evaluate(first, in: scope)
            for (op, operand) in operations {
                let right = try evaluate(operand, in: scope)
                guard try compare(op, left, right, line: line) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let condition, let then, let otherwise):
            if try evaluate(condition, in: scope).isTruthy { return try evaluate(then, in: scope) }
            guard let otherwise else {
                return .undefined(
                    "the inline if-expression on line \(line) evaluated to false and no else section was defined.")
            }
            return try evaluate(otherwise, in: scope)
        }
    }

    mutating func evaluate(
        _ arguments: Arguments, in scope: Scope
    ) throws(TemplateError) -> ([Value], [(name: String, value: Value)]) {
        var positional: [Value] = []
        for argument in arguments.positional { positional.append(try evaluate(argument, in: scope)) }
        var keyword: [(name: String, value: Value)] = []
        for argument in arguments.keyword { keyword.append((argument.name, try evaluate(argument.value, in: scope))) }
        return (positional, keyword)
    }

    // MARK: - Lookups

    /// `object.name`: a method or attribute of the value, else (for dicts) the item; otherwise Undefined.
    func attribute(_ name: String, of object: Value, line: Int) throws(TemplateError) -> Value {
        switch object {
        case .undefined(let reason):
            throw .runtime(message: reason, line: line)
        case .dict(let dict):
            if let method = Value.methodLookup(name, on: object) { return method }
            return dict[name] ?? .undefined("'dict object' has no attribute '\(name)'")
        case .namespace(let namespace):
            return namespace.attributes[name] ?? .undefined("'Namespace' object has no attribute '\(name)'")
        case .loop(let loop):
            return loop.attribute(name) ?? .undefined("'LoopContext' object has no attribute '\(name)'")
        default:
            return Value.methodLookup(name, on: object)
                ?? .undefined("'\(object.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `object[key]`: list/string index (negative from the end) or dict key, then the attribute; misses
    /// give Undefined.
    func item(_ key: Value, of object: Value, line: Int) throws(TemplateError) -> Value {
        switch (object, key) {
        case (.undefined(let reason), _):
            throw .runtime(message: reason, line: line)
        case (.dict(let dict), _):
            if let dictKey = DictKey(key), let value = dict[dictKey] { return value }
        case (.list(let items), _), (.tuple(let items), _):
            if let index = Value.index(key, count: items.count) { return items[index] }
            if case .string(let name) = key { return try attribute(name, of: object, line: line) }
            return .undefined("list object has no element \(key.pythonRepr)")
        case (.string(let string), _):
            let scalars = Array(string.unicodeScalars)
            if let index = Value.index(key, count: scalars.count) { return .string(String(scalars[index])) }
        default:
            break
        }
        if case .string(let name) = key { return try attribute(name, of: object, line: line) }
        return .undefined("'\(object.typeName) object' has no element \(key.pythonRepr)")
    }

    /// Python slicing of lists and strings, negative bounds and steps included.
    func slice(_ target: Value, start: Value?, stop: Value?, step: Value?, line: Int) throws(TemplateError) -> Value {
        func integer(_ value: Value?) throws(TemplateError) -> Int? {
            switch value {
            case nil, .some(.none): return nil
            case .some(.int(let int)): return int
            case .some(.bool(let bool)): return bool ? 1 : 0
            case .some(let other):
                throw .runtime(message: "slice indices must be integers or None, not \(other.typeName)", line: line)
            }
        }
        let stride = try integer(step) ?? 1
        guard stride != 0 else { throw .runtime(message: "slice step cannot be zero", line: line) }
        func indices(count: Int) throws(TemplateError) -> [Int] {
            func clamp(_ bound: Int?, default fallback: Int) -> Int {
                guard var bound else { return fallback }
                if bound < 0 { bound += count }
                return stride > 0 ? min(max(bound, 0), count) : min(max(bound, -1), count - 1)
            }
            let lower = clamp(try integer(start), default: stride > 0 ? 0 : count - 1)
            let upper = clamp(try integer(stop), default: stride > 0 ? count : -1)
            return Array(Swift.stride(from: lower, to: upper, by: stride))
        }
        switch target {
        case .list(let items):
            return .list(try indices(count: items.count).map { items[$0] })
        case .tuple(let items):
            return .tuple(try indices(count: items.count).map { items[$0] })
        case .string(let string):
            let scalars = Array(string.unicodeScalars)
            var result = String.UnicodeScalarView()
            for index in try indices(count: scalars.count) { result.append(scalars[index]) }
            return .string(String(result))
        case .undefined(let reason):
            throw .runtime(message: reason, line: line)
        default:
            throw .runtime(message: "'\(target.typeName)' object is not subscriptable", line: line)
        }
    }
}

extension Value {
    /// A valid array index for `key` (ints and bools; negative counts from the end), or nil.
    static func index(_ key: Value, count: Int) -> Int? {
        var index: Int
        switch key {
        case .int(let int): index = int
        case .bool(let bool): index = bool ? 1 : 0
        default: return nil
        }
        if index < 0 { index += count }
        return (0..<count).contains(index) ? index : nil
    }
}
