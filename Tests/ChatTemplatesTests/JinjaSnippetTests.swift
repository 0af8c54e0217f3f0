// One small template per Jinja feature (whitespace control, literals, operators, lookups, filters, tests,
// loops, scoping, namespace, macros, ...) rendered with the context stored in snippets.json and compared
// with what transformers' own Jinja environment rendered.

import ChatTemplates
import Testing

// MARK: - Feature snippets

@Suite struct JinjaSnippetTests {
    /// Oracle: snippets.json exists and holds the cases the script writes.
    @Test func snippetFixtureIsLoaded() {
        #expect(GoldenFixtures.snippets.count >= 90)
    }

    /// Oracle: `transformers.utils.chat_template_utils._compile_jinja_template(source).render(**context)`
    /// (jinja2 3.1.6 ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols). Snippets that
    /// fail there must fail here; `raise_exception` must carry the same message.
    @Test(arguments: GoldenFixtures.snippets)
    func rendersLikeJinja(_ snippet: SnippetCase) {
        let result: Result<String, TemplateError> = Result { () throws(TemplateError) -> String in
            try ChatTemplate(source: snippet.source).render(context: snippet.context)
        }
        switch (snippet.outcome, result) {
        case (.text(let expected), .success(let text)):
            #expect(text == expected)
        case (.text, .failure(let error)):
            Issue.record("expected text, got \(error)")
        case (.error(let type, _), .success(let text)):
            Issue.record("expected \(type), got text \(text.debugDescription)")
        case (.error(let type, let message), .failure(let error)):
            if type == "TemplateError" {
                #expect(error == .raised(message: message, line: 1))
            }
        }
    }
}
