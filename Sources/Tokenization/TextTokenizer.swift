// TextTokenizer.swift
// The tokenizer interface the engine and server use: text <-> token ids plus the special ids generation needs.
// `BPETokenizer` implements it for tokenizer.json files and GGUF vocabularies.

/// Converts between text and token ids.
///
/// ```swift
/// let tokenizer = try BPETokenizer(directory: modelFolder)
/// let ids = tokenizer.encode("Hello", addSpecialTokens: true)   // [bos, ...] when the model adds a BOS
/// let text = tokenizer.decode(ids, skipSpecialTokens: true)     // "Hello"
/// ```
public protocol TextTokenizer: Sendable {
    /// The ids of `text`. `addSpecialTokens` adds what the tokenizer adds around a sequence (BOS / EOS);
    /// special tokens written inside `text` (e.g. `<|im_start|>`) are always recognised.
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int]
    /// The text of `ids`; unknown ids are skipped. `skipSpecialTokens` drops special added tokens.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
    /// The beginning-of-sequence token, if the model has one.
    var bosTokenID: Int? { get }
    /// Tokens that end generation (EOS, end-of-turn), most important first.
    var eosTokenIDs: [Int] { get }
    /// One more than the largest token id (model vocabulary and added tokens).
    var vocabularySize: Int { get }
    /// The id of a token given its exact vocabulary text (byte-level text for byte-level models).
    func tokenID(for token: String) -> Int?
    /// The vocabulary text of a token id.
    func token(for id: Int) -> String?
}
