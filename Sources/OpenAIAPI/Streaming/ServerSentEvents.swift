// Server-sent-event framing of OpenAI streams (formats-and-api.md §A.5): each event is exactly
// `data: <json>\n\n` (no `event:` or `id:` lines) and the stream always ends with `data: [DONE]\n\n`,
// also after an error event.

import Foundation

// MARK: - ServerSentEvents

/// Encodes stream events as bytes.
public struct ServerSentEvents: Sendable {
    /// The terminator every stream ends with.
    public static let done = Data("data: [DONE]\n\n".utf8)

    public init() {}

    /// `data: <json>\n\n` for `value`, encoded by ``jsonEncoder()``. JSON never contains a raw newline, so
    /// one `data:` line always carries the whole event.
    public func event(_ value: some Encodable) throws -> Data {
        var data = Data("data: ".utf8)
        data.append(try Self.jsonEncoder().encode(value))
        data.append(contentsOf: [0x0A, 0x0A])
        return data
    }

    /// The JSON encoder used for every response body and event: sorted keys (Foundation's key order is
    /// otherwise random per encoding), unescaped slashes.
    public static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
