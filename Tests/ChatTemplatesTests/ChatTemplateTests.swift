// The public API around rendering: the variables `render(messages:...)` provides, message dictionaries,
// `strftime_now`, JSON input with key order, and sharing one template across concurrent renders.

import ChatTemplates
import Foundation
import Testing

// MARK: - Render API

@Suite struct ChatTemplateTests {
    /// Oracle: transformers passes `tools=None, documents=None` plus the tokenizer's special tokens, so a
    /// template sees `tools` as defined and none, and `extra` overrides those defaults.
    @Test func renderProvidesTransformersVariables() throws {
        let template = try ChatTemplate(
            source: "{{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}|{{ tools is defined }}"
                + "|{{ tools is none }}|{{ documents is none }}|{{ messages | length }}"
                + "|{{ date_string | default('-') }}"
        )
        let messages = [ChatMessage(role: "user", content: "hi")]
        let plain = try template.render(
            messages: messages, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
        #expect(plain == "<s>|</s>|True|True|True|True|1|-")
        let withExtra = try template.render(
            messages: messages, addGenerationPrompt: false, bosToken: "", eosToken: "",
            extra: ["tools": [["type": "function"]], "date_string": "01 Jan 2025"])
        #expect(withExtra == "||False|True|False|True|1|01 Jan 2025")
    }

    /// Oracle: transformers drops message keys whose value is None (`_normalize_chat_messages`); the key
    /// order is role, content, name, tool_calls, tool_call_id, then extra keys (ChatMessage's contract).
    @Test func messageDictionaryOmitsNilFieldsInOrder() throws {
        let message = ChatMessage(
            role: "assistant", content: nil, toolCalls: [["id": "call1"]], toolCallID: nil,
            extra: ["reasoning_content": "because", "skipped": nil])
        #expect(
            message.templateValue == [
                "role": "assistant", "tool_calls": [["id": "call1"]], "reasoning_content": "because",
            ])
        let template = try ChatTemplate(
            source: "{% for m in messages %}{{ m | tojson }}{{ m.content is defined }}{% endfor %}")
        let text = try template.render(messages: [message], addGenerationPrompt: false, bosToken: "", eosToken: "")
        #expect(text == #"{"role": "assistant", "tool_calls": [{"id": "call1"}], "reasoning_content": "because"}False"#)
    }

    /// Oracle: C strftime on the local clock, as Python's `datetime.now().strftime`; `%%` and literal text are
    /// fixed, and `%Y` is this year per Foundation's calendar.
    @Test func strftimeNowFormatsTheLocalDate() throws {
        let template = try ChatTemplate(source: "{{ strftime_now('x%%y') }}|{{ strftime_now('%Y') }}")
        let year = Calendar.current.component(.year, from: Date())
        #expect(try template.render(context: [:]) == "x%y|\(year)")
    }

    /// Oracle: Python `json.loads` keeps object key order and maps integers to int, other numbers to float.
    @Test func jsonInputKeepsKeyOrderAndTypes() throws {
        let value = try TemplateValue(
            json: #"{"z": 1, "a": [true, null, 2.5, -3, 1e2], "m": {"y": "\u00e9\ud83d\ude00\n"}}"#)
        guard case .dict(let dict) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(dict.keys == ["z", "a", "m"])
        #expect(dict["a"] == [true, nil, 2.5, -3, 100.0])
        #expect(dict["m"] == ["y": "é😀\n"])
        let template = try ChatTemplate(source: "{{ v | tojson }}")
        #expect(
            try template.render(context: ["v": value])
                == #"{"z": 1, "a": [true, null, 2.5, -3, 100.0], "m": {"y": "é😀\n"}}"#)
    }

    /// Oracle: RFC 8259 — these are not JSON; the error names the byte offset.
    @Test(arguments: [#"{"a": }"#, "[1, 2", #"{"a" 1}"#, "tru", #""\x""#, "1 2", "", #"{"a": "\u12"}"#])
    func invalidJSONIsRejected(text: String) {
        #expect(throws: TemplateError.self) { try TemplateValue(json: text) }
    }

    /// Oracle: invariant — a parsed template is a value; concurrent renders give the same text as one render.
    @Test func concurrentRendersAgree() async throws {
        let template = try ChatTemplate(
            source: "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}"
                + "{{ m.role }}:{{ m.content }};{% endfor %}{{ ns.n }}")
        let messages = (0..<20).map { ChatMessage(role: $0 % 2 == 0 ? "user" : "assistant", content: "m\($0)") }
        let expected = try template.render(messages: messages, addGenerationPrompt: false, bosToken: "", eosToken: "")
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try template.render(messages: messages, addGenerationPrompt: false, bosToken: "", eosToken: "")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == expected })
    }
}
