// Builds the real router around a FakeEngine and runs HummingbirdTesting's in-process `.router` client
// against it; plus the JSON/SSE parsing the route tests share.

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OpenAIAPI
import Prometheus
import Server

// MARK: - TestServer

/// One router under test with its collaborators.
struct TestServer: Sendable {
    let engine: FakeEngine
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let drain: DrainState

    init(engine: FakeEngine = FakeEngine(), configure: (inout ServerConfiguration) -> Void = { _ in }) {
        var configuration = ServerConfiguration(servedModelName: FakeEngine.baseName)
        configure(&configuration)
        self.engine = engine
        self.configuration = configuration
        self.metrics = ServerMetrics(registry: PrometheusCollectorRegistry(), modelName: FakeEngine.baseName)
        self.drain = DrainState()
    }

    /// Runs `body` with an in-process client.
    func run<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let router = buildRouter(engine: engine, configuration: configuration, metrics: metrics, drain: drain)
        return try await Application(router: router).test(.router, body)
    }
}

// MARK: - Requests

extension TestClientProtocol {
    /// POSTs a JSON string.
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json)) { $0 }
    }

    /// GETs a path.
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers) { $0 }
    }
}

// MARK: - Parsing

extension TestResponse {
    /// The body as UTF-8 text.
    var text: String {
        String(buffer: body)
    }

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// The `error` object of an OpenAI error body.
    var error: [String: Any] {
        json["error"] as? [String: Any] ?? [:]
    }

    /// The `data` payloads of an SSE body, `[DONE]` included.
    var ssePayloads: [String] {
        SSEDecoder().dataPayloads(in: text)
    }

    /// The JSON events of an SSE body (everything but `[DONE]`).
    var sseEvents: [[String: Any]] {
        ssePayloads.filter { $0 != "[DONE]" }.map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
        }
    }
}

/// `value` is JSON null (present and null, as the OpenAI shapes require).
func isJSONNull(_ value: Any?) -> Bool {
    value is NSNull
}
