// A table of malformed and invalid requests through the real router; each must be refused with its status
// and OpenAI error `type`/`code`/`param` before or at the engine. Oracle: formats-and-api.md §A.2–§A.3
// validators and ranges, §A.6 status mapping (400 for schema/range/context errors, 404 unknown model),
// §F.1 (one envelope).

import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import Testing

@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var path = "/v1/completions"
        var body: String
        var contentType = "application/json"
        var status = 400
        var type = "invalid_request_error"
        var code: String
        var param: String? = nil
        var testDescription: String { name }
    }

    static let chat = "/v1/chat/completions"
    static let user = #""messages": [{"role": "user", "content": "Hi"}]"#

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: #"{"prompt": "#, code: "invalid_json"),
        Case(name: "body is an array", body: "[]", code: "invalid_json"),
        Case(name: "empty body", body: "", code: "invalid_json"),
        Case(name: "form-encoded body", body: "prompt=hi", contentType: "application/x-www-form-urlencoded", status: 415, code: "unsupported_media_type"),
        Case(name: "prompt is a number", body: #"{"prompt": 5}"#, code: "invalid_type", param: "prompt"),
        Case(name: "missing prompt", body: #"{"model": "base-model"}"#, code: "missing_required_parameter", param: "prompt"),
        Case(name: "empty prompt", body: #"{"prompt": ""}"#, code: "invalid_value", param: "prompt"),
        Case(name: "two prompts", body: #"{"prompt": ["a", "b"]}"#, code: "unsupported_parameter", param: "prompt"),
        Case(name: "negative token id", body: #"{"prompt": [1, -2]}"#, code: "invalid_value", param: "prompt"),
        Case(name: "model is a number", body: #"{"model": 7, "prompt": "x"}"#, code: "invalid_type", param: "model"),
        Case(name: "n = 2", body: #"{"prompt": "x", "n": 2}"#, code: "unsupported_parameter", param: "n"),
        Case(name: "temperature -1", body: #"{"prompt": "x", "temperature": -1}"#, code: "invalid_value", param: "temperature"),
        Case(name: "temperature 2.5", body: #"{"prompt": "x", "temperature": 2.5}"#, code: "invalid_value", param: "temperature"),
        Case(name: "temperature is a string", body: #"{"prompt": "x", "temperature": "hot"}"#, code: "invalid_type", param: "temperature"),
        Case(name: "top_p 0", body: #"{"prompt": "x", "top_p": 0}"#, code: "invalid_value", param: "top_p"),
        Case(name: "top_p 1.5", body: #"{"prompt": "x", "top_p": 1.5}"#, code: "invalid_value", param: "top_p"),
        Case(name: "top_k -2", body: #"{"prompt": "x", "top_k": -2}"#, code: "invalid_value", param: "top_k"),
        Case(name: "max_tokens 0", body: #"{"prompt": "x", "max_tokens": 0}"#, code: "invalid_value", param: "max_tokens"),
        Case(name: "max_tokens negative", body: #"{"prompt": "x", "max_tokens": -5}"#, code: "invalid_value", param: "max_tokens"),
        Case(name: "max_tokens fractional", body: #"{"prompt": "x", "max_tokens": 1.5}"#, code: "invalid_type", param: "max_tokens"),
        Case(name: "five stop strings", body: #"{"prompt": "x", "stop": ["a", "b", "c", "d", "e"]}"#, code: "invalid_value", param: "stop"),
        Case(name: "logprobs 21", body: #"{"prompt": "x", "logprobs": 21}"#, code: "invalid_value", param: "logprobs"),
        Case(name: "logprobs -1", body: #"{"prompt": "x", "logprobs": -1}"#, code: "invalid_value", param: "logprobs"),
        Case(name: "echo", body: #"{"prompt": "x", "echo": true}"#, code: "unsupported_parameter", param: "echo"),
        Case(name: "stream_options without stream", body: #"{"prompt": "x", "stream_options": {"include_usage": true}}"#, code: "invalid_value", param: "stream_options"),
        Case(name: "seed beyond Int64", body: #"{"prompt": "x", "seed": 1e30}"#, code: "invalid_type", param: "seed"),
        Case(name: "fractional stop token id", body: #"{"prompt": "x", "stop_token_ids": [1, 2.5]}"#, code: "invalid_type", param: "stop_token_ids[1]"),
        Case(name: "unknown model", body: #"{"model": "nope", "prompt": "x"}"#, status: 404, type: "not_found_error", code: "model_not_found", param: "model"),
        Case(name: "prompt too long (engine)", body: #"{"prompt": "\#(String(repeating: "x", count: 100))"}"#, code: "context_length_exceeded", param: "prompt"),
        Case(name: "prompt plus max_tokens too long (engine)", body: #"{"prompt": "0123456789", "max_tokens": 60}"#, code: "context_length_exceeded", param: "input_tokens, max_tokens"),
        Case(name: "chat: missing messages", path: chat, body: #"{"model": "sql"}"#, code: "missing_required_parameter", param: "messages"),
        Case(name: "chat: empty messages", path: chat, body: #"{"messages": []}"#, code: "invalid_value", param: "messages"),
        Case(name: "chat: bad role", path: chat, body: #"{"messages": [{"role": "wizard", "content": "Hi"}]}"#, code: "invalid_value", param: "messages[0].role"),
        Case(name: "chat: message is a string", path: chat, body: #"{"messages": ["Hi"]}"#, code: "invalid_type", param: "messages[0]"),
        Case(name: "chat: image content part", path: chat, body: #"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}"#, code: "unsupported_parameter", param: "messages[0].content[0]"),
        Case(name: "chat: user content null", path: chat, body: #"{"messages": [{"role": "user", "content": null}]}"#, code: "missing_required_parameter", param: "messages[0].content"),
        Case(name: "chat: top_logprobs without logprobs", path: chat, body: "{\(user), \"top_logprobs\": 5}", code: "invalid_value", param: "top_logprobs"),
        Case(name: "chat: top_logprobs 21", path: chat, body: "{\(user), \"logprobs\": true, \"top_logprobs\": 21}", code: "invalid_value", param: "top_logprobs"),
        Case(name: "chat: logprobs is an integer", path: chat, body: "{\(user), \"logprobs\": 3}", code: "invalid_type", param: "logprobs"),
        Case(name: "chat: n = 2", path: chat, body: "{\(user), \"n\": 2}", code: "unsupported_parameter", param: "n"),
        Case(name: "chat: tools", path: chat, body: "{\(user), \"tools\": [{\"type\": \"function\"}]}", code: "unsupported_parameter", param: "tools"),
        Case(name: "chat: json response_format", path: chat, body: "{\(user), \"response_format\": {\"type\": \"json_object\"}}", code: "unsupported_parameter", param: "response_format"),
        Case(name: "chat: both template switches", path: chat, body: "{\(user), \"continue_final_message\": true}", code: "invalid_value", param: "continue_final_message"),
        Case(name: "chat: max_completion_tokens 0", path: chat, body: "{\(user), \"max_completion_tokens\": 0}", code: "invalid_value", param: "max_completion_tokens"),
        Case(name: "chat: unknown adapter", path: chat, body: "{\(user), \"model\": \"ghost\"}", status: 404, type: "not_found_error", code: "model_not_found", param: "model"),
    ]

    /// Oracle: the status and error fields in each row (formats-and-api.md §A.2–§A.3, §A.6).
    @Test(arguments: cases) func refusesBadInput(_ testCase: Case) async throws {
        let server = TestServer()
        let response = try await server.run { client in
            try await client.post(testCase.path, json: testCase.body, headers: [.contentType: testCase.contentType])
        }
        #expect(response.status.code == testCase.status)
        #expect(response.headers[.contentType] == "application/json")
        let error = response.error
        #expect(error["type"] as? String == testCase.type)
        #expect(error["code"] as? String == testCase.code)
        #expect((error["message"] as? String)?.isEmpty == false)
        if let param = testCase.param {
            #expect(error["param"] as? String == param)
        } else {
            #expect(error.keys.contains("param"))
        }
    }

    /// Oracle: §A.6 — a body over the configured limit is refused with 413 in the OpenAI envelope.
    @Test func oversizedBodyIs413() async throws {
        let server = TestServer { $0.maxBodyByteCount = 64 }
        let response = try await server.run { client in
            try await client.post("/v1/completions", json: #"{"prompt": "\#(String(repeating: "x", count: 200))"}"#)
        }
        #expect(response.status == .contentTooLarge)
        #expect(response.error["code"] as? String == "request_too_large")
    }

    /// Oracle: §A.8 — an omitted or empty `model` selects the base model (vLLM's `check_model`), so it is
    /// not an error.
    @Test(arguments: [#"{"prompt": "x"}"#, #"{"model": "", "prompt": "x"}"#])
    func omittedModelSelectsBase(_ body: String) async throws {
        let server = TestServer()
        let response = try await server.run { client in try await client.post("/v1/completions", json: body) }
        #expect(response.status == .ok)
        #expect(response.json["model"] as? String == FakeEngine.baseName)
        #expect(server.engine.submitted.first?.model == nil)
    }
}
