// The `stop` field: OpenAI accepts one string or a list of strings (formats-and-api.md §A.2).

// MARK: - StopSequences

/// `"stop": "###"` or `"stop": ["###", "\n\n"]`, normalised to a list.
public struct StopSequences: Sendable, Equatable, Decodable {
    /// The stop strings in the order given.
    public var values: [String]

    public init(_ values: [String]) {
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            values = [single]
        } else {
            values = try container.decode([String].self)
        }
    }
}
