// Expression grammar, lowest precedence first, as in Jinja 3.1's parser.py:
// tuple > conditional (`a if c else b`) > or > and > not > comparisons / in / not in > + - > ~ >
// * / // % > ** > unary - + > primary with postfix `.x` `[i]` `(args)`, filters `|f` and tests `is t`.

// MARK: - Expressions

extension Parser {
    /// Names that end a bare tuple in the current context (e.g. `in` after a `for` target).
    private func isTupleEnd(_ extraEnd: Set<String>) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .endOfInput: return true
        case .op(")"): return true
        case .name(let name): return extraEnd.contains(name)
        default: return false
        }
    }

    /// `a, b, c` as a tuple, or a single expression when there is no comma.
    mutating func parseTuple(
        withConditional: Bool = true, extraEnd: Set<String> = [], explicitParentheses: Bool = false
    ) throws(TemplateError) -> Expression {
        let line = current.line
        var items: [Expression] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",") }
            if isTupleEnd(extraEnd) { break }
            items.append(withConditional ? try parseExpression() : try parseOr())
            guard current.isOp(",") else { break }
            isTuple = true
        }
        if !isTuple {
            if let only = items.first { return try bounded(only) }
            if !explicitParentheses { throw unexpected(expected: "an expression") }
        }
        return try bounded(Expression(.tuple(items), line: line))
    }

    /// Rejects expression trees too deep to evaluate recursively (e.g. thousands of chained `+`).
    private func bounded(_ expression: Expression) throws(TemplateError) -> Expression {
        guard expression.depth <= Self.maximumExpressionDepth else {
            throw .syntax(
                message: "expression nested deeper than \(Self.maximumExpressionDepth)", line: expression.line)
        }
        return expression
    }

    /// Counts one level of recursive descent (brackets, unary operators, `not`).
    private mutating func enterNesting() throws(TemplateError) {
        expressionNesting += 1
        guard expressionNesting <= Self.maximumExpressionNesting else {
            throw .syntax(message: "expression nested deeper than \(Self.maximumExpressionNesting)", line: current.line)
        }
    }

    /// A full expression including `a if cond else b`.
    mutating func parseExpression() throws(TemplateError) -> Expression {
        var result = try parseOr()
        while skipName("if") {
            let condition = try parseOr()
            let otherwise = skipName("else") ? try parseExpression() : nil
            result = Expression(
                .conditional(condition: condition, then: result, otherwise: otherwise), line: result.line)
        }
        return try bounded(result)
    }

    private mutating func parseOr() throws(TemplateError) -> Expression {
        var left = try parseAnd()
        while skipName("or") {
            left = Expression(.or(left, try parseAnd()), line: left.line)
        }
        return left
    }

    private mutating func parseAnd() throws(TemplateError) -> Expression {
        var left = try parseNot()
        while skipName("and") {
            left = Expression(.and(left, try parseNot()), line: left.line)
        }
        return left
    }

    private mutating func parseNot() throws(TemplateError) -> Expression {
        let line = current.line
        if skipName("not") {
            try enterNesting()
            defer { expressionNesting -= 1 }
            return Expression(.not(try parseNot()), line: line)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(TemplateError) -> Expression {
        let left = try parseAdditive()
        var operations: [(ComparisonOperator, Expression)] = []
        while true {
            if case .op(let symbol) = current.kind, let op = ComparisonOperator(rawValue: symbol) {
                _ = advance()
                operations.append((op, try parseAdditive()))
            } else if skipName("in") {
                operations.append((.contains, try parseAdditive()))
            } else if current.isName("not") && peek().isName("in") {
                _ = advance()
                _ = advance()
                operations.append((.notContains, try parseAdditive()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : Expression(.compare(left, operations), line: left.line)
    }

    private mutating func parseAdditive() throws(TemplateError) -> Expression {
        var left = try parseConcat()
        while current.isOp("+") || current.isOp("-") {
            let op: BinaryOperator = advance().isOp("+") ? .add : .subtract
            left = Expression(.binary(op, left, try parseConcat()), line: left.line)
        }
        return left
    }

    private mutating func parseConcat() throws(TemplateError) -> Expression {
        var left = try parseMultiplicative()
        while skipOp("~") {
            left = Expression(.binary(.concat, left, try parseMultiplicative()), line: left.line)
        }
        return left
    }

    private mutating func parseMultiplicative() throws(TemplateError) -> Expression {
        var left = try parsePower()
        while case .op(let symbol) = current.kind, ["*", "/", "//", "%"].contains(symbol),
            let op = BinaryOperator(rawValue: symbol)
        {
            _ = advance()
            left = Expression(.binary(op, left, try parsePower()), line: left.line)
        }
        return left
    }

    private mutating func parsePower() throws(TemplateError) -> Expression {
        var left = try parseUnary(withFilters: true)
        while skipOp("**") {
            left = Expression(.binary(.power, left, try parseUnary(withFilters: true)), line: left.line)
        }
        return left
    }

    private mutating func parseUnary(withFilters: Bool) throws(TemplateError) -> Expression {
        let line = current.line
        try enterNesting()
        defer { expressionNesting -= 1 }
        var node: Expression
        if skipOp("-") {
            node = Expression(.negate(try parseUnary(withFilters: false)), line: line)
        } else if skipOp("+") {
            node = Expression(.plus(try parseUnary(withFilters: false)), line: line)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilters { node = try parseFilterAndTests(node) }
        return node
    }

    // MARK: - Primary and postfix

    private mutating func parsePrimary() throws(TemplateError) -> Expression {
        let token = advance()
        switch token.kind {
        case .name(let name):
            switch name {
            case "true", "True": return Expression(.boolean(true), line: token.line)
            case "false", "False": return Expression(.boolean(false), line: token.line)
            case "none", "None": return Expression(.none, line: token.line)
            default: return Expression(.name(name), line: token.line)
            }
        case .string(var text):
            // Adjacent string literals concatenate, as in Python.
            while case .string(let more) = current.kind {
                text += more
                _ = advance()
            }
            return Expression(.string(text), line: token.line)
        case .integer(let value): return Expression(.integer(value), line: token.line)
        case .float(let value): return Expression(.float(value), line: token.line)
        case .op("("):
            let inner = try parseTuple(explicitParentheses: true)
            try expectOp(")")
            return inner
        case .op("["):
            var items: [Expression] = []
            while !current.isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if current.isOp("]") { break }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return Expression(.list(items), line: token.line)
        case .op("{"):
            var entries: [(key: Expression, value: Expression)] = []
            while !current.isOp("}") {
                if !entries.isEmpty { try expectOp(",") }
                if current.isOp("}") { break }
                let key = try parseExpression()
                try expectOp(":")
                entries.append((key, try parseExpression()))
            }
            try expectOp("}")
            return Expression(.dict(entries), line: token.line)
        default:
            throw .syntax(message: "unexpected \(token.describe)", line: token.line)
        }
    }

    private mutating func parsePostfix(_ start: Expression) throws(TemplateError) -> Expression {
        var node = start
        while true {
            let line = current.line
            if skipOp(".") {
                let token = advance()
                switch token.kind {
                case .name(let name): node = Expression(.attribute(node, name), line: line)
                case .integer(let value):
                    node = Expression(.item(node, Expression(.integer(value), line: line)), line: line)
                default: throw .syntax(message: "expected name or number after '.'", line: line)
                }
            } else if skipOp("[") {
                var subscripts: [Expression] = []
                while !current.isOp("]") {
                    if !subscripts.isEmpty { try expectOp(",") }
                    subscripts.append(try parseSubscript(of: node))
                }
                try expectOp("]")
                guard subscripts.count == 1, let only = subscripts.first else {
                    throw .unsupported(construct: "tuple subscript", line: line)
                }
                if case .slice = only.kind { node = only } else { node = Expression(.item(node, only), line: line) }
            } else if current.isOp("(") {
                node = Expression(.call(node, try parseCallArguments()), line: line)
            } else {
                return node
            }
        }
    }

    /// One subscript: an expression, or a slice `start:stop:step` with any part missing.
    private mutating func parseSubscript(of target: Expression) throws(TemplateError) -> Expression {
        let line = current.line
        var start: Expression?
        if !current.isOp(":") {
            let expression = try parseExpression()
            guard current.isOp(":") else { return expression }
            start = expression
        }
        _ = advance()  // the first ':'
        var stop: Expression?
        if !current.isOp(":") && !current.isOp("]") && !current.isOp(",") { stop = try parseExpression() }
        var step: Expression?
        if skipOp(":"), !current.isOp("]") && !current.isOp(",") { step = try parseExpression() }
        return Expression(.slice(target, start: start, stop: stop, step: step), line: line)
    }

    /// `(a, b, key=c)`, trailing comma allowed.
    mutating func parseCallArguments() throws(TemplateError) -> Arguments {
        try expectOp("(")
        var arguments = Arguments()
        var needsComma = false
        while !current.isOp(")") {
            if needsComma {
                try expectOp(",")
                if current.isOp(")") { break }
            }
            if current.isOp("*") || current.isOp("**") {
                throw .unsupported(construct: "*args / **kwargs in a call", line: current.line)
            }
            if case .name(let name) = current.kind, peek().isOp("=") {
                _ = advance()
                _ = advance()
                arguments.keyword.append((name, try parseExpression()))
            } else {
                guard arguments.keyword.isEmpty else {
                    throw .syntax(message: "positional argument after keyword argument", line: current.line)
                }
                arguments.positional.append(try parseExpression())
            }
            needsComma = true
        }
        try expectOp(")")
        return arguments
    }

    // MARK: - Filters and tests

    private mutating func parseFilterAndTests(_ start: Expression) throws(TemplateError) -> Expression {
        var node = start
        while true {
            let line = current.line
            if skipOp("|") {
                let name = try parseDottedName()
                let arguments = current.isOp("(") ? try parseCallArguments() : .empty
                node = Expression(.filter(node, name: name, arguments), line: line)
            } else if skipName("is") {
                let negated = skipName("not")
                let name = try parseDottedName()
                var arguments = Arguments.empty
                if current.isOp("(") {
                    arguments = try parseCallArguments()
                } else if startsTestArgument() {
                    arguments.positional = [try parsePostfix(try parsePrimary())]
                }
                node = Expression(.test(node, name: name, arguments), line: line)
                if negated { node = Expression(.not(node), line: line) }
            } else if current.isOp("(") {
                node = Expression(.call(node, try parseCallArguments()), line: line)
            } else {
                return node
            }
        }
    }

    /// Jinja lets a test take one argument without parentheses: `x is divisibleby 3`, `x is equalto 'a'`.
    private func startsTestArgument() -> Bool {
        switch current.kind {
        case .name(let name): return !["else", "or", "and"].contains(name)
        case .string, .integer, .float, .op("("), .op("["), .op("{"): return true
        default: return false
        }
    }

    private mutating func parseDottedName() throws(TemplateError) -> String {
        var name = try expectName()
        while skipOp(".") { name += "." + (try expectName()) }
        return name
    }
}
