// UnicodeScalar+Classes.swift
// The character classes that tokenizer regexes and HF `tokenizers` use, defined as Oniguruma / Rust define them:
// \p{L}, \p{N}, \s (the Unicode White_Space property), \w, and Rust's `char::is_alphanumeric`.

extension Unicode.Scalar {
    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
    var isLetterCategory: Bool {
        if value < 0x80 {
            return (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}` and Rust's `char::is_numeric`: general category Nd, Nl or No.
    var isNumberCategory: Bool {
        if value < 0x80 { return value >= 0x30 && value <= 0x39 }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `\s` in Oniguruma's Unicode mode and Rust's `char::is_whitespace`: the White_Space property.
    var isWhiteSpaceProperty: Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return properties.isWhitespace
    }

    /// `\r` or `\n`.
    var isLineBreak: Bool { value == 0x0A || value == 0x0D }

    /// `\w` in Oniguruma's Unicode mode: letters, marks, decimal numbers and connector punctuation.
    var isWordCharacter: Bool {
        if value < 0x80 {
            return isLetterCategory || isNumberCategory || value == 0x5F
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }

    /// Rust's `c.is_alphanumeric() || c == '_'`, which `tokenizers` uses for `single_word` added tokens.
    var isRustWordCharacter: Bool {
        value == 0x5F || properties.isAlphabetic || isNumberCategory
    }
}
