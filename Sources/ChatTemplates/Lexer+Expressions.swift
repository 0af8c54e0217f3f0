// The expression half of the lexer: names, numbers, string literals (Python `unicode-escape` rules,
// as Jinja decodes them) and operators inside `{{ }}` and `{% %}`.

// MARK: - Expression tokens

extension Lexer {
    /// Longest operators first, as Jinja's operator regex is sorted by length.
    private static let operators: [String] = [
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ]

    /// Lexes one token at the cursor (whitespace already skipped).
    mutating func lexExpressionToken() throws(TemplateError) -> Token {
        let start = cursor
        let line = currentLine
        guard let first = scalar(at: start) else {
            throw .syntax(message: "unexpected end of template", line: line)
        }
        if first == "_" || first.properties.isAlphabetic {
            var end = start + 1
            while let next = scalar(at: end), next == "_" || next.properties.isAlphabetic || next.isDigit { end += 1 }
            cursor = end
            return Token(kind: .name(text(from: start, to: end)), line: line)
        }
        if first.isDigit {
            // Jinja's float rule has `(?<!\.)`: after a dot (`items.0`) only an integer is read.
            return try lexNumber(line: line, allowFloat: !(start > 0 && scalar(at: start - 1) == "."))
        }
        if first == "'" || first == "\"" {
            return try lexString(quote: first, line: line)
        }
        for op in Self.operators where matchesOperator(op, at: start) {
            cursor = start + op.unicodeScalars.count
            return Token(kind: .op(op), line: line)
        }
        throw .syntax(message: "unexpected char '\(Character(first))'", line: line)
    }

    private func matchesOperator(_ op: String, at index: Int) -> Bool {
        var cursor = index
        for scalar in op.unicodeScalars {
            guard self.scalar(at: cursor) == scalar else { return false }
            cursor += 1
        }
        return true
    }

    // MARK: - Numbers

    /// Integers (decimal, `0x`, `0o`, `0b`, `_` separators) and floats (`1.5`, `2e3`, `1.5e-3`).
    private mutating func lexNumber(line: Int, allowFloat: Bool) throws(TemplateError) -> Token {
        let start = cursor
        if scalar(at: start) == "0", let marker = scalar(at: start + 1), let radix = Self.radix(marker) {
            var end = start + 2
            var digits = ""
            while let next = scalar(at: end), next == "_" || Int(String(next), radix: radix) != nil {
                if next != "_" { digits.unicodeScalars.append(next) }
                end += 1
            }
            guard let value = Int(digits, radix: radix) else {
                throw .syntax(message: "invalid integer literal", line: line)
            }
            cursor = end
            return Token(kind: .integer(value), line: line)
        }
        var end = scanDigits(from: start)
        var isFloat = false
        if allowFloat, scalar(at: end) == ".", let next = scalar(at: end + 1), next.isDigit {
            end = scanDigits(from: end + 1)
            isFloat = true
        }
        if allowFloat, let marker = scalar(at: end), marker == "e" || marker == "E" {
            var exponent = end + 1
            if let sign = scalar(at: exponent), sign == "+" || sign == "-" { exponent += 1 }
            if let digit = scalar(at: exponent), digit.isDigit {
                end = scanDigits(from: exponent)
                isFloat = true
            }
        }
        let literal = text(from: start, to: end).filter { $0 != "_" }
        cursor = end
        if isFloat {
            guard let value = Double(literal) else { throw .syntax(message: "invalid float literal", line: line) }
            return Token(kind: .float(value), line: line)
        }
        guard let value = Int(literal) else {
            throw .syntax(message: "integer literal \(literal) is too large", line: line)
        }
        return Token(kind: .integer(value), line: line)
    }

    private static func radix(_ marker: Unicode.Scalar) -> Int? {
        switch marker {
        case "x", "X": return 16
        case "o", "O": return 8
        case "b", "B": return 2
        default: return nil
        }
    }

    private func scanDigits(from index: Int) -> Int {
        var end = index
        while let next = scalar(at: end), next.isDigit || (next == "_" && scalar(at: end + 1)?.isDigit == true) {
            end += 1
        }
        return end
    }

    // MARK: - Strings

    private mutating func lexString(quote: Unicode.Scalar, line: Int) throws(TemplateError) -> Token {
        var index = cursor + 1
        var value = String.UnicodeScalarView()
        while let current = scalar(at: index) {
            if current == quote {
                cursor = index + 1
                return Token(kind: .string(String(value)), line: line)
            }
            if current == "\\" {
                guard scalar(at: index + 1) != nil else { break }
                index = try decodeEscape(at: index, into: &value, line: line)
                continue
            }
            value.append(current)
            index += 1
        }
        throw .syntax(message: "unexpected end of string literal", line: line)
    }

    /// Decodes the escape at `index` (a backslash) into `value`; returns the index after it.
    private func decodeEscape(
        at index: Int, into value: inout String.UnicodeScalarView, line: Int
    ) throws(TemplateError) -> Int {
        guard let marker = scalar(at: index + 1) else { return index + 1 }
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "\\": "\\", "'": "'", "\"": "\"", "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n",
            "r": "\r", "t": "\t", "v": "\u{0B}",
        ]
        if marker == "\n" { return index + 2 }  // backslash-newline continues the line
        if let replacement = simple[marker] {
            value.append(replacement)
            return index + 2
        }
        if let octal = Int(String(marker), radix: 8) {
            var code = octal
            var end = index + 2
            while end < index + 4, let next = scalar(at: end), let digit = Int(String(next), radix: 8) {
                code = code * 8 + digit
                end += 1
            }
            value.append(Unicode.Scalar(UInt32(code)) ?? "\u{FFFD}")
            return end
        }
        let hexLength: Int? = marker == "x" ? 2 : marker == "u" ? 4 : marker == "U" ? 8 : nil
        if let hexLength {
            let end = index + 2 + hexLength
            var hex = ""
            for offset in (index + 2)..<end {
                guard let digit = scalar(at: offset), digit.properties.isASCIIHexDigit else {
                    throw .syntax(message: "truncated \\\(marker) escape in string literal", line: line)
                }
                hex.unicodeScalars.append(digit)
            }
            guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                throw .syntax(message: "illegal Unicode character in string literal", line: line)
            }
            value.append(decoded)
            return end
        }
        if marker == "N" {
            throw .unsupported(construct: "\\N{...} escape in a string literal", line: line)
        }
        // Python keeps unknown escapes verbatim.
        value.append("\\")
        return index + 1
    }
}

extension Unicode.Scalar {
    var isDigit: Bool { ("0"..."9").contains(self) }
}
