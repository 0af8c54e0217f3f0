// Reading a JSON request body with the configured size limit. The body is collected with
// `collectBody(upTo:)`, which keeps the connection's original part stream inside `request.body`, so
// `consumeWithCancellationOnInboundClose` can still watch for the client hanging up afterwards; callers
// must pass the mutated request on.

import Foundation
import Hummingbird
import OpenAIAPI

// MARK: - JSON body

extension Request {
    /// The body bytes, or 413 above `limit` and 415 for a non-JSON `Content-Type` (a missing one is
    /// accepted). vLLM rejects form-encoded bodies too (formats-and-api.md §A.6).
    mutating func collectJSONBody(limit: Int) async throws -> Data {
        if let contentType = headers[.contentType], !contentType.lowercased().contains("json") {
            throw OpenAIError(
                status: .unsupportedMediaType, type: .invalidRequest,
                message: "Content-Type must be application/json, got \(contentType).", code: "unsupported_media_type")
        }
        do {
            let buffer = try await collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw OpenAIError.bodyTooLarge(limit: limit)
        }
    }
}

// MARK: - OpenAI request decoding

extension Request {
    /// Reads and decodes an OpenAI request body; malformed JSON and wrong types become 400s naming the
    /// field. Keys outside `knownFields` are ignored with a warning, as vLLM does (formats-and-api.md §A.2).
    mutating func decodeOpenAI<T: Decodable>(
        _ type: T.Type, knownFields: Set<String>, integerFields: Set<String> = [], limit: Int,
        context: ServerRequestContext
    ) async throws -> T {
        let data = try await collectJSONBody(limit: limit)
        let decoder = OpenAIRequestDecoder()
        let value: T
        do {
            value = try decoder.decode(T.self, from: data, integerFields: integerFields)
        } catch {
            throw OpenAIError.invalidRequest(error)
        }
        let ignored = decoder.unknownFields(in: data, known: knownFields)
        if !ignored.isEmpty {
            context.logger.warning("The following fields were present in the request but ignored: \(ignored)")
        }
        return value
    }
}
