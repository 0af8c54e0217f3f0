// `stream_options` of both generation endpoints (formats-and-api.md §A.5 item 5).

// MARK: - StreamOptions

/// `{"include_usage": true}`. As in vLLM, `include_usage` defaults to true once `stream_options` is present.
public struct StreamOptions: Sendable, Equatable, Decodable {
    /// Whether a final chunk with `"choices": []` and the usage totals is sent before `[DONE]`.
    public var includeUsage: Bool?

    public init(includeUsage: Bool?) {
        self.includeUsage = includeUsage
    }

    enum CodingKeys: String, CodingKey {
        case includeUsage = "include_usage"
    }
}
