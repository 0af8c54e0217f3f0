// The statement half of the template AST: text, `{{ }}` output and the `{% %}` tags this subset
// implements (if, for, set, macro, filter, with, break/continue, transformers' generation block).

// MARK: - Node

/// A template statement with the line of its opening tag.
struct Node: Sendable {
    indirect enum Kind: Sendable {
        case text(String)
        case output(Expression)
        /// `if`/`elif` branches in order, then the optional `else` body.
        case conditional(branches: [(condition: Expression, body: [Node])], otherwise: [Node]?)
        /// `for target in iterable [if filter]` body, `else` body (run when nothing was iterated).
        case forLoop(target: AssignTarget, iterable: Expression, filter: Expression?, body: [Node], otherwise: [Node]?)
        /// `set target = value`.
        case set(target: AssignTarget, value: Expression)
        /// `set name [| filters] %}body{% endset`.
        case setBlock(name: String, filters: [FilterCall], body: [Node])
        case macro(Macro)
        /// `filter name(args) | ...` body `endfilter`.
        case filterBlock(filters: [FilterCall], body: [Node])
        /// `with a = x, b = y` body `endwith`: a new scope with those variables.
        case with(assignments: [(name: String, value: Expression)], body: [Node])
        case breakLoop
        case continueLoop
    }

    var kind: Kind
    var line: Int

    init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }
}

// MARK: - Parts of statements

/// The left-hand side of `set` and `for`: a name, a tuple of names, or `namespace.attribute`.
indirect enum AssignTarget: Sendable {
    case name(String)
    case tuple([AssignTarget])
    case attribute(object: String, attribute: String)
}

/// One filter of a filter chain in `{% filter %}` or `{% set x | f %}`.
struct FilterCall: Sendable {
    var name: String
    var arguments: Arguments
    var line: Int
}

/// A `{% macro name(params) %}` definition.
struct Macro: Sendable {
    var name: String
    /// Parameters in order, with default expressions.
    var parameters: [(name: String, defaultValue: Expression?)]
    var body: [Node]
}
