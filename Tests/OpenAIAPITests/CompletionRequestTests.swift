// Decoding and validation of `/v1/completions` bodies. Oracle: formats-and-api.md §A.2 (prompt shapes,
// defaults, unknown fields ignored) and §A.3 (range rules), plus the recorded request JSON below.

import Foundation
import OpenAIAPI
import Testing

@Suite struct CompletionRequestTests {
    static func validated(_ json: String) throws -> ValidatedGenerationRequest {
        try OpenAIRequestDecoder().decode(CompletionRequest.self, from: Data(json.utf8)).validated()
    }

    /// Oracle: §A.2 — prompt may be a string, [string] of one, [int] or [[int]] of one.
    @Test(arguments: [
        (#"{"prompt": "hi"}"#, GenerationPrompt.text("hi", addSpecialTokens: true)),
        (#"{"prompt": ["hi"]}"#, .text("hi", addSpecialTokens: true)),
        (#"{"prompt": [1, 2]}"#, .tokenIDs([1, 2])),
        (#"{"prompt": [[3]]}"#, .tokenIDs([3])),
        (#"{"prompt": "hi", "add_special_tokens": false}"#, .text("hi", addSpecialTokens: false)),
    ])
    func acceptsEveryPromptShape(_ json: String, _ expected: GenerationPrompt) throws {
        #expect(try Self.validated(json).prompt == expected)
    }

    /// Oracle: §A.2 defaults — max_tokens 16, unset sampling fields stay nil (engine defaults), no stream.
    @Test func appliesLegacyDefaults() throws {
        let request = try Self.validated(#"{"prompt": "hi"}"#)
        #expect(request.model == nil)
        #expect(request.sampling == SamplingOptions(maxTokens: 16))
        #expect(!request.stream && !request.includeUsage)
    }

    /// Oracle: a recorded openai-python request with vLLM extensions; top_k -1 means disabled, `stop` may be
    /// one string, `max_completion_tokens` wins over `max_tokens`, unknown keys are ignored.
    @Test func mapsEveryField() throws {
        let json = #"""
            {"model": "sql", "prompt": "SELECT", "max_tokens": 5, "max_completion_tokens": 7, "temperature": 0.7,
             "top_p": 0.9, "top_k": -1, "seed": -3, "stop": "\n", "stop_token_ids": [2], "logprobs": 0,
             "stream": true, "stream_options": {"include_usage": false}, "ignore_eos": true, "user": "u",
             "frequency_penalty": 0, "presence_penalty": 0, "logit_bias": {}, "n": 1, "best_of": 1,
             "echo": false, "suffix": "", "some_future_field": {"a": [1]}}
            """#
        let request = try Self.validated(json)
        #expect(request.model == "sql")
        #expect(request.stream && !request.includeUsage)
        #expect(
            request.sampling
                == SamplingOptions(
                    temperature: 0.7, topP: 0.9, topK: nil, seed: -3, maxTokens: 7, stop: ["\n"], stopTokenIDs: [2],
                    logprobs: 0, ignoreEOS: true))
        let ignored = OpenAIRequestDecoder().unknownFields(
            in: Data(json.utf8), known: CompletionRequest.knownFields)
        #expect(ignored == ["some_future_field"])
    }

    /// Oracle: §A.5 — `include_usage` defaults to true once `stream_options` is present.
    @Test func streamOptionsDefaultToUsage() throws {
        #expect(try Self.validated(#"{"prompt": "x", "stream": true, "stream_options": {}}"#).includeUsage)
    }

    /// Oracle: §A.3 ranges — boundary values that must pass.
    @Test(arguments: [
        #"{"prompt": "x", "temperature": 0}"#, #"{"prompt": "x", "temperature": 2}"#,
        #"{"prompt": "x", "top_p": 1}"#, #"{"prompt": "x", "top_k": 0}"#, #"{"prompt": "x", "top_k": 1}"#,
        #"{"prompt": "x", "max_tokens": 1}"#, #"{"prompt": "x", "logprobs": 20}"#,
        #"{"prompt": "x", "stop": ["a", "b", "c", "d"]}"#, #"{"prompt": "x", "model": null}"#,
    ])
    func acceptsBoundaryValues(_ json: String) throws {
        _ = try Self.validated(json)
    }

    /// Oracle: §A.3 ranges — values just outside must fail with the field named in `param`.
    @Test(arguments: [
        (#"{"prompt": "x", "temperature": 2.01}"#, "temperature"), (#"{"prompt": "x", "top_p": 0}"#, "top_p"),
        (#"{"prompt": "x", "top_k": -2}"#, "top_k"), (#"{"prompt": "x", "max_tokens": 0}"#, "max_tokens"),
        (#"{"prompt": "x", "logprobs": 21}"#, "logprobs"), (#"{"prompt": "x", "best_of": 2}"#, "best_of"),
        (#"{"prompt": "x", "suffix": "end"}"#, "suffix"), (#"{"prompt": "x", "presence_penalty": 3}"#, "presence_penalty"),
        (#"{"prompt": "x", "frequency_penalty": 0.5}"#, "frequency_penalty"),
        (#"{"prompt": "x", "logit_bias": {"1": 5}}"#, "logit_bias"), (#"{"prompt": "x", "stop": ["", "a"]}"#, "stop"),
        (#"{"prompt": "x", "stop_token_ids": [-1]}"#, "stop_token_ids"), (#"{"prompt": [[1], [2]]}"#, "prompt"),
        (#"{"prompt": []}"#, "prompt"), (#"{"prompt": [4294967296]}"#, "prompt"),
    ])
    func rejectsOutOfRangeValues(_ json: String, _ field: String) throws {
        #expect {
            try Self.validated(json)
        } throws: { error in
            (error as? OpenAIRequestError)?.param == field
        }
    }
}
