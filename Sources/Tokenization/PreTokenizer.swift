// PreTokenizer.swift
// HF `tokenizers` pre-tokenizers: split normalized text into words before the model runs. Supported:
// Sequence, ByteLevel, Split, Digits, Metaspace, Whitespace, WhitespaceSplit, each with HF's exact semantics.

/// A piece of text on its way to the model.
struct PreToken: Sendable, Equatable {
    var text: String
    /// Whether the piece starts at offset 0 of the caller's text (Metaspace `prepend_scheme: "first"`).
    var startsAtOrigin: Bool
}

/// How a Split keeps its delimiters (HF `SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

/// When Metaspace puts a `▁` in front of a piece.
enum PrependScheme: String, Sendable {
    case always
    case first
    case never
}

/// A pre-tokenizer component of tokenizer.json.
indirect enum PreTokenizer: Sendable {
    case sequence([PreTokenizer])
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(pattern: SplitPattern, behavior: SplitBehavior, invert: Bool)
    case digits(individual: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme, split: Bool)
    /// `\w+|[^\w\s]+`; everything else dropped.
    case whitespace
    /// Split on whitespace, dropping it.
    case whitespaceSplit

    // MARK: - Applying

    func apply(_ pieces: [PreToken]) -> [PreToken] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(pieces) { $1.apply($0) }
        case .byteLevel(let addPrefixSpace, let useRegex):
            return pieces.flatMap { piece -> [PreToken] in
                var piece = piece
                if addPrefixSpace && !piece.text.hasPrefix(" ") { piece.text = " " + piece.text }
                let parts = useRegex
                    ? Self.split(piece, pattern: .known(.gpt2), behavior: .isolated, invert: false) : [piece]
                return parts.map { PreToken(text: ByteLevelAlphabet.encode($0.text[...]), startsAtOrigin: $0.startsAtOrigin) }
            }
        case .split(let pattern, let behavior, let invert):
            return pieces.flatMap { Self.split($0, pattern: pattern, behavior: behavior, invert: invert) }
        case .digits(let individual):
            return pieces.flatMap { piece in
                Self.split(piece, matches: Self.classMatches(piece.text) { $0.isNumberCategory },
                           behavior: individual ? .isolated : .contiguous, invert: false)
            }
        case .metaspace(let replacement, let prependScheme, let split):
            return pieces.flatMap { piece -> [PreToken] in
                var scalars = String.UnicodeScalarView()
                for scalar in piece.text.unicodeScalars { scalars.append(scalar == " " ? replacement : scalar) }
                let startsWithReplacement = scalars.first == replacement
                let prepend: Bool
                switch prependScheme {
                case .always: prepend = !startsWithReplacement
                case .first: prepend = !startsWithReplacement && piece.startsAtOrigin
                case .never: prepend = false
                }
                if prepend { scalars.insert(replacement, at: scalars.startIndex) }
                let replaced = PreToken(text: String(scalars), startsAtOrigin: piece.startsAtOrigin)
                guard split else { return [replaced] }
                return Self.split(replaced, pattern: .literal([replacement]), behavior: .mergedWithNext, invert: false)
            }
        case .whitespace:
            return pieces.flatMap { piece -> [PreToken] in
                let scalars = Array(piece.text.unicodeScalars)
                var matches: [Range<Int>] = []
                var index = 0
                while index < scalars.count {
                    let c = scalars[index]
                    if c.isWhiteSpaceProperty {
                        index += 1
                        continue
                    }
                    let isWord = c.isWordCharacter
                    var end = index + 1
                    while end < scalars.count && !scalars[end].isWhiteSpaceProperty
                        && scalars[end].isWordCharacter == isWord
                    {
                        end += 1
                    }
                    matches.append(index..<end)
                    index = end
                }
                return Self.split(piece, scalars: scalars, matches: matches, behavior: .removed, invert: true)
            }
        case .whitespaceSplit:
            return pieces.flatMap { piece in
                Self.split(piece, matches: Self.classMatches(piece.text) { $0.isWhiteSpaceProperty },
                           behavior: .removed, invert: false)
            }
        }
    }

    // MARK: - Splitting

    static func split(_ piece: PreToken, pattern: SplitPattern, behavior: SplitBehavior, invert: Bool) -> [PreToken] {
        let scalars = Array(piece.text.unicodeScalars)
        return split(piece, scalars: scalars, matches: pattern.matches(in: scalars), behavior: behavior, invert: invert)
    }

    private static func split(
        _ piece: PreToken, matches: (scalars: [Unicode.Scalar], ranges: [Range<Int>]), behavior: SplitBehavior,
        invert: Bool
    ) -> [PreToken] {
        split(piece, scalars: matches.scalars, matches: matches.ranges, behavior: behavior, invert: invert)
    }

    /// One match per scalar of the class (HF's `Fn(char) -> bool` patterns).
    private static func classMatches(
        _ text: String, _ predicate: (Unicode.Scalar) -> Bool
    ) -> (scalars: [Unicode.Scalar], ranges: [Range<Int>]) {
        let scalars = Array(text.unicodeScalars)
        var ranges: [Range<Int>] = []
        for (index, scalar) in scalars.enumerated() where predicate(scalar) { ranges.append(index..<(index + 1)) }
        return (scalars, ranges)
    }

    /// HF `NormalizedString::split`: matches and the gaps between them, flagged, then merged per `behavior`.
    static func split(
        _ piece: PreToken, scalars: [Unicode.Scalar], matches: [Range<Int>], behavior: SplitBehavior, invert: Bool
    ) -> [PreToken] {
        if scalars.isEmpty { return [] }
        // Every scalar covered: (range, isMatch).
        var parts: [(range: Range<Int>, isMatch: Bool)] = []
        var last = 0
        for match in matches {
            if match.lowerBound > last { parts.append((last..<match.lowerBound, invert)) }
            parts.append((match, !invert))
            last = match.upperBound
        }
        if last < scalars.count { parts.append((last..<scalars.count, invert)) }

        var kept: [Range<Int>] = []
        switch behavior {
        case .removed:
            kept = parts.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            kept = parts.map(\.range)
        case .mergedWithPrevious:
            var previousMatch = false
            for part in parts {
                if part.isMatch && !previousMatch, let lastRange = kept.last {
                    kept[kept.count - 1] = lastRange.lowerBound..<part.range.upperBound
                } else {
                    kept.append(part.range)
                }
                previousMatch = part.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            var reversed: [Range<Int>] = []
            for part in parts.reversed() {
                if part.isMatch && !previousMatch, let lastRange = reversed.last {
                    reversed[reversed.count - 1] = part.range.lowerBound..<lastRange.upperBound
                } else {
                    reversed.append(part.range)
                }
                previousMatch = part.isMatch
            }
            kept = reversed.reversed()
        case .contiguous:
            var previousMatch = false
            for part in parts {
                if part.isMatch == previousMatch, let lastRange = kept.last {
                    kept[kept.count - 1] = lastRange.lowerBound..<part.range.upperBound
                } else {
                    kept.append(part.range)
                }
                previousMatch = part.isMatch
            }
        }
        return kept.compactMap { range in
            guard !range.isEmpty else { return nil }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars[range])
            return PreToken(text: String(text), startsAtOrigin: piece.startsAtOrigin && range.lowerBound == 0)
        }
    }
}
