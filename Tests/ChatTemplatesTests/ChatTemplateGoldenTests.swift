// Renders well-known public chat templates (SmolLM2/ChatML, Qwen2, Qwen2.5, Qwen3, Llama-2-chat, Llama-3,
// Llama-3.1, Mistral v0.1/v0.3, Zephyr, Gemma) over a grid of conversations and compares with
// transformers' `apply_chat_template` output stored in golden.json.

import ChatTemplates
import Testing

// MARK: - Golden conversations

@Suite struct ChatTemplateGoldenTests {
    /// Oracle: golden.json exists and holds the cases the script writes (guards against a silently empty grid).
    @Test func goldenFixtureIsLoaded() {
        #expect(GoldenFixtures.golden.count >= 150)
    }

    /// Oracle: transformers 5.24 `apply_chat_template(tokenize=False)` (jinja2 3.1.6) on the same template
    /// text, messages and flags; templates that raise must raise `raise_exception` with the same message.
    @Test(arguments: GoldenFixtures.golden)
    func rendersLikeTransformers(_ golden: ConversationCase) throws {
        let template = try ChatTemplate(source: golden.source)
        let render = { () throws(TemplateError) -> String in
            try template.render(
                messages: golden.messages, addGenerationPrompt: golden.addGenerationPrompt,
                bosToken: golden.bosToken, eosToken: golden.eosToken, extra: golden.extra)
        }
        switch golden.outcome {
        case .text(let expected):
            #expect(try render() == expected)
        case .error(let type, let message):
            #expect(type == "TemplateError")
            #expect(throws: TemplateError.self) { try render() }
            do {
                _ = try render()
            } catch {
                guard case .raised(let raised, _) = error else {
                    Issue.record("expected raise_exception, got \(error)")
                    return
                }
                #expect(raised == message)
            }
        }
    }
}
