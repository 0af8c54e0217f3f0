// Normalizer.swift
// HF `tokenizers` normalizers: rewrite each text segment (between added tokens) before pre-tokenization.
// Supported: Sequence, Prepend, Replace (string or regex), NFC/NFD/NFKC/NFKD, Lowercase, Strip.

import Foundation

/// A normalizer component of tokenizer.json.
indirect enum Normalizer: Sendable {
    case sequence([Normalizer])
    /// Prepends the string to non-empty text.
    case prepend(String)
    case replace(pattern: SplitPattern, content: String)
    case nfc
    case nfd
    case nfkc
    case nfkd
    case lowercase
    case strip(left: Bool, right: Bool)

    // MARK: - Applying

    func apply(_ text: String) -> String {
        switch self {
        case .sequence(let steps):
            return steps.reduce(text) { $1.apply($0) }
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        case .replace(let pattern, let content):
            return Self.replace(pattern, with: content, in: text)
        case .nfc:
            return text.precomposedStringWithCanonicalMapping
        case .nfd:
            return text.decomposedStringWithCanonicalMapping
        case .nfkc:
            return text.precomposedStringWithCompatibilityMapping
        case .nfkd:
            return text.decomposedStringWithCompatibilityMapping
        case .lowercase:
            return text.lowercased()
        case .strip(let left, let right):
            var scalars = Substring(text).unicodeScalars[...]
            if left { while let first = scalars.first, first.isWhiteSpaceProperty { scalars.removeFirst() } }
            if right { while let last = scalars.last, last.isWhiteSpaceProperty { scalars.removeLast() } }
            return String(String.UnicodeScalarView(scalars))
        }
    }

    /// Replaces every match of `pattern` (scalar-wise, never by grapheme cluster) with `content`.
    static func replace(_ pattern: SplitPattern, with content: String, in text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        let matches = pattern.matches(in: scalars)
        if matches.isEmpty { return text }
        var result = String.UnicodeScalarView()
        var last = 0
        for match in matches {
            result.append(contentsOf: scalars[last..<match.lowerBound])
            result.append(contentsOf: content.unicodeScalars)
            last = match.upperBound
        }
        result.append(contentsOf: scalars[last...])
        return String(result)
    }
}
