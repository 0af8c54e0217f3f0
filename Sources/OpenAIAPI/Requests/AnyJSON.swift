// A placeholder that accepts any JSON value and keeps nothing: used for request fields slora only checks
// for presence (`tools`, `logit_bias`, `tool_calls`), so their inner shape never causes a decoding error.

// MARK: - AnyJSON

/// Any JSON value, discarded on decode.
public struct AnyJSON: Sendable, Equatable, Decodable {
    public init() {}

    public init(from decoder: any Decoder) throws {}
}
