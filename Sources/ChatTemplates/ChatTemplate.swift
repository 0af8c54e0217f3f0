// The module's entry point: a parsed Hugging Face chat template (a Jinja string from
// tokenizer_config.json, chat_template.jinja or GGUF `tokenizer.chat_template`) rendered the way
// transformers' `apply_chat_template(..., tokenize=False)` renders it.

// MARK: - ChatTemplate

/// A chat template parsed once and rendered per request.
///
/// ```swift
/// let template = try ChatTemplate(source: chatTemplateText)
/// let prompt = try template.render(
///     messages: [ChatMessage(role: "user", content: "Hello!")],
///     addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
/// ```
///
/// Rendering matches Jinja 3.1 under transformers' settings: `trim_blocks` and `lstrip_blocks` on, the
/// `loopcontrols` extension, and the globals `raise_exception`, `strftime_now`, `namespace`, `dict`,
/// plus transformers' `tojson` (no HTML escaping). Values of type `ChatTemplate` are immutable and
/// can be shared between threads.
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    private let nodes: [Node]

    /// Parses `source`. Throws ``TemplateError/syntax(message:line:)`` for malformed Jinja and
    /// ``TemplateError/unsupported(construct:line:)`` for tags this subset does not implement; unknown
    /// filters, tests and methods are reported when rendering reaches them (as Jinja does inside branches).
    public init(source: String) throws(TemplateError) {
        self.source = source
        self.nodes = try Parser.parse(source)
    }

    /// Renders a conversation with the variables transformers passes: `messages`, `add_generation_prompt`,
    /// `bos_token`, `eos_token`, `tools` and `documents` (none unless `extra` sets them), then `extra`
    /// (e.g. `tools`, `date_string`, `enable_thinking`), which overrides the others.
    ///
    /// A template's `raise_exception(msg)` surfaces as ``TemplateError/raised(message:line:)``.
    public func render(
        messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
        extra: [String: TemplateValue] = [:]
    ) throws(TemplateError) -> String {
        var context: [String: TemplateValue] = [
            "messages": .list(messages.map(\.templateValue)),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "tools": .none,
            "documents": .none,
        ]
        context.merge(extra) { _, new in new }
        return try render(context: context)
    }

    /// Renders with exactly the variables in `context` (plus the global functions).
    public func render(context: [String: TemplateValue]) throws(TemplateError) -> String {
        let globals = Scope(parent: nil)
        for name in Interpreter.builtinNames { globals.set(name, .callable(.builtin(name))) }
        for (name, value) in context { globals.set(name, Value(value)) }
        // Top-level `set`s go to their own frame so they never overwrite a global for other renders.
        let top = Scope(parent: globals)
        var interpreter = Interpreter()
        var output = ""
        _ = try interpreter.execute(nodes, in: top, into: &output)
        return output
    }
}
