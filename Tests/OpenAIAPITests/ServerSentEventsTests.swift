// SSE framing and parsing. Oracle: formats-and-api.md §A.5 (`data: <json>\n\n`, `data: [DONE]\n\n`) and
// the WHATWG event-stream rules openai-python follows (comments ignored, multi-line data joined with
// "\n", blank line dispatches, CRLF accepted).

import Foundation
import OpenAIAPI
import Testing

@Suite struct ServerSentEventsTests {
    /// Oracle: §A.5 item 1 — exactly one `data:` line and a blank line per event; no escaped slashes.
    @Test func framesEvents() throws {
        let event = try ServerSentEvents().event(ErrorResponse(message: "a/b", type: "t", code: "c"))
        let text = String(decoding: event, as: UTF8.self)
        #expect(text.hasPrefix("data: {"))
        #expect(text.hasSuffix("}\n\n"))
        #expect(text.filter { $0 == "\n" }.count == 2)
        #expect(text.contains("a/b"))
        #expect(String(decoding: ServerSentEvents.done, as: UTF8.self) == "data: [DONE]\n\n")
    }

    /// Oracle: WHATWG parsing rules.
    @Test func decodesPayloads() {
        let text = ": comment\ndata: one\n\ndata: two\ndata: lines\n\nevent: x\ndata:three\r\n\r\ndata: [DONE]\n\ndata: partial"
        #expect(SSEDecoder().dataPayloads(in: text) == ["one", "two\nlines", "three", "[DONE]"])
    }

    /// Oracle: round trip — what the encoder frames, the decoder returns unchanged.
    @Test func roundTrips() throws {
        let chunk = ChatCompletionChunk(id: "c", created: 1, model: "m", choices: [.init(content: "line1\nline2")])
        var stream = try ServerSentEvents().event(chunk)
        stream.append(ServerSentEvents.done)
        let payloads = SSEDecoder().dataPayloads(in: String(decoding: stream, as: UTF8.self))
        #expect(payloads.count == 2)
        #expect(payloads[0] == String(decoding: try ServerSentEvents.jsonEncoder().encode(chunk), as: UTF8.self))
        #expect(payloads[1] == "[DONE]")
    }
}
