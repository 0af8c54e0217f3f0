// The expression half of the template AST: what may appear inside `{{ }}` and in tag arguments.
// Pure value types (Sendable), so a parsed `ChatTemplate` can be shared between threads.

// MARK: - Expression

/// An expression node with the template line it starts on.
struct Expression: Sendable {
    indirect enum Kind: Sendable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case none
        case name(String)
        case list([Expression])
        /// `(a, b)` or a bare `a, b`; evaluates to a Python tuple.
        case tuple([Expression])
        case dict([(key: Expression, value: Expression)])
        /// `a.b` (attribute first, then item, as Jinja's `getattr`).
        case attribute(Expression, String)
        /// `a[b]` (item first, then attribute, as Jinja's `getitem`).
        case item(Expression, Expression)
        /// `a[start:stop:step]`.
        case slice(Expression, start: Expression?, stop: Expression?, step: Expression?)
        case call(Expression, Arguments)
        /// `value | name(arguments)`.
        case filter(Expression, name: String, Arguments)
        /// `value is name arguments`; `is not` is `.not(.test(...))`.
        case test(Expression, name: String, Arguments)
        case not(Expression)
        case negate(Expression)
        case plus(Expression)
        case binary(BinaryOperator, Expression, Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        /// `a < b <= c` chains, as in Python.
        case compare(Expression, [(ComparisonOperator, Expression)])
        /// `then if condition else otherwise`; a missing `else` yields undefined.
        case conditional(condition: Expression, then: Expression, otherwise: Expression?)
    }

    var kind: Kind
    var line: Int
    /// Height of this expression tree; the parser bounds it so evaluation cannot exhaust the stack.
    let depth: Int

    init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
        self.depth = 1 + Self.children(of: kind).map(\.depth).reduce(0, max)
    }

    private static func children(of kind: Kind) -> [Expression] {
        switch kind {
        case .string, .integer, .float, .boolean, .none, .name: return []
        case .list(let items), .tuple(let items): return items
        case .dict(let entries): return entries.flatMap { [$0.key, $0.value] }
        case .attribute(let object, _): return [object]
        case .item(let object, let key): return [object, key]
        case .slice(let object, let start, let stop, let step): return [object] + [start, stop, step].compactMap { $0 }
        case .call(let callee, let arguments): return [callee] + arguments.all
        case .filter(let input, _, let arguments), .test(let input, _, let arguments): return [input] + arguments.all
        case .not(let operand), .negate(let operand), .plus(let operand): return [operand]
        case .binary(_, let left, let right), .and(let left, let right), .or(let left, let right): return [left, right]
        case .compare(let first, let operations): return [first] + operations.map(\.1)
        case .conditional(let condition, let then, let otherwise):
            return [condition, then] + [otherwise].compactMap { $0 }
        }
    }
}

// MARK: - Operators and arguments

enum BinaryOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case floorDivide = "//"
    case modulo = "%"
    case power = "**"
    case concat = "~"
}

enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case contains = "in"
    case notContains = "not in"
}

/// Call arguments: positional then keyword, as in `f(a, b, key=c)`.
struct Arguments: Sendable {
    var positional: [Expression] = []
    var keyword: [(name: String, value: Expression)] = []

    static let empty = Arguments()

    var all: [Expression] { positional + keyword.map(\.value) }
}
