// The only error type the HTTP edge renders: `{"error": {"message", "type", "param", "code"}}` with the
// right status and headers (formats-and-api.md §A.6, §F.1). Hummingbird turns any thrown
// `HTTPResponseError` into its response; OpenAIErrorMiddleware converts every other error into this one.

import Foundation
import HTTPTypes
import Hummingbird
import OpenAIAPI

// MARK: - OpenAIError

/// An HTTP error answered in the OpenAI envelope.
public struct OpenAIError: Error, HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// The JSON body.
    public var body: ErrorResponse
    /// Extra response headers (`retry-after`, `x-should-retry`, `www-authenticate`).
    public var headers: HTTPFields

    public init(
        status: HTTPResponse.Status, type: ErrorType, message: String, param: String? = nil, code: String?,
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.body = ErrorResponse(message: message, type: type.rawValue, param: param, code: code)
        self.headers = headers
    }

    /// OpenAI-style `type` strings (§F.1).
    public enum ErrorType: String, Sendable {
        case invalidRequest = "invalid_request_error"
        case authentication = "authentication_error"
        case notFound = "not_found_error"
        case server = "server_error"
        case serviceUnavailable = "service_unavailable_error"
    }

    public var description: String {
        "OpenAIError(\(status.code) \(body.error.type) \(body.error.code ?? "-")): \(body.error.message)"
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try jsonData())))
    }

    /// The encoded body, also used for SSE error events.
    public func jsonData() throws -> Data {
        try ServerSentEvents.jsonEncoder().encode(body)
    }

    // MARK: - Common errors

    /// A rejected request body (400).
    public static func invalidRequest(_ error: OpenAIRequestError) -> OpenAIError {
        OpenAIError(
            status: .badRequest, type: .invalidRequest, message: error.message, param: error.param, code: error.code)
    }

    /// Missing or wrong API key (401). Same envelope as every other error (§F.1; vLLM's `{"error":
    /// "Unauthorized"}` is a known client-breaking drift, §E.3 item 9).
    public static let unauthorized = OpenAIError(
        status: .unauthorized, type: .authentication, message: "Invalid or missing API key.", code: "invalid_api_key",
        headers: [.wwwAuthenticate: "Bearer"])

    /// Unknown model or adapter name (404, vLLM's message).
    public static func modelNotFound(_ name: String) -> OpenAIError {
        OpenAIError(
            status: .notFound, type: .notFound, message: "The model `\(name)` does not exist.", param: "model",
            code: "model_not_found")
    }

    /// No route for the path (404).
    public static func routeNotFound(_ path: String) -> OpenAIError {
        OpenAIError(status: .notFound, type: .notFound, message: "No route for \(path).", code: "not_found")
    }

    /// Body above the configured limit (413).
    public static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(
            status: .contentTooLarge, type: .invalidRequest,
            message: "The request body exceeds the limit of \(limit) bytes.", code: "request_too_large")
    }

    /// Load shedding (503) with `retry-after`; openai-python honours it and retries (§A.6).
    public static func overloaded(code: String, message: String, retryAfterSeconds: Int) -> OpenAIError {
        OpenAIError(
            status: .serviceUnavailable, type: .serviceUnavailable, message: message, code: code,
            headers: [.retryAfter: String(max(retryAfterSeconds, 0))])
    }

    /// The server is draining before shutdown (503, `x-should-retry: true` so a client retries elsewhere).
    public static let draining = OpenAIError(
        status: .serviceUnavailable, type: .serviceUnavailable,
        message: "The server is shutting down and accepts no new requests.", code: "server_draining",
        headers: [.xShouldRetry: "true"])

    /// An internal failure (500). `retryable: false` adds `x-should-retry: false` (unrecoverable engine).
    public static func internalError(
        _ message: String = "Internal server error.", retryable: Bool = true
    ) -> OpenAIError {
        OpenAIError(
            status: .internalServerError, type: .server, message: message, code: "internal_error",
            headers: retryable ? [:] : [.xShouldRetry: "false"])
    }
}

// MARK: - Header names

extension HTTPField.Name {
    /// `x-should-retry`, read by openai-python's retry logic.
    static let xShouldRetry = HTTPField.Name("x-should-retry")!
    /// `x-request-id`, echoed on every response.
    static let xRequestID = HTTPField.Name("x-request-id")!
}
