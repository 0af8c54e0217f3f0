// Why a request body was rejected before it reached the engine. Every case is an HTTP 400 with
// `type: "invalid_request_error"` (formats-and-api.md §A.6: vLLM answers schema, type and range errors with
// 400, not FastAPI's 422); `param` names the field at fault and `code` is a stable machine string.

// MARK: - OpenAIRequestError

/// A malformed or invalid request body.
public enum OpenAIRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not JSON (or not a JSON object).
    case malformedJSON(detail: String)
    /// `field` holds a value of the wrong JSON type (or null where a value is required).
    case wrongType(field: String, expected: String)
    /// A required field is absent.
    case missingField(String)
    /// A number outside its allowed range.
    case outOfRange(field: String, detail: String)
    /// A value of the right type that is still unacceptable (empty prompt, unknown role, ...).
    case invalidValue(field: String, detail: String)
    /// A valid OpenAI feature slora does not implement (n > 1, echo, tools, ...).
    case unsupported(field: String, detail: String)

    /// The human-readable message sent as `error.message`.
    public var message: String {
        switch self {
        case .malformedJSON(let detail): "The request body is not valid JSON: \(detail)"
        case .wrongType(let field, let expected): "`\(field)` must be \(expected)."
        case .missingField(let field): "`\(field)` is required."
        case .outOfRange(_, let detail), .invalidValue(_, let detail), .unsupported(_, let detail): detail
        }
    }

    /// The field at fault, sent as `error.param` (nil for a malformed body).
    public var param: String? {
        switch self {
        case .malformedJSON: nil
        case .wrongType(let field, _), .missingField(let field), .outOfRange(let field, _),
            .invalidValue(let field, _), .unsupported(let field, _):
            field
        }
    }

    /// The stable machine-readable `error.code`.
    public var code: String {
        switch self {
        case .malformedJSON: "invalid_json"
        case .wrongType: "invalid_type"
        case .missingField: "missing_required_parameter"
        case .outOfRange, .invalidValue: "invalid_value"
        case .unsupported: "unsupported_parameter"
        }
    }

    public var description: String {
        "OpenAIRequestError(\(code), param: \(param ?? "nil")): \(message)"
    }
}
