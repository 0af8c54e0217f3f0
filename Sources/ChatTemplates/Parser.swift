// Recursive-descent parser from tokens to the statement AST, following the grammar of Jinja 3.1's
// parser.py (same precedence, same tuple and slice rules). This file holds the statement tags;
// Parser+Expressions.swift holds expressions.

// MARK: - Parser

struct Parser {
    private var tokens: [Token]
    private var index = 0
    /// How many `for` bodies enclose the current position (for `break`/`continue` checks).
    private var loopDepth = 0
    /// Current recursion of nested tags and of nested brackets / unary operators in expressions.
    private var blockNesting = 0
    var expressionNesting = 0

    /// Limits that keep parsing and rendering of hostile templates from exhausting the stack.
    static let maximumBlockNesting = 64
    static let maximumExpressionNesting = 64
    static let maximumExpressionDepth = 256

    /// Tags Jinja has that this subset leaves out; reported as unsupported rather than unknown.
    private static let knownUnsupportedTags: Set<String> = [
        "call", "include", "import", "from", "extends", "block", "autoescape", "do", "trans", "pluralize",
    ]

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// Parses a whole template.
    static func parse(_ source: String) throws(TemplateError) -> [Node] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let (body, _) = try parser.parseBody(until: [])
        return body
    }

    // MARK: - Token stream

    var current: Token { tokens[index] }

    func peek(_ offset: Int = 1) -> Token {
        tokens[min(index + offset, tokens.count - 1)]
    }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    mutating func skipOp(_ symbol: String) -> Bool {
        guard current.isOp(symbol) else { return false }
        _ = advance()
        return true
    }

    mutating func skipName(_ word: String) -> Bool {
        guard current.isName(word) else { return false }
        _ = advance()
        return true
    }

    mutating func expectOp(_ symbol: String) throws(TemplateError) {
        guard skipOp(symbol) else { throw unexpected(expected: "'\(symbol)'") }
    }

    mutating func expectName() throws(TemplateError) -> String {
        guard case .name(let name) = current.kind else { throw unexpected(expected: "name") }
        _ = advance()
        return name
    }

    mutating func expectBlockEnd() throws(TemplateError) {
        guard current.kind == .blockEnd else { throw unexpected(expected: "end of statement block") }
        _ = advance()
    }

    func unexpected(expected: String) -> TemplateError {
        .syntax(message: "expected \(expected), got \(current.describe)", line: current.line)
    }

    // MARK: - Bodies

    /// Parses nodes until a `{% name %}` tag with `name` in `endTags`; consumes `{%` and the name and
    /// returns it. With no end tags, parses to the end of the template.
    private mutating func parseBody(until endTags: Set<String>) throws(TemplateError) -> ([Node], String) {
        var nodes: [Node] = []
        while true {
            let token = current
            switch token.kind {
            case .text(let text):
                _ = advance()
                nodes.append(Node(.text(text), line: token.line))
            case .variableBegin:
                _ = advance()
                let expression = try parseTuple()
                guard current.kind == .variableEnd else { throw unexpected(expected: "end of print statement") }
                _ = advance()
                nodes.append(Node(.output(expression), line: token.line))
            case .blockBegin:
                if case .name(let name) = peek().kind, endTags.contains(name) {
                    _ = advance()
                    _ = advance()
                    return (nodes, name)
                }
                _ = advance()
                nodes.append(try parseStatement())
            case .endOfInput:
                guard endTags.isEmpty else {
                    let wanted = endTags.sorted().map { "'\($0)'" }.joined(separator: " or ")
                    throw .syntax(
                        message: "unexpected end of template; looking for the tags \(wanted)", line: token.line)
                }
                return (nodes, "")
            default:
                throw unexpected(expected: "template data or a tag")
            }
        }
    }

    /// Expects `%}`, then parses a body up to one of `endTags` (see `parseBody(until:)`).
    private mutating func parseStatements(until endTags: Set<String>) throws(TemplateError) -> ([Node], String) {
        try expectBlockEnd()
        return try parseBody(until: endTags)
    }

    // MARK: - Statements

    private mutating func parseStatement() throws(TemplateError) -> Node {
        let line = current.line
        blockNesting += 1
        defer { blockNesting -= 1 }
        guard blockNesting <= Self.maximumBlockNesting else {
            throw .syntax(message: "tags nested deeper than \(Self.maximumBlockNesting)", line: line)
        }
        let name = try expectName()
        switch name {
        case "if": return try parseIf(line: line)
        case "for": return try parseFor(line: line)
        case "set": return try parseSet(line: line)
        case "macro": return try parseMacro(line: line)
        case "filter":
            let filters = try parseFilterChain()
            let (body, _) = try parseStatements(until: ["endfilter"])
            try expectBlockEnd()
            return Node(.filterBlock(filters: filters, body: body), line: line)
        case "with": return try parseWith(line: line)
        case "generation":
            // transformers' AssistantTracker tag: renders its body unchanged.
            let (body, _) = try parseStatements(until: ["endgeneration"])
            try expectBlockEnd()
            return Node(.with(assignments: [], body: body), line: line)
        case "break", "continue":
            guard loopDepth > 0 else {
                throw .syntax(message: "'\(name)' outside of a loop", line: line)
            }
            try expectBlockEnd()
            return Node(name == "break" ? .breakLoop : .continueLoop, line: line)
        default:
            if Self.knownUnsupportedTags.contains(name) {
                throw .unsupported(construct: "tag '\(name)'", line: line)
            }
            if name.hasPrefix("end") || name == "elif" || name == "else" {
                throw .syntax(message: "encountered unexpected tag '\(name)'", line: line)
            }
            throw .unsupported(construct: "tag '\(name)' (unknown tag)", line: line)
        }
    }

    private mutating func parseIf(line: Int) throws(TemplateError) -> Node {
        var branches: [(condition: Expression, body: [Node])] = []
        var condition = try parseTuple(withConditional: false)
        while true {
            let (body, end) = try parseStatements(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            switch end {
            case "elif":
                condition = try parseTuple(withConditional: false)
            case "else":
                let (otherwise, _) = try parseStatements(until: ["endif"])
                try expectBlockEnd()
                return Node(.conditional(branches: branches, otherwise: otherwise), line: line)
            default:
                try expectBlockEnd()
                return Node(.conditional(branches: branches, otherwise: nil), line: line)
            }
        }
    }

    private mutating func parseFor(line: Int) throws(TemplateError) -> Node {
        let target = try parseAssignTarget(withNamespace: false, extraEnd: ["in"])
        guard skipName("in") else { throw unexpected(expected: "'in'") }
        let iterable = try parseTuple(withConditional: false, extraEnd: ["recursive"])
        var filter: Expression?
        if skipName("if") { filter = try parseExpression() }
        if current.isName("recursive") {
            throw .unsupported(construct: "recursive for loop", line: current.line)
        }
        loopDepth += 1
        let (body, end) = try parseStatements(until: ["endfor", "else"])
        loopDepth -= 1
        var otherwise: [Node]?
        if end == "else" {
            (otherwise, _) = try parseStatements(until: ["endfor"])
        }
        try expectBlockEnd()
        return Node(
            .forLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise), line: line)
    }

    private mutating func parseSet(line: Int) throws(TemplateError) -> Node {
        let target = try parseAssignTarget(withNamespace: true, extraEnd: [])
        if skipOp("=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return Node(.set(target: target, value: value), line: line)
        }
        guard case .name(let name) = target else {
            throw .syntax(message: "a block set needs a plain variable name", line: line)
        }
        var filters: [FilterCall] = []
        if current.isOp("|") {
            _ = advance()
            filters = try parseFilterChain()
        }
        let (body, _) = try parseStatements(until: ["endset"])
        try expectBlockEnd()
        return Node(.setBlock(name: name, filters: filters, body: body), line: line)
    }

    private mutating func parseMacro(line: Int) throws(TemplateError) -> Node {
        let name = try expectName()
        try expectOp("(")
        var parameters: [(name: String, defaultValue: Expression?)] = []
        while !current.isOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            let parameter = try expectName()
            if skipOp("=") {
                parameters.append((parameter, try parseExpression()))
            } else if parameters.contains(where: { $0.defaultValue != nil }) {
                throw .syntax(message: "non-default argument follows default argument", line: current.line)
            } else {
                parameters.append((parameter, nil))
            }
        }
        try expectOp(")")
        let savedDepth = loopDepth
        loopDepth = 0
        let (body, _) = try parseStatements(until: ["endmacro"])
        loopDepth = savedDepth
        try expectBlockEnd()
        return Node(.macro(Macro(name: name, parameters: parameters, body: body)), line: line)
    }

    private mutating func parseWith(line: Int) throws(TemplateError) -> Node {
        var assignments: [(name: String, value: Expression)] = []
        while current.kind != .blockEnd {
            if !assignments.isEmpty { try expectOp(",") }
            let name = try expectName()
            try expectOp("=")
            assignments.append((name, try parseExpression()))
        }
        let (body, _) = try parseStatements(until: ["endwith"])
        try expectBlockEnd()
        return Node(.with(assignments: assignments, body: body), line: line)
    }

    // MARK: - Assignment targets and filter chains

    /// `name`, `ns.attr` (with namespace), or a tuple of names such as `key, value` / `(key, value)`.
    private mutating func parseAssignTarget(
        withNamespace: Bool, extraEnd: Set<String>
    ) throws(TemplateError) -> AssignTarget {
        if withNamespace, case .name(let object) = current.kind, peek().isOp(".") {
            _ = advance()
            _ = advance()
            return .attribute(object: object, attribute: try expectName())
        }
        var names: [AssignTarget] = []
        var isTuple = false
        while true {
            if !names.isEmpty { try expectOp(",") }
            if current.kind == .blockEnd || current.isOp(")") || current.isOp("=") { break }
            if case .name(let word) = current.kind, extraEnd.contains(word) { break }
            if skipOp("(") {
                names.append(try parseAssignTarget(withNamespace: false, extraEnd: []))
                try expectOp(")")
            } else {
                names.append(.name(try expectName()))
            }
            guard current.isOp(",") else { break }
            isTuple = true
        }
        if !isTuple, let only = names.first { return only }
        guard !names.isEmpty else { throw unexpected(expected: "assignment target") }
        return .tuple(names)
    }

    /// `name(args) | name ...` after a `filter` tag or a block set's `|`.
    private mutating func parseFilterChain() throws(TemplateError) -> [FilterCall] {
        var filters: [FilterCall] = []
        repeat {
            let line = current.line
            let name = try expectName()
            let arguments = current.isOp("(") ? try parseCallArguments() : .empty
            filters.append(FilterCall(name: name, arguments: arguments, line: line))
        } while skipOp("|")
        return filters
    }
}
