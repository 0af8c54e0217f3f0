// The JSON that response and chunk types produce, compared key by key with the shapes recorded in
// formats-and-api.md §A.4 (non-streaming), §A.5 (chunks), §A.6 (error envelope), §A.7 (model list). The
// oracle is the exact expected JSON below, including which fields are present as null and which are
// omitted.

import Foundation
import OpenAIAPI
import Testing

@Suite struct ResponseEncodingTests {
    /// Both sides as parsed JSON objects, so key order does not matter but nulls and absences do.
    static func expectJSON(_ value: some Encodable, equals expected: String) throws {
        let actual = try JSONSerialization.jsonObject(with: ServerSentEvents.jsonEncoder().encode(value)) as? NSDictionary
        let wanted = try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSDictionary
        #expect(actual == wanted, "\(String(describing: actual))")
    }

    /// Oracle: §A.4 `/v1/completions` shape.
    @Test func completionResponse() throws {
        let response = CompletionResponse(
            id: "cmpl-1", created: 7, model: "sql",
            choices: [.init(text: "hi", finishReason: .stop, stopReason: .string("###"))],
            usage: Usage(promptTokens: 3, completionTokens: 1))
        try Self.expectJSON(response, equals: #"""
            {"id": "cmpl-1", "object": "text_completion", "created": 7, "model": "sql",
             "choices": [{"index": 0, "text": "hi", "logprobs": null, "finish_reason": "stop", "stop_reason": "###"}],
             "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}, "system_fingerprint": null}
            """#)
    }

    /// Oracle: §A.4 `/v1/chat/completions` shape.
    @Test func chatResponse() throws {
        let response = ChatCompletionResponse(
            id: "chatcmpl-1", created: 7, model: "base", choices: [.init(content: "yo", finishReason: .length)],
            usage: Usage(promptTokens: 2, completionTokens: 2))
        try Self.expectJSON(response, equals: #"""
            {"id": "chatcmpl-1", "object": "chat.completion", "created": 7, "model": "base",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "yo"}, "logprobs": null,
                          "finish_reason": "length", "stop_reason": null}],
             "usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}, "system_fingerprint": null}
            """#)
    }

    /// Oracle: §A.5 items 2–5 — role chunk, content chunk, final chunk with stop_reason, usage chunk.
    @Test func chatChunks() throws {
        func chunk(_ choice: ChatCompletionChunk.Choice) -> ChatCompletionChunk {
            ChatCompletionChunk(id: "c", created: 1, model: "m", choices: [choice])
        }
        let head = #""id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m""#
        try Self.expectJSON(chunk(.init(role: "assistant", content: "")), equals: """
            {\(head), "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": null, "finish_reason": null}]}
            """)
        try Self.expectJSON(chunk(.init(content: "Hi")), equals: """
            {\(head), "choices": [{"index": 0, "delta": {"content": "Hi"}, "logprobs": null, "finish_reason": null}]}
            """)
        try Self.expectJSON(chunk(.init(finishReason: .stop, stopReason: .tokenID(2))), equals: """
            {\(head), "choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop", "stop_reason": 2}]}
            """)
        try Self.expectJSON(
            ChatCompletionChunk(id: "c", created: 1, model: "m", choices: [], usage: Usage(promptTokens: 1, completionTokens: 2)),
            equals: """
                {\(head), "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}
                """)
    }

    /// Oracle: §A.5 "Completions stream" choice fields.
    @Test func completionChunk() throws {
        let chunk = CompletionChunk(id: "c", created: 1, model: "m", choices: [.init(text: "a", finishReason: nil)])
        try Self.expectJSON(chunk, equals: #"""
            {"id": "c", "object": "text_completion", "created": 1, "model": "m",
             "choices": [{"index": 0, "text": "a", "logprobs": null, "finish_reason": null, "stop_reason": null}]}
            """#)
    }

    /// Oracle: §A.4 logprob formats; -inf is clamped to -9999 (JSON has no infinities).
    @Test func logprobFormats() throws {
        let entries = [
            TokenLogprob(token: "a", bytes: [97], logprob: -1, top: [.init(token: "a", bytes: [97], logprob: -1)]),
            TokenLogprob(token: "bc", bytes: [98, 99], logprob: -.infinity),
        ]
        try Self.expectJSON(CompletionLogprobs(entries: entries, startOffset: 5), equals: #"""
            {"text_offset": [5, 6], "token_logprobs": [-1, -9999], "tokens": ["a", "bc"],
             "top_logprobs": [{"a": -1}, {"bc": -9999}]}
            """#)
        try Self.expectJSON(ChatLogprobs(content: entries), equals: #"""
            {"content": [{"token": "a", "logprob": -1, "bytes": [97], "top_logprobs": [{"token": "a", "logprob": -1, "bytes": [97]}]},
                         {"token": "bc", "logprob": -9999, "bytes": [98, 99], "top_logprobs": []}]}
            """#)
    }

    /// Oracle: §A.7 model cards (base with max_model_len and null parent; adapter without max_model_len).
    @Test func modelList() throws {
        let list = ModelList(data: [
            ModelCard(id: "base", created: 1, root: "/m", parent: nil, maxModelLength: 2048),
            ModelCard(id: "sql", created: 2, root: "/a/sql", parent: "base", maxModelLength: nil),
        ])
        try Self.expectJSON(list, equals: #"""
            {"object": "list", "data": [
              {"id": "base", "object": "model", "created": 1, "owned_by": "slora", "root": "/m", "parent": null, "max_model_len": 2048},
              {"id": "sql", "object": "model", "created": 2, "owned_by": "slora", "root": "/a/sql", "parent": "base"}]}
            """#)
    }

    /// Oracle: §A.6/§F.1 envelope `{"error": {"message", "type", "param", "code"}}` with explicit nulls.
    @Test func errorEnvelope() throws {
        try Self.expectJSON(ErrorResponse(message: "m", type: "invalid_request_error", code: nil), equals: #"""
            {"error": {"message": "m", "type": "invalid_request_error", "param": null, "code": null}}
            """#)
    }
}
