// The interpreter's runtime value: the JSON-like data of `TemplateValue` plus what only exists while
// rendering (Jinja's Undefined, namespace objects, loop objects, macros and bound methods).
// Python semantics live in Value+Python.swift (truthiness, str(), repr, equality, ordering).

// MARK: - Value

enum Value {
    /// Jinja's default `Undefined`: prints as "", is falsy, iterates as empty; `name` is for messages.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([Value])
    /// A Python tuple: `(a, b)` literals, `items()` pairs. Behaves like a list but prints as `(a, b)` and
    /// never equals a list.
    case tuple([Value])
    case dict(ValueDictionary)
    /// `namespace(...)`: the one mutable object a template can assign attributes on.
    case namespace(Namespace)
    /// The `loop` variable inside a `for` body.
    case loop(LoopState)
    case callable(Callable)

    init(_ value: TemplateValue) {
        switch value {
        case .string(let string): self = .string(string)
        case .int(let int): self = .int(int)
        case .double(let double): self = .double(double)
        case .bool(let bool): self = .bool(bool)
        case .none: self = .none
        case .list(let items): self = .list(items.map(Value.init))
        case .dict(let dict):
            var result = ValueDictionary()
            for (key, item) in dict.pairs { result[.string(key)] = Value(item) }
            self = .dict(result)
        }
    }

    /// The items of a list or tuple.
    var sequenceItems: [Value]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// The Python type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .loop: return "LoopContext"
        case .callable: return "function"
        }
    }
}

// MARK: - Reference objects

/// The object `namespace()` returns; `{% set ns.x = ... %}` mutates it across scopes.
final class Namespace {
    var attributes = ValueDictionary()
}

/// The state behind `loop` in a `for` body.
final class LoopState {
    let items: [Value]
    var index0 = 0

    init(items: [Value]) {
        self.items = items
    }

    /// `loop.index`, `loop.first`, ... (nil for names a loop does not have).
    func attribute(_ name: String) -> Value? {
        let length = items.count
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(length - index0)
        case "revindex0": return .int(length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == length - 1)
        case "length": return .int(length)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem": return index0 > 0 ? items[index0 - 1] : .undefined("loop.previtem")
        case "nextitem": return index0 + 1 < length ? items[index0 + 1] : .undefined("loop.nextitem")
        case "cycle": return .callable(.loopCycle(self))
        default: return nil
        }
    }
}

/// Something a template can call.
indirect enum Callable {
    /// A global function: `raise_exception`, `strftime_now`, `namespace`, `range`, `dict`.
    case builtin(String)
    /// A method looked up on a value, e.g. `message.content.strip` or `message.items`.
    case method(receiver: Value, name: String)
    case macro(MacroClosure)
    case loopCycle(LoopState)
}

/// A macro together with the scope it was defined in.
final class MacroClosure {
    let macro: Macro
    let scope: Scope

    init(macro: Macro, scope: Scope) {
        self.macro = macro
        self.scope = scope
    }
}

// MARK: - Scope

/// A frame of variables; lookups fall back to the parent. `for` bodies and macros get a fresh frame per
/// iteration or call, so their `set`s do not leak out (Jinja's scoping rule that makes `namespace` necessary).
final class Scope {
    private var variables: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?) {
        self.parent = parent
    }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let current = scope {
            if let value = current.variables[name] { return value }
            scope = current.parent
        }
        return nil
    }

    func set(_ name: String, _ value: Value) {
        variables[name] = value
    }
}
