// Decoding and validation of `/v1/chat/completions` bodies. Oracle: formats-and-api.md §A.3 (fields,
// validators, template switches), and OpenAI's message shapes (string or text-part content, null
// assistant content, tool messages).

import Foundation
import OpenAIAPI
import Testing

@Suite struct ChatCompletionRequestTests {
    static func validated(_ json: String) throws -> ValidatedGenerationRequest {
        try OpenAIRequestDecoder().decode(ChatCompletionRequest.self, from: Data(json.utf8)).validated()
    }

    static func chat(_ request: ValidatedGenerationRequest) throws -> ChatPrompt {
        guard case .chat(let chat) = request.prompt else { throw ExpectedChat() }
        return chat
    }

    struct ExpectedChat: Error {}

    /// Oracle: OpenAI message shapes; text parts are joined with "\n" as vLLM does for string templates.
    @Test func normalisesMessages() throws {
        let json = #"""
            {"messages": [
                {"role": "system", "content": "S"},
                {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], "name": "ann"},
                {"role": "assistant", "content": null},
                {"role": "tool", "content": "42", "tool_call_id": "call_1"},
                {"role": "user", "content": ""}]}
            """#
        let chat = try Self.chat(try Self.validated(json))
        #expect(
            chat.messages == [
                ChatTurn(role: .system, content: "S"), ChatTurn(role: .user, content: "a\nb", name: "ann"),
                ChatTurn(role: .assistant, content: nil), ChatTurn(role: .tool, content: "42", toolCallID: "call_1"),
                ChatTurn(role: .user, content: ""),
            ])
        #expect(chat.addGenerationPrompt && !chat.continueFinalMessage && !chat.addSpecialTokens)
    }

    /// Oracle: §A.3 — chat without a limit leaves max tokens to the engine (fill the context).
    @Test func chatHasNoDefaultMaxTokens() throws {
        let request = try Self.validated(#"{"messages": [{"role": "user", "content": "x"}]}"#)
        #expect(request.sampling.maxTokens == nil)
        #expect(request.sampling.logprobs == nil)
    }

    /// Oracle: §A.3 — `logprobs: true` with `top_logprobs: k` asks for k alternatives; `logprobs: true`
    /// alone for 0.
    @Test(arguments: [
        (#""logprobs": true, "top_logprobs": 3"#, 3), (#""logprobs": true"#, 0),
        (#""logprobs": false, "top_logprobs": 0"#, nil),
    ])
    func mapsLogprobs(_ fields: String, _ expected: Int?) throws {
        let request = try Self.validated(#"{"messages": [{"role": "user", "content": "x"}], \#(fields)}"#)
        #expect(request.sampling.logprobs == expected)
    }

    /// Oracle: §A.3 — `continue_final_message` needs `add_generation_prompt: false` and a final assistant turn.
    @Test func continueFinalMessage() throws {
        let json = #"""
            {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "Sure,"}],
             "add_generation_prompt": false, "continue_final_message": true}
            """#
        let chat = try Self.chat(try Self.validated(json))
        #expect(chat.continueFinalMessage && !chat.addGenerationPrompt)
        #expect(throws: OpenAIRequestError.self) {
            try Self.validated(json.replacingOccurrences(of: "\"assistant\"", with: "\"user\""))
        }
    }

    /// Oracle: §A.3 validators — `tool_choice` other than none/auto without tools, json response formats,
    /// tool-call history and beam search are refused with the field named.
    @Test(arguments: [
        (#""tool_choice": "required""#, "tool_choice"),
        (#""tool_choice": {"type": "function", "function": {"name": "f"}}"#, "tool_choice"),
        (#""response_format": {"type": "json_schema"}"#, "response_format"),
        (#""use_beam_search": true"#, "use_beam_search"), (#""repetition_penalty": 1.2"#, "repetition_penalty"),
        (#""min_p": 0.1"#, "min_p"), (#""echo": true"#, "echo"),
    ])
    func rejectsUnsupportedFeatures(_ fields: String, _ field: String) throws {
        #expect {
            try Self.validated(#"{"messages": [{"role": "user", "content": "x"}], \#(fields)}"#)
        } throws: { error in
            (error as? OpenAIRequestError)?.param == field
        }
    }

    /// Oracle: OpenAI's tool-call history is refused rather than silently dropped.
    @Test func rejectsToolCallHistory() throws {
        let json = #"""
            {"messages": [{"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": "function"}]}]}
            """#
        #expect(throws: OpenAIRequestError.unsupported(field: "messages[0].tool_calls", detail: "Tool calls are not supported.")) {
            try Self.validated(json)
        }
    }
}
