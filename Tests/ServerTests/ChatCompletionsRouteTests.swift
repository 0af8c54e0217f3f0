// `/v1/chat/completions` through the real router against FakeEngine; oracle: the chat shapes of
// formats-and-api.md §A.4 (message object) and §A.5 (role chunk first, content deltas, final empty delta
// with finish_reason, `choices: []` usage chunk, `[DONE]`).

import Foundation
import HummingbirdTesting
import OpenAIAPI
import Server
import Testing

@Suite struct ChatCompletionsRouteTests {
    static let body = #"""
        {"model": "sql", "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "there"}]}],
         "max_completion_tokens": 20, "top_k": -1, "stop": "###", "user": "u1", "unknown_field": 1}
        """#

    /// Oracle: §A.4 chat shape; §A.3 content parts joined with "\n", add_generation_prompt default true,
    /// top_k -1 = disabled, unknown fields ignored.
    @Test func nonStreamingChatHasOpenAIShape() async throws {
        let server = TestServer()
        let response = try await server.run { client in
            try await client.post("/v1/chat/completions", json: Self.body)
        }
        #expect(response.status == .ok)
        let body = response.json
        #expect((body["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        #expect(body["object"] as? String == "chat.completion")
        #expect(body["model"] as? String == "sql")
        let choice = try #require((body["choices"] as? [[String: Any]])?.first)
        #expect(choice["message"] as? [String: String] == ["role": "assistant", "content": "Hello world"])
        #expect(choice["finish_reason"] as? String == "length")
        #expect(isJSONNull(choice["logprobs"]))
        #expect((body["usage"] as? [String: Int])?["total_tokens"] == 21)

        let submitted = try #require(server.engine.submitted.first)
        let expected = ChatPrompt(messages: [
            ChatTurn(role: .system, content: "Be brief."), ChatTurn(role: .user, content: "Hi\nthere"),
        ])
        #expect(submitted.prompt == .chat(expected))
        #expect(submitted.sampling == SamplingOptions(maxTokens: 20, stop: ["###"]))
    }

    /// Oracle: §A.5 — role chunk `{"role":"assistant","content":""}` first with null logprobs and
    /// finish_reason, then content deltas, a final `delta: {}` chunk with finish_reason and stop_reason,
    /// the usage chunk, `[DONE]`.
    @Test func streamingChatSendsRoleChunkFirstAndDone() async throws {
        var script = FakeEngine.Script()
        script.finishReason = .stop
        script.stopReason = .string("###")
        let server = TestServer(engine: FakeEngine(script: script))
        let response = try await server.run { client in
            try await client.post(
                "/v1/chat/completions",
                json: #"{"messages": [{"role": "user", "content": "Hi"}], "stream": true, "stream_options": {}}"#)
        }
        #expect(response.status == .ok)
        #expect(response.ssePayloads.last == "[DONE]")
        let events = response.sseEvents
        #expect(events.count == 6)
        #expect(events.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
        let choices = events.map { ($0["choices"] as? [[String: Any]]) ?? [] }
        let first = try #require(choices[0].first)
        #expect(first["delta"] as? [String: String] == ["role": "assistant", "content": ""])
        #expect(isJSONNull(first["logprobs"]) && isJSONNull(first["finish_reason"]))
        #expect(first["stop_reason"] == nil)
        let deltas = choices[1...3].compactMap { ($0.first?["delta"] as? [String: String])?["content"] }
        #expect(deltas == ["Hel", "lo", " world"])
        let last = try #require(choices[4].first)
        #expect((last["delta"] as? [String: Any])?.isEmpty == true)
        #expect(last["finish_reason"] as? String == "stop")
        #expect(last["stop_reason"] as? String == "###")
        #expect(choices[5].isEmpty)
        #expect(events[5]["usage"] as? [String: Int] == ["prompt_tokens": 2, "completion_tokens": 4, "total_tokens": 6])
    }

    /// Oracle: §A.4 chat logprobs `{"content": [{"token", "logprob", "bytes", "top_logprobs"}]}`.
    @Test func chatLogprobsUseContentEntries() async throws {
        var script = FakeEngine.Script()
        script.tokens = [
            GeneratedToken(id: 5, text: "A", logprob: TokenLogprob(token: "A", bytes: [65], logprob: -0.25, top: [
                .init(token: "A", bytes: [65], logprob: -0.25), .init(token: "B", bytes: [66], logprob: -2),
            ]))
        ]
        let server = TestServer(engine: FakeEngine(script: script))
        let response = try await server.run { client in
            try await client.post(
                "/v1/chat/completions",
                json: #"{"messages": [{"role": "user", "content": "Hi"}], "logprobs": true, "top_logprobs": 2}"#)
        }
        let choice = try #require((response.json["choices"] as? [[String: Any]])?.first)
        let content = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
        #expect(content.count == 1)
        #expect(content[0]["token"] as? String == "A")
        #expect(content[0]["logprob"] as? Double == -0.25)
        #expect(content[0]["bytes"] as? [Int] == [65])
        let top = try #require(content[0]["top_logprobs"] as? [[String: Any]])
        #expect(top.compactMap { $0["token"] as? String } == ["A", "B"])
        #expect(server.engine.submitted.first?.sampling.logprobs == 2)
    }

    /// Oracle: §A.5 item 7 — an engine failure after the 200 header becomes an `{"error": ...}` event
    /// followed by `[DONE]`; without streaming it is a 500 with `x-should-retry: false` (§F.1).
    @Test func engineFailureMidStream() async throws {
        var script = FakeEngine.Script()
        script.failure = .engineFailed(reason: "CUDA illegal address")
        let server = TestServer(engine: FakeEngine(script: script))
        let (streamed, plain) = try await server.run { client in
            let json = #"{"messages": [{"role": "user", "content": "Hi"}], "stream": true}"#
            let streamed = try await client.post("/v1/chat/completions", json: json)
            let plain = try await client.post("/v1/chat/completions", json: json.replacingOccurrences(of: "true", with: "false"))
            return (streamed, plain)
        }
        #expect(streamed.status == .ok)
        #expect(streamed.ssePayloads.last == "[DONE]")
        let error = try #require(streamed.sseEvents.last?["error"] as? [String: Any])
        #expect(error["type"] as? String == "server_error")
        #expect(!streamed.text.contains("CUDA"))
        #expect(plain.status == .internalServerError)
        #expect(plain.error["type"] as? String == "server_error")
        #expect(plain.headers[.xShouldRetryTest] == "false")
    }

    /// Oracle: S-LoRA early abort (slora-and-peers.md §1.3) surfaced as §A.6's load-shedding 503 with
    /// `retry-after`.
    @Test func deadlineExceededIs503WithRetryAfter() async throws {
        var script = FakeEngine.Script()
        script.tokens = []
        script.failure = .deadlineExceeded(retryAfterSeconds: 2)
        let server = TestServer(engine: FakeEngine(script: script))
        let response = try await server.run { client in
            try await client.post("/v1/chat/completions", json: #"{"messages": [{"role": "user", "content": "Hi"}]}"#)
        }
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == "2")
        #expect(response.error["code"] as? String == "deadline_exceeded")
    }
}
