// The one error type of the ChatTemplates module: template syntax errors, constructs this Jinja subset
// does not implement, runtime errors (undefined attribute access, type errors), messages raised by the
// template itself through `raise_exception(msg)`, and malformed JSON given to `TemplateValue(json:)`.

// MARK: - TemplateError

/// An error from parsing or rendering a chat template.
///
/// Every case that comes from template text carries the 1-based line of the template where it arose.
public enum TemplateError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The template text is not valid Jinja (unbalanced tags, unexpected token, missing `endfor`, ...).
    case syntax(message: String, line: Int)
    /// A construct that Jinja has but this subset does not implement: a tag, filter, test, function or
    /// method. `construct` names it, e.g. `filter 'wordwrap'` or `tag 'include'`.
    case unsupported(construct: String, line: Int)
    /// An error while rendering: an operation on values of the wrong type, attribute access on an
    /// undefined value, division by zero, a bad argument to a filter.
    case runtime(message: String, line: Int)
    /// The template called `raise_exception(message)`; transformers turns this into a `TemplateError`
    /// (and servers into a 400 response) carrying the template's own message.
    case raised(message: String, line: Int)
    /// `TemplateValue(json:)` was given text that is not valid JSON; `offset` counts UTF-8 bytes.
    case invalidJSON(message: String, offset: Int)

    /// A one-line explanation naming the template line at fault.
    public var description: String {
        switch self {
        case .syntax(let message, let line):
            return "chat template syntax error at line \(line): \(message)"
        case .unsupported(let construct, let line):
            return "chat template uses unsupported \(construct) at line \(line)"
                + " (HINT: the ChatTemplates Jinja subset lacks it; extend Sources/ChatTemplates)"
        case .runtime(let message, let line):
            return "chat template error at line \(line): \(message)"
        case .raised(let message, let line):
            return "chat template raised an exception at line \(line): \(message)"
        case .invalidJSON(let message, let offset):
            return "invalid JSON at byte \(offset): \(message)"
        }
    }
}
