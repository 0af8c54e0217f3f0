// StreamingDetokenizer.swift
// Turns generated token ids into text one id at a time, emitting only complete characters: a byte-level or
// `<0xNN>` token may end inside a UTF-8 sequence, so text is held back while the decode of the pending ids
// ends in U+FFFD. Works like vLLM's prefix/read offsets: the last emitted ids are decoded again as context,
// so a decoder's leading-space strip (SentencePiece) is applied the same way as in a full decode.

/// Incremental detokenizer for one generated sequence.
///
/// ```swift
/// var stream = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: true)
/// for id in generatedIDs { send(stream.append(id)) }
/// send(stream.finish())
/// ```
/// The concatenation of everything returned equals `tokenizer.decode(allIDs, skipSpecialTokens:)`.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: any TextTokenizer
    private let skipSpecialTokens: Bool
    /// The ids emitted in the last step (context) followed by the pending ones; `ids[..<readOffset]` are the
    /// context, whose text was already returned.
    private var ids: [Int] = []
    private var readOffset = 0

    public init(tokenizer: any TextTokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds one id; returns the text that became complete (often empty while a character is split).
    public mutating func append(_ id: Int) -> String {
        ids.append(id)
        return emit(final: false)
    }

    /// Returns whatever is still held back (e.g. a truly invalid byte sequence, shown as U+FFFD).
    public mutating func finish() -> String {
        emit(final: true)
    }

    private mutating func emit(final: Bool) -> String {
        let prefixText = tokenizer.decode(Array(ids[..<readOffset]), skipSpecialTokens: skipSpecialTokens)
        let fullText = tokenizer.decode(ids, skipSpecialTokens: skipSpecialTokens)
        let prefixScalars = prefixText.unicodeScalars.count
        let fullScalars = fullText.unicodeScalars
        guard fullScalars.count > prefixScalars else { return "" }
        if !final && fullScalars.last == "\u{FFFD}" { return "" }
        let newText = String(String.UnicodeScalarView(fullScalars.dropFirst(prefixScalars)))
        // The ids just read become the context of the next step.
        ids.removeFirst(readOffset)
        readOffset = ids.count
        return newText
    }
}
