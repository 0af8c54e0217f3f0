// Error behaviour: constructs outside the Jinja subset are named with their line, `raise_exception`
// messages surface unchanged, syntax and runtime errors carry lines, and hostile templates fail cleanly
// instead of exhausting the stack or memory.

import ChatTemplates
import Testing

// MARK: - Errors

@Suite struct TemplateErrorTests {
    private func render(_ source: String, _ context: [String: TemplateValue] = [:]) throws(TemplateError) -> String {
        try ChatTemplate(source: source).render(context: context)
    }

    private func error(_ source: String, _ context: [String: TemplateValue] = [:]) -> TemplateError? {
        do {
            _ = try render(source, context)
            return nil
        } catch {
            return error
        }
    }

    /// Oracle: the brief's contract; jinja2 also rejects unknown filters ("No filter named ...").
    @Test func unsupportedFilterIsNamedWithItsLine() {
        let failure = error("first line\n{{ 'x' | wordwrap(5) }}")
        #expect(failure == .unsupported(construct: "filter 'wordwrap'", line: 2))
        #expect(failure?.description.contains("wordwrap") == true)
        #expect(failure?.description.contains("line 2") == true)
    }

    /// Oracle: jinja2 rejects unknown tests ("No test named ...").
    @Test func unsupportedTestIsNamedWithItsLine() {
        #expect(error("\n\n{% if 3 is prime %}{% endif %}") == .unsupported(construct: "test 'prime'", line: 3))
    }

    /// Oracle: jinja2 reports unknown tags at parse time ("Encountered unknown tag"); `include` exists in Jinja
    /// but not in this subset, so it is reported as unsupported when the template is created.
    @Test func unknownAndUnsupportedTagsFailAtInit() {
        #expect(throws: TemplateError.unsupported(construct: "tag 'include'", line: 2)) {
            try ChatTemplate(source: "a\n{% include 'other.jinja' %}")
        }
        #expect(throws: TemplateError.unsupported(construct: "tag 'frobnicate' (unknown tag)", line: 1)) {
            try ChatTemplate(source: "{% frobnicate %}")
        }
    }

    /// Oracle: Python has `str.format`, this subset does not; the method is named.
    @Test func unsupportedMethodAndFormattingAreNamed() {
        #expect(error("{{ '{}'.format(1) }}") == .unsupported(construct: "method 'str.format'", line: 1))
        #expect(error("{{ '%s' % 1 }}") == .unsupported(construct: "printf-style '%' string formatting", line: 1))
    }

    /// Oracle: transformers' `raise_exception` raises `TemplateError(message)` with the template's text.
    @Test func raiseExceptionMessageSurfaces() throws {
        let llama2Style = """
            {% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
            {{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}
            {% endfor %}
            """
        let template = try ChatTemplate(source: llama2Style)
        let messages = [ChatMessage(role: "user", content: "a"), ChatMessage(role: "user", content: "b")]
        #expect(
            throws: TemplateError.raised(
                message: "Conversation roles must alternate user/assistant/user/assistant/...", line: 2)
        ) {
            try template.render(messages: messages, addGenerationPrompt: false, bosToken: "<s>", eosToken: "</s>")
        }
    }

    /// Oracle: jinja2's TemplateSyntaxError for the same inputs (line of the offending tag).
    @Test(arguments: [
        ("{% if x %}\n{% endfor %}", 2),
        ("{% for x in y %}\nno end", 2),
        ("{{ 1 + }}", 1),
        ("a\n{{ x ", 2),
        ("{# never closed", 1),
        ("{% if x %}{% break %}{% endif %}", 1),
        ("{{ 'unterminated }}", 1),
    ])
    func syntaxErrorsCarryTheirLine(source: String, line: Int) {
        do {
            _ = try ChatTemplate(source: source)
            Issue.record("expected a syntax error for \(source.debugDescription)")
        } catch {
            guard case .syntax(_, let errorLine) = error else {
                Issue.record("expected a syntax error, got \(error)")
                return
            }
            #expect(errorLine == line)
        }
    }

    /// Oracle: jinja2 raises UndefinedError "'dict object' has no attribute 'missing'" for this template.
    @Test func undefinedAttributeChainFailsWithJinjasMessage() {
        let failure = error("\n{{ m.missing.deeper }}", ["m": [:]])
        #expect(failure == .runtime(message: "'dict object' has no attribute 'missing'", line: 2))
    }

    // MARK: - Hostile templates

    /// Oracle: invariant — unbounded macro recursion ends in an error, not a crash (jinja2 hits RecursionError).
    @Test func runawayMacroRecursionFails() {
        let failure = error("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
        guard case .runtime(let message, _)? = failure else {
            Issue.record("expected a runtime error, got \(String(describing: failure))")
            return
        }
        #expect(message.contains("nested deeper"))
    }

    /// Oracle: invariant — deeply nested or chained expressions are rejected at parse time.
    @Test func deeplyNestedExpressionsAreRejected() {
        let parentheses = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        #expect(throws: TemplateError.self) { try ChatTemplate(source: "{{ \(parentheses) }}") }
        let chain = Array(repeating: "1", count: 5000).joined(separator: " + ")
        #expect(throws: TemplateError.self) { try ChatTemplate(source: "{{ \(chain) }}") }
        let blocks = String(repeating: "{% if true %}", count: 500) + String(repeating: "{% endif %}", count: 500)
        #expect(throws: TemplateError.self) { try ChatTemplate(source: blocks) }
    }

    /// Oracle: invariant — exponential string growth stops at the size limit with an error.
    @Test func exponentialStringGrowthFails() {
        let source = "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
        #expect(throws: TemplateError.self) { try render(source) }
        #expect(throws: TemplateError.self) { try render("{{ 'x' * 100000000 }}") }
        #expect(throws: TemplateError.self) { try render("{{ range(100000000) | length }}") }
    }
}
