// `choices[i].logprobs` of `/v1/chat/completions` (formats-and-api.md §A.4):
// `{"content": [{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}]}`.

// MARK: - ChatLogprobs

/// Chat log-probabilities, one `content` entry per generated token.
public struct ChatLogprobs: Sendable, Equatable, Encodable {
    public var content: [TokenLogprob]

    public init(content: [TokenLogprob]) {
        self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case content
    }

    enum EntryKeys: String, CodingKey {
        case token, logprob, bytes
        case topLogprobs = "top_logprobs"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var list = container.nestedUnkeyedContainer(forKey: .content)
        for entry in content {
            var object = list.nestedContainer(keyedBy: EntryKeys.self)
            try object.encode(entry.token, forKey: .token)
            try object.encode(TokenLogprob.finite(entry.logprob), forKey: .logprob)
            try object.encode(entry.bytes.map(Int.init), forKey: .bytes)
            var top = object.nestedUnkeyedContainer(forKey: .topLogprobs)
            for alternative in entry.top {
                var item = top.nestedContainer(keyedBy: EntryKeys.self)
                try item.encode(alternative.token, forKey: .token)
                try item.encode(TokenLogprob.finite(alternative.logprob), forKey: .logprob)
                try item.encode(alternative.bytes.map(Int.init), forKey: .bytes)
            }
        }
    }
}
