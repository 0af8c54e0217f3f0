// The router's middleware against FakeEngine: API key, draining, overload, request ids and the single
// error envelope. Oracle: formats-and-api.md §A.6 (statuses, `retry-after`, openai-python retry rules)
// and §F.1 (one envelope everywhere, draining = 503 + `x-should-retry: true`).

import Foundation
import HTTPTypes
import HummingbirdTesting
import OpenAIAPI
import Server
import Testing

@Suite struct MiddlewareTests {
    /// Oracle: vLLM's AuthenticationMiddleware guards `/v1` only; §F.1 requires the OpenAI envelope on 401.
    @Test func apiKeyGuardsV1Only() async throws {
        let server = TestServer { $0.apiKey = "secret" }
        let responses = try await server.run { client in
            [
                try await client.get("/v1/models"),
                try await client.get("/v1/models", headers: [.authorization: "Bearer wrong"]),
                try await client.get("/v1/models", headers: [.authorization: "Bearer secret"]),
                try await client.post("/v1/completions", json: #"{"prompt": "x"}"#),
                try await client.get("/health"),
                try await client.get("/metrics"),
            ]
        }
        #expect(responses.map(\.status.code) == [401, 401, 200, 401, 200, 200])
        #expect(responses[0].error["type"] as? String == "authentication_error")
        #expect(responses[0].error["code"] as? String == "invalid_api_key")
        #expect(server.engine.submitted.isEmpty)
    }

    /// Oracle: §E.1 graceful shutdown (new requests refused, health fails) with §F.1's 503 +
    /// `x-should-retry: true`; `/metrics` stays readable.
    @Test func drainingRefusesNewWork() async throws {
        let server = TestServer()
        server.drain.beginDraining()
        let (completion, health, metrics) = try await server.run { client in
            (
                try await client.post("/v1/completions", json: #"{"prompt": "x"}"#),
                try await client.get("/health"), try await client.get("/metrics")
            )
        }
        #expect(completion.status == .serviceUnavailable)
        #expect(completion.error["type"] as? String == "service_unavailable_error")
        #expect(completion.error["code"] as? String == "server_draining")
        #expect(completion.headers[.xShouldRetryTest] == "true")
        #expect(health.status == .serviceUnavailable)
        #expect(metrics.status == .ok)
        #expect(server.engine.submitted.isEmpty)
    }

    /// Oracle: §A.6 admission limits → 503 with `retry-after` (openai-python honours it).
    @Test func engineQueueFullIs503WithRetryAfter() async throws {
        let server = TestServer()
        server.engine.state.withLock { $0.submitError = .queueFull(retryAfterSeconds: 3) }
        let response = try await server.run { client in
            try await client.post("/v1/completions", json: #"{"prompt": "x"}"#)
        }
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == "3")
        #expect(response.error["type"] as? String == "service_unavailable_error")
        #expect(response.error["code"] as? String == "queue_full")
    }

    /// Oracle: TGI's concurrency bound (§E.1) answered with §A.6's 503 + `retry-after`: with one slot
    /// held by a streaming request the next request is refused, and the slot returns when it finishes.
    @Test func inFlightLimitShedsLoad() async throws {
        var script = FakeEngine.Script()
        script.hold = true
        let engine = FakeEngine(script: script)
        let server = TestServer(engine: engine) {
            $0.maxInFlightRequests = 1
            $0.retryAfterSeconds = 7
        }
        let (first, refused, afterRelease) = try await server.run { client in
            async let first = client.post("/v1/completions", json: #"{"prompt": "x", "stream": true}"#)
            var admissions = engine.admissions.makeAsyncIterator()
            _ = await admissions.next()
            let refused = try await client.post("/v1/completions", json: #"{"prompt": "y"}"#)
            engine.releaseHeld()
            let firstResponse = try await first
            engine.state.withLock { $0.script.hold = false }
            let afterRelease = try await client.post("/v1/completions", json: #"{"prompt": "z"}"#)
            return (firstResponse, refused, afterRelease)
        }
        #expect(first.status == .ok)
        #expect(first.ssePayloads.last == "[DONE]")
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers[.retryAfter] == "7")
        #expect(afterRelease.status == .ok)
    }

    /// Oracle: §E.2 health cases — 200 when ready, 503 while starting or after engine death.
    @Test(arguments: [
        (EngineHealth.ready, 200), (.starting, 503), (.draining, 503), (.failed(reason: "dead"), 503),
    ])
    func healthFollowsEngine(_ health: EngineHealth, _ status: Int) async throws {
        let server = TestServer()
        server.engine.state.withLock { $0.health = health }
        let response = try await server.run { client in try await client.get("/health") }
        #expect(response.status.code == status)
        if status != 200 { #expect(response.error["type"] as? String == "service_unavailable_error") }
    }

    /// Oracle: §F.1 — even framework 404s use the OpenAI envelope; every response carries `x-request-id`.
    @Test func unknownRouteUsesEnvelopeAndRequestID() async throws {
        let server = TestServer()
        let response = try await server.run { client in try await client.get("/v1/nothing") }
        #expect(response.status == .notFound)
        #expect(response.error["type"] as? String == "not_found_error")
        let id = try #require(response.headers[.xRequestIDTest])
        #expect(id.count == 32)
    }

    /// Oracle: the request-id rule — unprintable or oversized client ids are replaced.
    @Test func unacceptableClientRequestIDIsReplaced() async throws {
        let server = TestServer()
        let long = String(repeating: "a", count: 200)
        let response = try await server.run { client in
            try await client.post("/v1/completions", json: #"{"prompt": "x"}"#, headers: [.xRequestIDTest: long])
        }
        #expect(response.headers[.xRequestIDTest]?.count == 32)
    }
}
