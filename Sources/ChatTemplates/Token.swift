// The tokens the lexer hands to the parser: template text between tags, tag delimiters, and the
// expression tokens inside `{{ }}` and `{% %}`. Comments and whitespace never become tokens.

// MARK: - Token

/// One lexical token with the 1-based template line it starts on.
struct Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// Literal template text, whitespace control already applied.
        case text(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        /// An operator or punctuation: `+`, `//`, `==`, `(`, `|`, `.`, ...
        case op(String)
        case endOfInput
    }

    var kind: Kind
    var line: Int

    /// A short description for syntax errors, in Jinja's words where it has them.
    var describe: String {
        switch kind {
        case .text: return "template data"
        case .variableBegin: return "begin of print statement"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "begin of statement block"
        case .blockEnd: return "end of statement block"
        case .name(let name): return "'\(name)'"
        case .string(let value): return "string '\(value)'"
        case .integer(let value): return "integer \(value)"
        case .float(let value): return "float \(value)"
        case .op(let op): return "'\(op)'"
        case .endOfInput: return "end of template"
        }
    }

    /// True when this is the name `word` (keywords such as `in`, `if`, `endfor` are names).
    func isName(_ word: String) -> Bool {
        if case .name(let name) = kind { return name == word }
        return false
    }

    /// True when this is the operator `symbol`.
    func isOp(_ symbol: String) -> Bool {
        if case .op(let op) = kind { return op == symbol }
        return false
    }
}
