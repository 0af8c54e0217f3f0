// A client that goes away must cancel its request in the engine (formats-and-api.md §E.1, §E.3 item 10:
// "Request not aborted on disconnect"). Oracle: FakeEngine's `onTermination` reports `.cancelled` for the
// request id, observed (not timed) through its terminations stream.

import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OpenAIAPI
import Testing

@testable import Server

@Suite(.timeLimit(.minutes(1))) struct DisconnectTests {
    static func heldEngine() -> FakeEngine {
        var script = FakeEngine.Script()
        script.hold = true
        return FakeEngine(script: script)
    }

    static func request(_ id: String) -> EngineRequest {
        EngineRequest(
            id: id, model: nil, prompt: .text("x", addSpecialTokens: true), sampling: SamplingOptions(),
            arrivalTime: .now)
    }

    /// A response write that fails (client gone) ends the SSE loop and drops the stream → cancelled.
    @Test func failedWriteCancelsEngineRequest() async throws {
        let engine = Self.heldEngine()
        let metrics = ServerMetrics(registry: .init(), modelName: "m")
        do {
            let stream = try await engine.submit(Self.request("r1"))
            var writer: any ResponseBodyWriter = FailingWriter(writesBeforeFailure: 1)
            var timeline = RequestTimeline(arrival: .now, metrics: metrics)
            let formatter = CompletionFormatter(id: "cmpl-r1", created: 0, model: "m", wantsLogprobs: false)
            await #expect(throws: FailingWriter.Failure.self) {
                try await GenerationResponder.stream(
                    stream, into: &writer, formatter: formatter, includeUsage: false, timeline: &timeline,
                    logger: Logger(label: "test"))
            }
        }
        var terminations = engine.terminations.makeAsyncIterator()
        let termination = await terminations.next()
        #expect(termination?.0 == "r1")
        #expect(termination?.1 == .cancelled)
    }

    /// Cancelling the consuming task (what `consumeWithCancellationOnInboundClose` does on disconnect)
    /// terminates the engine stream as cancelled.
    @Test func cancelledConsumerCancelsEngineRequest() async throws {
        let engine = Self.heldEngine()
        let metrics = ServerMetrics(registry: .init(), modelName: "m")
        let stream = try await engine.submit(Self.request("r2"))
        let consumer = Task {
            var timeline = RequestTimeline(arrival: .now, metrics: metrics)
            return try await GenerationResponder.collect(
                stream, timeline: &timeline, wantsLogprobs: false, logger: Logger(label: "test"))
        }
        consumer.cancel()
        var terminations = engine.terminations.makeAsyncIterator()
        let termination = await terminations.next()
        #expect(termination?.0 == "r2")
        #expect(termination?.1 == .cancelled)
        await #expect(throws: (any Error).self) { try await consumer.value }
    }

    /// Over real sockets: closing the connection mid-stream cancels the engine request.
    @Test(arguments: [true, false]) func hangingUpCancelsEngineRequest(streaming: Bool) async throws {
        let engine = Self.heldEngine()
        let router = buildRouter(engine: engine, configuration: ServerConfiguration(servedModelName: "m"))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let connection = try await RawHTTPConnection.open(port: port)
            try await connection.post(path: "/v1/completions", json: #"{"prompt": "x", "stream": \#(streaming)}"#)
            if streaming {
                _ = try await connection.receive(until: "Hel")
            } else {
                var admissions = engine.admissions.makeAsyncIterator()
                _ = await admissions.next()
            }
            connection.hangUp()
            var terminations = engine.terminations.makeAsyncIterator()
            let termination = await terminations.next()
            #expect(termination?.1 == .cancelled)
        }
    }
}

// MARK: - FailingWriter

/// A response writer whose writes fail after a number of successes, like a socket whose peer left.
struct FailingWriter: ResponseBodyWriter {
    struct Failure: Error {}
    var writesBeforeFailure: Int

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard writesBeforeFailure > 0 else { throw Failure() }
        writesBeforeFailure -= 1
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
