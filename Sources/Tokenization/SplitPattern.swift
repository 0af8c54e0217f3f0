// SplitPattern.swift
// What a Split pre-tokenizer or Replace normalizer/decoder searches for: a literal string, one of the known
// LLM pre-tokenizer regexes (GPT-2, Llama-3, Qwen2) matched by hand-written code, or any other regex through
// NSRegularExpression. Matches are ranges of Unicode scalar indices.

import Foundation

/// A pattern matched over an array of Unicode scalars.
enum SplitPattern: Sendable {
    /// A literal string (`{"String": ...}` in tokenizer.json).
    case literal([Unicode.Scalar])
    /// A regex with a hand-written matcher.
    case known(KnownRegex)
    /// Any other regex, through Foundation (ICU).
    case regex(CompiledRegex)

    /// The regexes that LLM tokenizers ship, matched by hand for speed and exact Oniguruma semantics.
    enum KnownRegex: Sendable, Equatable {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (ByteLevel's regex).
        case gpt2
        /// Llama-3 / cl100k: case-insensitive contractions, `\p{N}{1,3}`, newline-aware whitespace.
        case llama3
        /// Qwen2: Llama-3's pattern with single digits (`\p{N}`).
        case qwen2
    }

    static let gpt2Source = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Source =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Source =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// A regex pattern: one of the known ones when the source matches exactly, else compiled by Foundation.
    /// Returns nil when Foundation cannot compile it.
    static func regex(_ source: String, preferHandWritten: Bool = true) -> SplitPattern? {
        if preferHandWritten {
            switch source {
            case gpt2Source: return .known(.gpt2)
            case llama3Source: return .known(.llama3)
            case qwen2Source: return .known(.qwen2)
            default: break
            }
        }
        guard let compiled = CompiledRegex(source) else { return nil }
        return .regex(compiled)
    }

    // MARK: - Matching

    /// Non-overlapping, non-empty matches from left to right.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .literal(let needle):
            return Self.literalMatches(of: needle, in: text)
        case .known(let known):
            var result: [Range<Int>] = []
            var position = 0
            while position < text.count {
                let end = known.matchEnd(in: text, at: position)
                result.append(position..<end)
                position = end
            }
            return result
        case .regex(let compiled):
            return compiled.matches(in: text)
        }
    }

    private static func literalMatches(of needle: [Unicode.Scalar], in text: [Unicode.Scalar]) -> [Range<Int>] {
        guard !needle.isEmpty, text.count >= needle.count else { return [] }
        var result: [Range<Int>] = []
        var position = 0
        while position + needle.count <= text.count {
            if text[position] == needle[0] && text[position..<(position + needle.count)].elementsEqual(needle) {
                result.append(position..<(position + needle.count))
                position += needle.count
            } else {
                position += 1
            }
        }
        return result
    }
}

// MARK: - Hand-written regexes

extension SplitPattern.KnownRegex {
    /// The end of the match that starts at `start` (these patterns match at every position: every scalar is a
    /// letter, number, whitespace or "other", and each class has an alternative).
    func matchEnd(in s: [Unicode.Scalar], at start: Int) -> Int {
        let n = s.count
        let first = s[start]
        // Contractions.
        if first == "'" && start + 1 < n {
            if let end = contractionEnd(in: s, at: start, caseInsensitive: self != .gpt2) { return end }
        }
        switch self {
        case .gpt2:
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
            let body = (first == " " && start + 1 < n) ? start + 1 : start
            let c = s[body]
            if c.isLetterCategory { return run(in: s, from: body) { $0.isLetterCategory } }
            if c.isNumberCategory { return run(in: s, from: body) { $0.isNumberCategory } }
            if Self.isOther(c) { return run(in: s, from: body, while: Self.isOther) }
            return whitespaceEnd(in: s, at: start, newlineAware: false)
        case .llama3, .qwen2:
            // `[^\r\n\p{L}\p{N}]?\p{L}+`
            if first.isLetterCategory { return run(in: s, from: start) { $0.isLetterCategory } }
            if !first.isLineBreak && !first.isNumberCategory && start + 1 < n && s[start + 1].isLetterCategory {
                return run(in: s, from: start + 1) { $0.isLetterCategory }
            }
            // `\p{N}{1,3}` or `\p{N}`
            if first.isNumberCategory {
                let limit = self == .llama3 ? 3 : 1
                var end = start + 1
                while end < n && end - start < limit && s[end].isNumberCategory { end += 1 }
                return end
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            let body = (first == " " && start + 1 < n) ? start + 1 : start
            if Self.isOther(s[body]) {
                let end = run(in: s, from: body, while: Self.isOther)
                return run(in: s, from: end) { $0.isLineBreak }
            }
            return whitespaceEnd(in: s, at: start, newlineAware: true)
        }
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, optionally case-insensitive (Oniguruma folds U+017F to s and U+212A to k).
    private func contractionEnd(in s: [Unicode.Scalar], at start: Int, caseInsensitive: Bool) -> Int? {
        func folded(_ index: Int) -> Unicode.Scalar? {
            guard index < s.count else { return nil }
            let c = s[index]
            guard caseInsensitive else { return c }
            if c.value >= 0x41 && c.value <= 0x5A { return Unicode.Scalar(c.value + 0x20) }
            if c == "\u{017F}" { return "s" }
            return c
        }
        switch folded(start + 1) {
        case "s", "t", "m", "d":
            return start + 2
        case "r", "v":
            return folded(start + 2) == "e" ? start + 3 : nil
        case "l":
            return folded(start + 2) == "l" ? start + 3 : nil
        default:
            return nil
        }
    }

    /// The whitespace alternatives at a whitespace scalar: `\s*[\r\n]+` (newline-aware patterns only), then
    /// `\s+(?!\S)`, then `\s+`.
    private func whitespaceEnd(in s: [Unicode.Scalar], at start: Int, newlineAware: Bool) -> Int {
        let end = run(in: s, from: start) { $0.isWhiteSpaceProperty }
        guard end > start else { return start + 1 }  // unreachable: every scalar falls in some class
        if newlineAware {
            // Greedy `\s*` backs off to the last line break of the run; `[\r\n]+` then ends right after it.
            var index = end - 1
            while index >= start {
                if s[index].isLineBreak { return index + 1 }
                index -= 1
            }
        }
        if end == s.count { return end }
        // Followed by a non-space: `\s+(?!\S)` leaves the last whitespace, unless that leaves nothing.
        return end - 1 > start ? end - 1 : end
    }

    private func run(in s: [Unicode.Scalar], from start: Int, while predicate: (Unicode.Scalar) -> Bool) -> Int {
        var end = start
        while end < s.count && predicate(s[end]) { end += 1 }
        return end
    }

    /// `[^\s\p{L}\p{N}]`
    private static func isOther(_ c: Unicode.Scalar) -> Bool {
        !c.isWhiteSpaceProperty && !c.isLetterCategory && !c.isNumberCategory
    }
}

// MARK: - Foundation regexes

/// An `NSRegularExpression` that is safe to share: it is immutable after creation.
final class CompiledRegex: @unchecked Sendable {
    let source: String
    private let expression: NSRegularExpression

    init?(_ source: String) {
        guard let expression = try? NSRegularExpression(pattern: source, options: []) else { return nil }
        self.source = source
        self.expression = expression
    }

    /// Non-empty matches as scalar index ranges.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var string = String.UnicodeScalarView()
        string.append(contentsOf: text)
        let swiftString = String(string)
        // UTF-16 offset -> scalar index.
        var scalarIndexAtUTF16: [Int] = []
        scalarIndexAtUTF16.reserveCapacity(swiftString.utf16.count + 1)
        for (index, scalar) in text.enumerated() {
            scalarIndexAtUTF16.append(index)
            if scalar.value > 0xFFFF { scalarIndexAtUTF16.append(index) }
        }
        scalarIndexAtUTF16.append(text.count)
        let whole = NSRange(location: 0, length: swiftString.utf16.count)
        return expression.matches(in: swiftString, options: [], range: whole).compactMap { match in
            let range = match.range
            guard range.location != NSNotFound, range.length > 0,
                range.location + range.length < scalarIndexAtUTF16.count
            else { return nil }
            return scalarIndexAtUTF16[range.location]..<scalarIndexAtUTF16[range.location + range.length]
        }
    }
}
