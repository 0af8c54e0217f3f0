// Makes every error response use the OpenAI envelope (formats-and-api.md §F.1: "never emit a second
// envelope"): Hummingbird's own `HTTPError`s (unknown route, oversized body, decode failures) and any
// unexpected error (500, logged, details withheld from the client).

import Hummingbird

// MARK: - OpenAIErrorMiddleware

/// Converts thrown errors into ``OpenAIError`` responses.
public struct OpenAIErrorMiddleware: RouterMiddleware {
    public typealias Context = ServerRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OpenAIError {
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try Self.converted(error, path: request.uri.path).response(from: request, context: context)
        } catch is CancellationError {
            // The client hung up while its request was running; nobody reads this response.
            context.logger.debug("Request cancelled: the client disconnected")
            return try OpenAIError.internalError("The request was cancelled.").response(from: request, context: context)
        } catch {
            context.logger.error("Unhandled error: \(String(reflecting: error))")
            return try OpenAIError.internalError().response(from: request, context: context)
        }
    }

    /// An OpenAI-shaped error with the same status as a framework error.
    static func converted(_ error: any HTTPResponseError, path: String) -> OpenAIError {
        switch error.status {
        case .notFound:
            return .routeNotFound(path)
        case .contentTooLarge:
            return OpenAIError(
                status: .contentTooLarge, type: .invalidRequest, message: "The request body is too large.",
                code: "request_too_large")
        case let status where (400..<500).contains(status.code):
            let message = (error as? HTTPError)?.body ?? status.reasonPhrase
            return OpenAIError(status: status, type: .invalidRequest, message: message, code: "invalid_request")
        default:
            return .internalError()
        }
    }
}
