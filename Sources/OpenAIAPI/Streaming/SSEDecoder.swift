// Splits a `text/event-stream` body into the `data` payloads of its events, following the WHATWG rules
// openai-python's decoder follows (formats-and-api.md §A.5): `:` lines are comments, several `data:` lines
// of one event are joined with "\n", a blank line dispatches. Used by tests and benchmark clients.

import Foundation

// MARK: - SSEDecoder

/// A complete-body SSE parser.
public struct SSEDecoder: Sendable {
    public init() {}

    /// The `data` payload of every event in `text`, in order. An unterminated final event is dropped, as a
    /// browser drops it.
    public func dataPayloads(in text: String) -> [String] {
        var payloads: [String] = []
        var dataLines: [String]? = nil
        // Lines end with CRLF, LF or CR.
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        // The text after the last newline is an incomplete line.
        lines.removeLast()
        for line in lines {
            if line.isEmpty {
                if let dataLines { payloads.append(dataLines.joined(separator: "\n")) }
                dataLines = nil
                continue
            }
            if line.hasPrefix(":") { continue }
            let field: Substring
            var value: Substring
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                value = line[line.index(after: colon)...]
                if value.hasPrefix(" ") { value = value.dropFirst() }
            } else {
                field = line
                value = ""
            }
            if field == "data" { dataLines = (dataLines ?? []) + [String(value)] }
        }
        return payloads
    }
}
