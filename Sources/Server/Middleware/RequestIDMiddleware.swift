// Gives every request an id: the client's `X-Request-Id` when it is short printable ASCII (vLLM uses it to
// build `cmpl-<id>`), otherwise a fresh 32-hex-digit one. The id is logged and echoed as `x-request-id`.

import Foundation
import Hummingbird

// MARK: - RequestIDMiddleware

/// Assigns ``ServerRequestContext/requestID`` and echoes it on the response.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = ServerRequestContext

    /// Longest client id accepted.
    static let maxLength = 128

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = Self.acceptable(request.headers[.xRequestID]) ?? Self.makeID()
        context.requestID = id
        context.logger[metadataKey: "slora.request.id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }

    /// `value` if it is 1...128 printable ASCII characters without spaces.
    static func acceptable(_ value: String?) -> String? {
        guard let value, (1...maxLength).contains(value.utf8.count),
            value.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return nil }
        return value
    }

    /// A random 128-bit id in lowercase hex (vLLM's `random_uuid()` shape).
    static func makeID() -> String {
        UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}
