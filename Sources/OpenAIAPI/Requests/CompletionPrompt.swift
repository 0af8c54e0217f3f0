// The `prompt` field of `/v1/completions` as the client sent it: a string, a list of strings, a list of
// token ids, or a list of token-id lists (formats-and-api.md §A.2). Decoding keeps the shape; validation
// (``CompletionRequest/validated()``) accepts only a single prompt.

// MARK: - CompletionPrompt

/// The four JSON shapes OpenAI allows for a completion prompt.
public enum CompletionPrompt: Sendable, Equatable, Decodable {
    /// `"prompt": "text"`.
    case text(String)
    /// `"prompt": ["text", ...]`.
    case texts([String])
    /// `"prompt": [1, 2, 3]`.
    case tokenIDs([Int])
    /// `"prompt": [[1, 2], [3]]`.
    case tokenIDLists([[Int]])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let texts = try? container.decode([String].self) {
            self = .texts(texts)
        } else if let ids = try? container.decode([Int].self) {
            self = .tokenIDs(ids)
        } else if let lists = try? container.decode([[Int]].self) {
            self = .tokenIDLists(lists)
        } else {
            throw DecodingError.typeMismatch(
                CompletionPrompt.self,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected a string, an array of strings, an array of token ids "
                        + "or an array of token-id arrays"))
        }
    }
}
