// Splits template text into tokens the way Jinja 3.1's lexer does under transformers' settings
// (`trim_blocks=True`, `lstrip_blocks=True`, `keep_trailing_newline=False`): newline normalisation,
// `{%- -%}` / `{%+ +%}` whitespace control, comments, `{% raw %}` and balanced brackets inside tags.
// Facts from jinja2/lexer.py (3.1.6); the scanner itself is hand-written.

// MARK: - Lexer

struct Lexer {
    private let source: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    /// Jinja's `line_starting`: the previous match ended with a newline (or nothing was read yet), so
    /// `lstrip_blocks` may strip indentation even when the text before a tag holds no newline.
    private var lineStarting = true
    private var tokens: [Token] = []

    init(source text: String) {
        // Jinja turns \r\n and \r into \n and drops one trailing newline (keep_trailing_newline=False).
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            scalars.append(scalar)
        }
        if scalars.last == "\n" { scalars.removeLast() }
        source = scalars
    }

    /// Tokenizes the whole template.
    static func tokenize(_ text: String) throws(TemplateError) -> [Token] {
        var lexer = Lexer(source: text)
        try lexer.run()
        lexer.tokens.append(Token(kind: .endOfInput, line: lexer.line))
        return lexer.tokens
    }

    // MARK: - Root state

    private enum TagKind { case variable, block, comment, raw }

    private mutating func run() throws(TemplateError) {
        while position < source.count {
            guard let (tagStart, kind) = nextTagStart(from: position) else {
                emitText(Array(source[position...]))
                return
            }
            let signIndex = tagStart + 2
            let sign: Unicode.Scalar? =
                signIndex < source.count && (source[signIndex] == "-" || source[signIndex] == "+")
                ? source[signIndex] : nil
            var text = Array(source[position..<tagStart])
            let newlineCount = text.count { $0 == "\n" }
            if sign == "-" {
                while let last = text.last, last.isPythonWhitespace { text.removeLast() }
            } else if sign != "+" && kind != .variable {
                text = lstripped(text)
            }
            emitText(text)
            line += newlineCount
            lineStarting = false
            position = signIndex + (sign == nil ? 0 : 1)
            switch kind {
            case .variable:
                tokens.append(Token(kind: .variableBegin, line: line))
                try lexTag(isBlock: false)
            case .block:
                tokens.append(Token(kind: .blockBegin, line: line))
                try lexTag(isBlock: true)
            case .comment:
                try skipComment()
            case .raw:
                try lexRaw(tagStart: tagStart)
            }
        }
    }

    /// The next `{{`, `{%` or `{#` at or after `start`; `{% raw %}` is told apart from other blocks.
    private func nextTagStart(from start: Int) -> (Int, TagKind)? {
        var index = start
        while index + 1 < source.count {
            if source[index] == "{" {
                switch source[index + 1] {
                case "{": return (index, .variable)
                case "#": return (index, .comment)
                case "%": return (index, rawBeginEnd(at: index) == nil ? .block : .raw)
                default: break
                }
            }
            index += 1
        }
        return nil
    }

    /// lstrip_blocks: drop the spaces between the last newline and a block or comment tag.
    private func lstripped(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let lineStart = (text.lastIndex(of: "\n") ?? -1) + 1
        guard lineStart > 0 || lineStarting, lineStart < text.count else { return text }
        guard text[lineStart...].allSatisfy(\.isPythonWhitespace) else { return text }
        return Array(text[..<lineStart])
    }

    private mutating func emitText(_ text: [Unicode.Scalar]) {
        guard !text.isEmpty else { return }
        tokens.append(Token(kind: .text(String(String.UnicodeScalarView(text))), line: line))
    }

    // MARK: - Comments and raw blocks

    private mutating func skipComment() throws(TemplateError) {
        let startLine = line
        var index = position
        while index + 1 < source.count {
            if source[index] == "+" && matches("#}", at: index + 1) {
                finish(consumedUpTo: index + 3)
                return
            }
            if source[index] == "-" && matches("#}", at: index + 1) {
                finish(consumedUpTo: skipWhitespace(from: index + 3))
                return
            }
            if matches("#}", at: index) {
                finish(consumedUpTo: trimNewline(after: index + 2))
                return
            }
            index += 1
        }
        throw .syntax(message: "Missing end of comment tag", line: startLine)
    }

    /// The index just past `{% raw %}` (or `{%- raw -%}`, trailing whitespace included) starting at `index`.
    private func rawBeginEnd(at index: Int) -> Int? {
        var cursor = index + 2
        if cursor < source.count && (source[cursor] == "-" || source[cursor] == "+") { cursor += 1 }
        cursor = skipWhitespace(from: cursor)
        guard matches("raw", at: cursor) else { return nil }
        cursor = skipWhitespace(from: cursor + 3)
        if matches("-%}", at: cursor) { return skipWhitespace(from: cursor + 3) }
        if matches("%}", at: cursor) { return cursor + 2 }
        return nil
    }

    private mutating func lexRaw(tagStart: Int) throws(TemplateError) {
        let startLine = line
        guard let bodyStart = rawBeginEnd(at: tagStart) else {
            throw .syntax(message: "Missing end of raw directive", line: startLine)
        }
        finish(consumedUpTo: bodyStart)
        var index = bodyStart
        while index + 1 < source.count {
            if matches("{%", at: index), let (end, sign) = endRawEnd(at: index) {
                var text = Array(source[bodyStart..<index])
                let newlineCount = text.count { $0 == "\n" }
                if sign == "-" {
                    while let last = text.last, last.isPythonWhitespace { text.removeLast() }
                } else if sign != "+" {
                    text = lstripped(text)
                }
                emitText(text)
                line += newlineCount
                position = index
                finish(consumedUpTo: end)
                return
            }
            index += 1
        }
        throw .syntax(message: "Missing end of raw directive", line: startLine)
    }

    /// The end index and whitespace sign of a `{% endraw %}` tag starting at `index`.
    private func endRawEnd(at index: Int) -> (Int, Unicode.Scalar?)? {
        var cursor = index + 2
        var sign: Unicode.Scalar?
        if cursor < source.count && (source[cursor] == "-" || source[cursor] == "+") {
            sign = source[cursor]
            cursor += 1
        }
        cursor = skipWhitespace(from: cursor)
        guard matches("endraw", at: cursor) else { return nil }
        cursor = skipWhitespace(from: cursor + 6)
        if matches("+%}", at: cursor) { return (cursor + 3, sign) }
        if matches("-%}", at: cursor) { return (skipWhitespace(from: cursor + 3), sign) }
        if matches("%}", at: cursor) { return (trimNewline(after: cursor + 2), sign) }
        return nil
    }

    // MARK: - Tags

    /// Lexes expression tokens up to the closing `}}` or `%}`.
    private mutating func lexTag(isBlock: Bool) throws(TemplateError) {
        var brackets: [Unicode.Scalar] = []
        let close = isBlock ? "%}" : "}}"
        while true {
            let afterSpace = skipWhitespace(from: position)
            finish(consumedUpTo: afterSpace)
            guard position < source.count else {
                throw .syntax(message: "unexpected end of template, expected '\(close)'", line: line)
            }
            if brackets.isEmpty {
                if isBlock && matches("+%}", at: position) {
                    finish(consumedUpTo: position + 3)
                    tokens.append(Token(kind: .blockEnd, line: line))
                    return
                }
                if matches("-" + close, at: position) {
                    tokens.append(Token(kind: isBlock ? .blockEnd : .variableEnd, line: line))
                    finish(consumedUpTo: skipWhitespace(from: position + 3))
                    return
                }
                if matches(close, at: position) {
                    tokens.append(Token(kind: isBlock ? .blockEnd : .variableEnd, line: line))
                    finish(consumedUpTo: isBlock ? trimNewline(after: position + 2) : position + 2)
                    return
                }
            }
            let token = try lexExpressionToken()
            if case .op(let op) = token.kind {
                try balance(op, brackets: &brackets)
            }
            tokens.append(token)
        }
    }

    private func balance(_ op: String, brackets: inout [Unicode.Scalar]) throws(TemplateError) {
        switch op {
        case "(": brackets.append(")")
        case "[": brackets.append("]")
        case "{": brackets.append("}")
        case ")", "]", "}":
            guard let expected = brackets.popLast() else {
                throw .syntax(message: "unexpected '\(op)'", line: line)
            }
            guard String(expected) == op else {
                throw .syntax(message: "unexpected '\(op)', expected '\(expected)'", line: line)
            }
        default: break
        }
    }

    // MARK: - Cursor helpers

    private func matches(_ literal: String, at index: Int) -> Bool {
        var cursor = index
        for scalar in literal.unicodeScalars {
            guard cursor < source.count, source[cursor] == scalar else { return false }
            cursor += 1
        }
        return true
    }

    private func skipWhitespace(from index: Int) -> Int {
        var cursor = index
        while cursor < source.count && source[cursor].isPythonWhitespace { cursor += 1 }
        return cursor
    }

    /// trim_blocks: a block or comment tag swallows one newline right after it.
    private func trimNewline(after index: Int) -> Int {
        index < source.count && source[index] == "\n" ? index + 1 : index
    }

    /// Moves to `end`, counting lines and remembering whether the consumed text ended a line.
    private mutating func finish(consumedUpTo end: Int) {
        guard end > position else { return }
        line += source[position..<end].count { $0 == "\n" }
        lineStarting = source[end - 1] == "\n"
        position = end
    }

    /// Exposes the scalar at `index` to the expression lexer (nil past the end).
    func scalar(at index: Int) -> Unicode.Scalar? { index < source.count ? source[index] : nil }

    var cursor: Int {
        get { position }
        set { finish(consumedUpTo: newValue) }
    }

    var currentLine: Int { line }

    func text(from start: Int, to end: Int) -> String {
        String(String.UnicodeScalarView(source[start..<end]))
    }
}

// MARK: - Python whitespace

extension Unicode.Scalar {
    /// Python's `str.isspace()` (also what `\s` matches in Jinja's regular expressions).
    var isPythonWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
