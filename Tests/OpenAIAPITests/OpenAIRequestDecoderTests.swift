// DecodingError → OpenAIRequestError mapping. Oracle: formats-and-api.md §A.6 (malformed or mistyped
// bodies are 400 with the field in `param`) and §A.2 (unknown fields are not errors).

import Foundation
import OpenAIAPI
import Testing

@Suite struct OpenAIRequestDecoderTests {
    static func error(_ json: String) -> OpenAIRequestError? {
        do {
            _ = try OpenAIRequestDecoder().decode(
                ChatCompletionRequest.self, from: Data(json.utf8), integerFields: ChatCompletionRequest.integerFields)
            return nil
        } catch {
            return error
        }
    }

    /// Oracle: each failure names the JSON path of the offending field (Foundation gives no path for
    /// numbers that do not fit an integer; the decoder finds the field itself).
    @Test(arguments: [
        ("{", "invalid_json", nil), ("", "invalid_json", nil), ("42", "invalid_json", nil),
        (#"{"messages": "hi"}"#, "invalid_type", "messages"),
        (#"{"messages": [{"content": "x"}]}"#, "missing_required_parameter", "messages[0].role"),
        (#"{"messages": [{"role": null, "content": "x"}]}"#, "invalid_type", "messages[0].role"),
        (#"{"messages": [{"role": "user", "content": 5}]}"#, "invalid_type", "messages[0].content"),
        (#"{"stream": "yes"}"#, "invalid_type", "stream"),
        (#"{"seed": 1e300}"#, "invalid_type", "seed"), (#"{"max_tokens": 1.5}"#, "invalid_type", "max_tokens"),
        (#"{"stop_token_ids": [3, -1.5]}"#, "invalid_type", "stop_token_ids[1]"),
        (#"{"temperature": 1e300, "top_k": 2.5}"#, "invalid_type", "top_k"),
    ] as [(String, String, String?)])
    func namesTheField(_ json: String, _ code: String, _ param: String?) throws {
        let error = try #require(Self.error(json))
        #expect(error.code == code)
        #expect(error.param == param)
        #expect(!error.message.isEmpty)
    }

    /// Oracle: §A.2 — unknown keys decode fine and are listed for the warning log.
    @Test func ignoresAndListsUnknownFields() throws {
        let json = #"{"messages": [], "zeta": 1, "alpha": {"nested": true}, "model": "m"}"#
        #expect(Self.error(json) == nil)
        let unknown = OpenAIRequestDecoder().unknownFields(in: Data(json.utf8), known: ChatCompletionRequest.knownFields)
        #expect(unknown == ["alpha", "zeta"])
    }
}
