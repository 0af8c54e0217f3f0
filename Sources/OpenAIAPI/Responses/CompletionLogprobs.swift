// `choices[i].logprobs` of `/v1/completions` (formats-and-api.md §A.4): four parallel lists, one entry per
// generated token; `top_logprobs` entries are `{token: logprob}` objects (JSON objects are unordered, and
// slora's encoder sorts keys, so rank is carried by the values only).

// MARK: - CompletionLogprobs

/// Legacy completions log-probabilities.
public struct CompletionLogprobs: Sendable, Equatable, Encodable {
    /// Character offset of each token in the choice's text (counted in Unicode scalars, as Python counts).
    public var textOffset: [Int]
    public var tokenLogprobs: [Double]
    public var tokens: [String]
    public var topLogprobs: [[TokenLogprob.Alternative]]

    /// Builds the lists for `entries`, the first starting at character `startOffset`.
    public init(entries: [TokenLogprob], startOffset: Int = 0) {
        var offset = startOffset
        textOffset = []
        tokenLogprobs = []
        tokens = []
        topLogprobs = []
        for entry in entries {
            textOffset.append(offset)
            offset += entry.token.unicodeScalars.count
            tokenLogprobs.append(TokenLogprob.finite(entry.logprob))
            tokens.append(entry.token)
            // With logprobs=0 the object still names the sampled token, as vLLM's does.
            topLogprobs.append(
                entry.top.isEmpty
                    ? [.init(token: entry.token, bytes: entry.bytes, logprob: entry.logprob)] : entry.top)
        }
    }

    enum CodingKeys: String, CodingKey {
        case textOffset = "text_offset"
        case tokenLogprobs = "token_logprobs"
        case tokens
        case topLogprobs = "top_logprobs"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(textOffset, forKey: .textOffset)
        try container.encode(tokenLogprobs, forKey: .tokenLogprobs)
        try container.encode(tokens, forKey: .tokens)
        var list = container.nestedUnkeyedContainer(forKey: .topLogprobs)
        for alternatives in topLogprobs {
            var object = list.nestedContainer(keyedBy: TokenKey.self)
            for alternative in alternatives {
                try object.encode(TokenLogprob.finite(alternative.logprob), forKey: TokenKey(alternative.token))
            }
        }
    }

    /// A coding key whose name is a token's text.
    struct TokenKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
