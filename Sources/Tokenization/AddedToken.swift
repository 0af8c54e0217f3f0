// AddedToken.swift
// A token of tokenizer.json's `added_tokens` (or a GGUF control / user-defined token): matched in the text as a
// whole before normalization and BPE, with HF's `lstrip`, `rstrip`, `single_word` and `normalized` options.

/// A token that is split out of the text before the model sees it.
public struct AddedToken: Sendable, Equatable, Hashable {
    /// The token id.
    public var id: Int
    /// The exact text that stands for the token.
    public var content: String
    /// Special tokens (BOS, EOS, chat markers) are dropped by `decode(_:skipSpecialTokens: true)`.
    public var special: Bool
    /// Also swallow the whitespace on the left of a match.
    public var lstrip: Bool
    /// Also swallow the whitespace on the right of a match.
    public var rstrip: Bool
    /// Match in the normalized text (true) or in the raw text (false).
    public var normalized: Bool
    /// Only match when not touching a word character on either side.
    public var singleWord: Bool

    public init(
        id: Int, content: String, special: Bool, lstrip: Bool = false, rstrip: Bool = false,
        normalized: Bool = false, singleWord: Bool = false
    ) {
        self.id = id
        self.content = content
        self.special = special
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.singleWord = singleWord
    }
}

/// Finds added tokens in text: leftmost match, longest token at that position (HF's Aho-Corasick
/// `LeftmostLongest`), over a trie of Unicode scalars.
struct AddedTokenMatcher: Sendable {
    /// A piece of the text: either an added token or text between tokens.
    enum Segment: Sendable, Equatable {
        case token(Int32)
        case text(String, startsAtOrigin: Bool)
    }

    private struct Node: Sendable {
        var children: [UInt32: Int32] = [:]
        /// Index into `tokens` of the token ending here, or -1.
        var terminal: Int32 = -1
    }

    private var nodes: [Node] = [Node()]
    private var tokens: [AddedToken] = []

    /// - Parameter patterns: each token with the text to search for (its content, normalized when
    ///   `normalized` is set).
    init(_ patterns: [(token: AddedToken, pattern: String)]) {
        for (token, pattern) in patterns where !pattern.isEmpty {
            var node = 0
            for scalar in pattern.unicodeScalars {
                if let child = nodes[node].children[scalar.value] {
                    node = Int(child)
                } else {
                    nodes.append(Node())
                    nodes[node].children[scalar.value] = Int32(nodes.count - 1)
                    node = nodes.count - 1
                }
            }
            // A later token with the same text replaces an earlier one, as in HF's map by content.
            nodes[node].terminal = Int32(tokens.count)
            tokens.append(token)
        }
    }

    var isEmpty: Bool { tokens.isEmpty }

    // MARK: - Splitting

    /// Splits `text` into added tokens and the text around them (HF `AddedVocabulary::find_matches`).
    /// Empty text segments are dropped.
    func split(_ text: String, startsAtOrigin: Bool) -> [Segment] {
        guard !isEmpty, !text.isEmpty else { return text.isEmpty ? [] : [.text(text, startsAtOrigin: startsAtOrigin)] }
        let scalars = Array(text.unicodeScalars)
        var segments: [Segment] = []
        var textStart = 0  // HF's `start_offset`: where the pending text begins
        var position = 0
        func flushText(upTo end: Int) {
            guard end > textStart else { return }
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[textStart..<end])
            segments.append(.text(String(piece), startsAtOrigin: startsAtOrigin && textStart == 0))
        }
        while position < scalars.count {
            guard let (tokenIndex, matchEnd) = longestMatch(in: scalars, at: position) else {
                position += 1
                continue
            }
            let token = tokens[tokenIndex]
            var start = position
            var stop = matchEnd
            if token.singleWord {
                let wordBefore = start > 0 && scalars[start - 1].isRustWordCharacter
                let wordAfter = stop < scalars.count && scalars[stop].isRustWordCharacter
                if wordBefore || wordAfter {
                    position = matchEnd  // the search resumes after the rejected match
                    continue
                }
            }
            if token.lstrip {
                var newStart = start
                while newStart > 0 && scalars[newStart - 1].isWhiteSpaceProperty { newStart -= 1 }
                start = max(newStart, textStart)  // never eat text that an earlier token already claimed
            }
            if token.rstrip {
                while stop < scalars.count && scalars[stop].isWhiteSpaceProperty { stop += 1 }
            }
            flushText(upTo: start)
            segments.append(.token(Int32(clamping: token.id)))
            textStart = stop
            position = stop
        }
        flushText(upTo: scalars.count)
        return segments
    }

    /// The longest token starting at `position`: (index into `tokens`, end).
    private func longestMatch(in scalars: [Unicode.Scalar], at position: Int) -> (Int, Int)? {
        var node = 0
        var best: (Int, Int)?
        var index = position
        while index < scalars.count, let child = nodes[node].children[scalars[index].value] {
            node = Int(child)
            index += 1
            if nodes[node].terminal >= 0 { best = (Int(nodes[node].terminal), index) }
        }
        return best
    }
}
