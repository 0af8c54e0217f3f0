// Executes the statement AST against a scope and appends to an output string. Expressions are in
// Interpreter+Expressions.swift; filters, tests, methods and global functions in their own files.
// Scoping follows Jinja: `if` shares its scope, each `for` iteration and macro call gets a fresh one.

// MARK: - Interpreter

struct Interpreter {
    /// How deep macro calls may nest before rendering fails (guards against runaway recursion).
    static let maximumCallDepth = 64
    /// The largest list `range()` or string/list repetition may build.
    static let maximumCollectionSize = 1 << 20

    var callDepth = 0

    /// What a statement asks of the enclosing loop.
    enum Flow {
        case normal, breakLoop, continueLoop
    }

    // MARK: - Statements

    mutating func execute(_ nodes: [Node], in scope: Scope, into output: inout String) throws(TemplateError) -> Flow {
        for node in nodes {
            let flow = try execute(node, in: scope, into: &output)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private mutating func execute(_ node: Node, in scope: Scope, into output: inout String) throws(TemplateError)
        -> Flow
    {
        switch node.kind {
        case .text(let text):
            output += text
        case .output(let expression):
            output += try evaluate(expression, in: scope).pythonString
        case .conditional(let branches, let otherwise):
            for branch in branches where try evaluate(branch.condition, in: scope).isTruthy {
                return try execute(branch.body, in: scope, into: &output)
            }
            if let otherwise { return try execute(otherwise, in: scope, into: &output) }
        case .forLoop(let target, let iterable, let filter, let body, let otherwise):
            try executeFor(
                target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise,
                scope: scope, line: node.line, output: &output)
        case .set(let target, let value):
            try assign(try evaluate(value, in: scope), to: target, in: scope, line: node.line)
        case .setBlock(let name, let filters, let body):
            var captured = ""
            _ = try execute(body, in: Scope(parent: scope), into: &captured)
            scope.set(name, try applyFilterChain(filters, to: .string(captured), in: scope))
        case .macro(let macro):
            scope.set(macro.name, .callable(.macro(MacroClosure(macro: macro, scope: scope))))
        case .filterBlock(let filters, let body):
            var captured = ""
            _ = try execute(body, in: Scope(parent: scope), into: &captured)
            output += try applyFilterChain(filters, to: .string(captured), in: scope).pythonString
        case .with(let assignments, let body):
            let inner = Scope(parent: scope)
            for (name, value) in assignments { inner.set(name, try evaluate(value, in: scope)) }
            return try execute(body, in: inner, into: &output)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    private mutating func executeFor(
        target: AssignTarget, iterable: Expression, filter: Expression?, body: [Node], otherwise: [Node]?,
        scope: Scope, line: Int, output: inout String
    ) throws(TemplateError) {
        var items = try iterate(try evaluate(iterable, in: scope), line: line)
        if let filter {
            // `for x in xs if cond`: filtered before the loop starts, so loop.length counts survivors.
            var kept: [Value] = []
            for item in items {
                let probe = Scope(parent: scope)
                try assign(item, to: target, in: probe, line: line)
                if try evaluate(filter, in: probe).isTruthy { kept.append(item) }
            }
            items = kept
        }
        guard !items.isEmpty else {
            if let otherwise { _ = try execute(otherwise, in: Scope(parent: scope), into: &output) }
            return
        }
        let loop = LoopState(items: items)
        for (index, item) in items.enumerated() {
            loop.index0 = index
            let iterationScope = Scope(parent: scope)
            try assign(item, to: target, in: iterationScope, line: line)
            iterationScope.set("loop", .loop(loop))
            if try execute(body, in: iterationScope, into: &output) == .breakLoop { break }
        }
    }

    /// The items a `for` loop visits: list items, dict keys, string characters; Undefined is empty.
    func iterate(_ value: Value, line: Int) throws(TemplateError) -> [Value] {
        switch value {
        case .list(let items), .tuple(let items): return items
        case .dict(let dict): return dict.keys.map(\.value)
        case .string(let string): return string.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        case .namespace(let namespace): return namespace.attributes.keys.map(\.value)
        default: throw .runtime(message: "'\(value.typeName)' object is not iterable", line: line)
        }
    }

    // MARK: - Assignment

    func assign(_ value: Value, to target: AssignTarget, in scope: Scope, line: Int) throws(TemplateError) {
        switch target {
        case .name(let name):
            scope.set(name, value)
        case .tuple(let targets):
            let items: [Value]
            switch value {
            case .list(let list), .tuple(let list): items = list
            case .string, .dict: items = try iterate(value, line: line)
            default: throw .runtime(message: "cannot unpack non-iterable \(value.typeName) object", line: line)
            }
            guard items.count == targets.count else {
                throw .runtime(
                    message: "cannot unpack \(items.count) values into \(targets.count) names", line: line)
            }
            for (item, target) in zip(items, targets) { try assign(item, to: target, in: scope, line: line) }
        case .attribute(let object, let attribute):
            guard case .namespace(let namespace) = scope.lookup(object) ?? .undefined(object) else {
                throw .runtime(message: "cannot assign attribute on non-namespace object '\(object)'", line: line)
            }
            namespace.attributes[attribute] = value
        }
    }

    // MARK: - Macros

    /// Calls a macro: binds arguments in a fresh scope under its definition scope, returns its output.
    mutating func call(
        _ closure: MacroClosure, positional: [Value], keyword: [(name: String, value: Value)], line: Int
    ) throws(TemplateError) -> Value {
        let macro = closure.macro
        guard callDepth < Self.maximumCallDepth else {
            throw .runtime(message: "macro calls nested deeper than \(Self.maximumCallDepth)", line: line)
        }
        guard positional.count <= macro.parameters.count else {
            throw .runtime(
                message: "macro '\(macro.name)' takes not more than \(macro.parameters.count) argument(s)",
                line: line)
        }
        let scope = Scope(parent: closure.scope)
        var bound: [String: Value] = [:]
        for (parameter, value) in zip(macro.parameters, positional) { bound[parameter.name] = value }
        for (name, value) in keyword {
            guard macro.parameters.contains(where: { $0.name == name }) else {
                throw .runtime(message: "macro '\(macro.name)' takes no keyword argument '\(name)'", line: line)
            }
            bound[name] = value
        }
        for parameter in macro.parameters {
            if let value = bound[parameter.name] {
                scope.set(parameter.name, value)
            } else if let defaultValue = parameter.defaultValue {
                scope.set(parameter.name, try evaluate(defaultValue, in: scope))
            } else {
                scope.set(parameter.name, .undefined("parameter '\(parameter.name)' was not provided"))
            }
        }
        callDepth += 1
        defer { callDepth -= 1 }
        var output = ""
        _ = try execute(macro.body, in: scope, into: &output)
        return .string(output)
    }
}
