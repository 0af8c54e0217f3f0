// `/v1/completions` through the real router against FakeEngine: the non-streaming body and the SSE stream
// must have exactly the fields, nulls and framing of formats-and-api.md §A.4–§A.5 (the oracle), and the
// engine must receive the validated request.

import Foundation
import HTTPTypes
import HummingbirdTesting
import OpenAIAPI
import Server
import Testing

@Suite struct CompletionsRouteTests {
    /// Oracle: §A.4 completion shape (`text_completion`, null logprobs/stop_reason/system_fingerprint,
    /// usage totals) and §A.2 defaults (max_tokens 16, add_special_tokens true, omitted model = base).
    @Test func nonStreamingCompletionHasOpenAIShape() async throws {
        let server = TestServer()
        let response = try await server.run { client in
            try await client.post("/v1/completions", json: #"{"prompt": "Say hi", "temperature": 0}"#)
        }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/json")
        let body = response.json
        #expect((body["id"] as? String)?.hasPrefix("cmpl-") == true)
        #expect(body["object"] as? String == "text_completion")
        #expect(body["created"] is Int)
        #expect(body["model"] as? String == FakeEngine.baseName)
        #expect(isJSONNull(body["system_fingerprint"]))
        let choices = try #require(body["choices"] as? [[String: Any]])
        #expect(choices.count == 1)
        #expect(choices[0]["index"] as? Int == 0)
        #expect(choices[0]["text"] as? String == "Hello world")
        #expect(isJSONNull(choices[0]["logprobs"]))
        #expect(choices[0]["finish_reason"] as? String == "length")
        #expect(isJSONNull(choices[0]["stop_reason"]))
        let usage = try #require(body["usage"] as? [String: Int])
        #expect(usage == ["prompt_tokens": 6, "completion_tokens": 4, "total_tokens": 10])

        let submitted = try #require(server.engine.submitted.first)
        #expect(submitted.model == nil)
        #expect(submitted.prompt == .text("Say hi", addSpecialTokens: true))
        #expect(submitted.sampling == SamplingOptions(temperature: 0, maxTokens: 16))
    }

    /// Oracle: §A.5 framing (`data: <json>\n\n`, `[DONE]` last) and the completions chunk shape; the usage
    /// chunk has `"choices": []` when `stream_options.include_usage` is set; empty deltas are suppressed.
    @Test func streamingCompletionSendsChunksUsageAndDone() async throws {
        let server = TestServer()
        let response = try await server.run { client in
            try await client.post(
                "/v1/completions",
                json: #"{"prompt": [1, 2, 3], "stream": true, "stream_options": {"include_usage": true}}"#)
        }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/event-stream")
        #expect(response.text.hasPrefix("data: {"))
        #expect(response.text.hasSuffix("\n\ndata: [DONE]\n\n"))
        #expect(response.ssePayloads.last == "[DONE]")
        let events = response.sseEvents
        // 3 non-empty tokens, the finish chunk, the usage chunk.
        #expect(events.count == 5)
        let ids = Set(events.compactMap { $0["id"] as? String })
        #expect(ids.count == 1)
        #expect(events.allSatisfy { $0["object"] as? String == "text_completion" })
        let content = events.prefix(3).compactMap { ($0["choices"] as? [[String: Any]])?.first }
        #expect(content.compactMap { $0["text"] as? String } == ["Hel", "lo", " world"])
        #expect(content.allSatisfy { isJSONNull($0["finish_reason"]) && isJSONNull($0["logprobs"]) })
        let finish = try #require((events[3]["choices"] as? [[String: Any]])?.first)
        #expect(finish["text"] as? String == "")
        #expect(finish["finish_reason"] as? String == "length")
        #expect((events[4]["choices"] as? [Any])?.isEmpty == true)
        #expect(events[4]["usage"] as? [String: Int] == ["prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7])
        #expect(events.prefix(4).allSatisfy { $0["usage"] == nil })
        #expect(server.engine.submitted.first?.prompt == .tokenIDs([1, 2, 3]))
    }

    /// Oracle: §A.5 — without `stream_options` no usage chunk is sent.
    @Test func streamingWithoutStreamOptionsHasNoUsageChunk() async throws {
        let server = TestServer()
        let response = try await server.run { client in
            try await client.post("/v1/completions", json: #"{"prompt": "x", "stream": true}"#)
        }
        #expect(response.sseEvents.count == 4)
        #expect(response.sseEvents.allSatisfy { $0["usage"] == nil })
    }

    /// Oracle: §A.4 legacy logprobs lists (`text_offset` counts characters of the completion).
    @Test func completionLogprobsUseParallelLists() async throws {
        var script = FakeEngine.Script()
        script.tokens = [
            GeneratedToken(id: 7, text: "Hé", logprob: TokenLogprob(token: "Hé", bytes: [72, 195, 169], logprob: -0.5, top: [
                .init(token: "Hé", bytes: [72, 195, 169], logprob: -0.5), .init(token: "Hi", bytes: [72, 105], logprob: -1.5),
            ])),
            GeneratedToken(id: 8, text: "!", logprob: TokenLogprob(token: "!", bytes: [33], logprob: -.infinity)),
        ]
        script.finishReason = .stop
        script.stopReason = .tokenID(2)
        let server = TestServer(engine: FakeEngine(script: script))
        let response = try await server.run { client in
            try await client.post("/v1/completions", json: #"{"prompt": "x", "logprobs": 2}"#)
        }
        let choice = try #require((response.json["choices"] as? [[String: Any]])?.first)
        let logprobs = try #require(choice["logprobs"] as? [String: Any])
        #expect(logprobs["tokens"] as? [String] == ["Hé", "!"])
        #expect(logprobs["text_offset"] as? [Int] == [0, 2])
        #expect(logprobs["token_logprobs"] as? [Double] == [-0.5, -9999])
        let top = try #require(logprobs["top_logprobs"] as? [[String: Double]])
        #expect(top == [["Hé": -0.5, "Hi": -1.5], ["!": -9999]])
        #expect(choice["finish_reason"] as? String == "stop")
        #expect(choice["stop_reason"] as? Int == 2)
        #expect(server.engine.submitted.first?.sampling.logprobs == 2)
    }

    /// Oracle: §A.4 — `model` echoes the adapter name and the engine is asked for that adapter (§A.8).
    @Test func adapterRequestEchoesAdapterName() async throws {
        let server = TestServer()
        let response = try await server.run { client in
            try await client.post("/v1/completions", json: #"{"model": "sql", "prompt": "select"}"#)
        }
        #expect(response.status == .ok)
        #expect(response.json["model"] as? String == "sql")
        #expect(server.engine.submitted.first?.model == "sql")
    }

    /// Oracle: vLLM builds ids as `cmpl-<X-Request-Id>` and the server echoes the header.
    @Test func clientRequestIDNamesTheCompletion() async throws {
        let server = TestServer()
        let response = try await server.run { client in
            try await client.post("/v1/completions", json: #"{"prompt": "x"}"#, headers: [.xRequestIDTest: "abc-123"])
        }
        #expect(response.headers[.xRequestIDTest] == "abc-123")
        #expect(response.json["id"] as? String == "cmpl-abc-123")
        #expect(server.engine.submitted.first?.id == "abc-123")
    }
}

extension HTTPField.Name {
    static let xRequestIDTest = HTTPField.Name("x-request-id")!
    static let xShouldRetryTest = HTTPField.Name("x-should-retry")!
}
