// `--api-key`: every path under `/v1` requires `Authorization: Bearer <key>` (as vLLM's
// AuthenticationMiddleware does); `/health` and `/metrics` stay open. Failures get 401 in the OpenAI
// envelope, not vLLM's bare `{"error": "Unauthorized"}` (formats-and-api.md §A.6, §E.3 item 9).

import Hummingbird

// MARK: - APIKeyMiddleware

/// Rejects `/v1` requests without the configured bearer token.
public struct APIKeyMiddleware: RouterMiddleware {
    public typealias Context = ServerRequestContext

    private let expected: [UInt8]

    /// - Parameter apiKey: the key clients must send.
    public init(apiKey: String) {
        expected = Array("Bearer \(apiKey)".utf8)
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard path == "/v1" || path.hasPrefix("/v1/") else { return try await next(request, context) }
        guard let header = request.headers[.authorization], Self.constantTimeEqual(Array(header.utf8), expected) else {
            throw OpenAIError.unauthorized
        }
        return try await next(request, context)
    }

    /// Compares without an early exit on the first differing byte, so timing does not reveal the prefix.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
