// The one error envelope slora sends, for every status and also inside SSE streams
// (formats-and-api.md §A.6, §F.1): `{"error": {"message", "type", "param", "code"}}` with OpenAI-style
// `type` strings and a stable string `code`; `param` is null when no field is at fault.

// MARK: - ErrorResponse

/// `{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}`.
public struct ErrorResponse: Sendable, Equatable, Codable {
    public var error: Detail

    public init(message: String, type: String, param: String? = nil, code: String?) {
        error = Detail(message: message, type: type, param: param, code: code)
    }

    /// The inner object.
    public struct Detail: Sendable, Equatable, Codable {
        public var message: String
        /// `invalid_request_error`, `authentication_error`, `not_found_error`, `server_error`,
        /// `service_unavailable_error`.
        public var type: String
        public var param: String?
        public var code: String?

        public init(message: String, type: String, param: String?, code: String?) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
        }

        enum CodingKeys: String, CodingKey {
            case message, type, param, code
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }
    }
}
