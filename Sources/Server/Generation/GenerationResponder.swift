// One generation request from admission to the last byte: the in-flight gate, `engine.submit`, then either
// collecting the tokens into one JSON body or streaming them as server-sent events. Disconnects end the
// engine stream: the consuming task is cancelled when the client's connection closes
// (`consumeWithCancellationOnInboundClose`), and a failed write or a dropped body drops the stream, whose
// `onTermination` tells the engine to abort (formats-and-api.md §E.1, §E.3 item 10). Watching the
// connection consumes its inbound side, so Hummingbird closes it after the response; generation responses
// therefore say `Connection: close` and clients open a new connection for the next request.

import Foundation
import Hummingbird
import Logging
import OpenAIAPI

// MARK: - GenerationResponder

/// Runs validated generation requests against the engine.
struct GenerationResponder: Sendable {
    let engine: any InferenceEngine
    let metrics: ServerMetrics
    let gate: AdmissionGate
    /// `retry-after` seconds when the gate is full.
    let retryAfterSeconds: Int

    /// Submits `validated` and answers with JSON or an SSE stream. Rejections before the first byte throw
    /// ``OpenAIError`` with their own status.
    func respond(
        to request: Request, context: ServerRequestContext, validated: ValidatedGenerationRequest,
        formatter: some GenerationFormatter, arrival: ContinuousClock.Instant
    ) async throws -> Response {
        guard let ticket = gate.admit() else {
            metrics.recordRejection(reason: "max_in_flight")
            throw OpenAIError.overloaded(
                code: "queue_full", message: "Too many requests in flight; retry later.",
                retryAfterSeconds: retryAfterSeconds)
        }
        let engineRequest = EngineRequest(
            id: context.effectiveRequestID, model: validated.model, prompt: validated.prompt,
            sampling: validated.sampling, arrivalTime: arrival)
        let stream: AsyncThrowingStream<TokenEvent, any Error>
        do {
            stream = try await engine.submit(engineRequest)
        } catch {
            metrics.recordRejection(reason: error.metricReason)
            if case .failed(let reason) = error { context.logger.error("Engine failed: \(reason)") }
            throw OpenAIError(error)
        }
        let metrics = self.metrics
        let logger = context.logger
        let wantsLogprobs = validated.sampling.logprobs != nil
        guard validated.stream else {
            let output = try await request.body.consumeWithCancellationOnInboundClose { _ in
                var timeline = RequestTimeline(arrival: arrival, metrics: metrics)
                return try await Self.collect(stream, timeline: &timeline, wantsLogprobs: wantsLogprobs, logger: logger)
            }
            withExtendedLifetime(ticket) {}
            let data = try formatter.body(for: output)
            return Response(
                status: .ok, headers: [.contentType: "application/json", .connection: "close"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        let includeUsage = validated.includeUsage
        let body = ResponseBody { writer in
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                var timeline = RequestTimeline(arrival: arrival, metrics: metrics)
                try await Self.stream(
                    stream, into: &writer, formatter: formatter, includeUsage: includeUsage, timeline: &timeline,
                    logger: logger)
            }
            try await writer.finish(nil)
            // The slot is held until the stream is written out (or this closure is dropped).
            withExtendedLifetime(ticket) {}
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .connection: "close"],
            body: body)
    }

    // MARK: - Non-streaming

    /// Reads the whole stream into one result.
    static func collect(
        _ stream: AsyncThrowingStream<TokenEvent, any Error>, timeline: inout RequestTimeline, wantsLogprobs: Bool,
        logger: Logger
    ) async throws -> CollectedGeneration {
        var text = ""
        var logprobs: [TokenLogprob] = []
        do {
            for try await event in stream {
                switch event {
                case .token(let token):
                    timeline.tokenArrived()
                    text += token.text
                    if let logprob = token.logprob { logprobs.append(logprob) }
                case .finished(let reason, let stopReason, let usage):
                    timeline.finished(reason: reason, usage: usage)
                    return CollectedGeneration(
                        text: text, logprobs: wantsLogprobs ? logprobs : nil, finishReason: reason,
                        stopReason: stopReason, usage: usage)
                }
            }
        } catch {
            throw OpenAIError(streamFailure: error, logger: logger)
        }
        try Task.checkCancellation()
        throw OpenAIError(streamFailure: EngineStreamError.missingFinishEvent, logger: logger)
    }

    // MARK: - Streaming

    /// Writes the SSE events of one request: opening events, one event per token, the finish chunk, the
    /// optional usage chunk, `[DONE]`. An engine failure after the headers were sent becomes an error event
    /// followed by `[DONE]`; a write failure (client gone) propagates and drops the engine stream.
    static func stream(
        _ stream: AsyncThrowingStream<TokenEvent, any Error>, into writer: inout any ResponseBodyWriter,
        formatter: some GenerationFormatter, includeUsage: Bool, timeline: inout RequestTimeline, logger: Logger
    ) async throws {
        // Each `await writer.write` completes before the next event is read, so a slow client slows
        // this loop rather than buffering events without bound.
        for event in try formatter.openingEvents() { try await writer.write(ByteBuffer(bytes: event)) }
        var iterator = stream.makeAsyncIterator()
        var textOffset = 0
        while true {
            let next: TokenEvent?
            do {
                next = try await iterator.next()
            } catch {
                try await writeFailure(OpenAIError(streamFailure: error, logger: logger), into: &writer)
                return
            }
            guard let event = next else {
                // A cancelled consumer (client gone) writes nothing more.
                try Task.checkCancellation()
                let error = OpenAIError(streamFailure: EngineStreamError.missingFinishEvent, logger: logger)
                try await writeFailure(error, into: &writer)
                return
            }
            switch event {
            case .token(let token):
                timeline.tokenArrived()
                if let data = try formatter.tokenEvent(token, textOffset: textOffset) {
                    try await writer.write(ByteBuffer(bytes: data))
                }
                textOffset += token.text.unicodeScalars.count
            case .finished(let reason, let stopReason, let usage):
                timeline.finished(reason: reason, usage: usage)
                let finish = try formatter.finishEvent(reason: reason, stopReason: stopReason)
                try await writer.write(ByteBuffer(bytes: finish))
                if includeUsage { try await writer.write(ByteBuffer(bytes: try formatter.usageEvent(usage))) }
                try await writer.write(ByteBuffer(bytes: ServerSentEvents.done))
                return
            }
        }
    }

    /// `data: {"error": ...}\n\n` then `data: [DONE]\n\n` (formats-and-api.md §A.5 item 7).
    private static func writeFailure(_ error: OpenAIError, into writer: inout any ResponseBodyWriter) async throws {
        var event = Data("data: ".utf8)
        event.append(try error.jsonData())
        event.append(contentsOf: [0x0A, 0x0A])
        try await writer.write(ByteBuffer(bytes: event))
        try await writer.write(ByteBuffer(bytes: ServerSentEvents.done))
    }
}

// MARK: - Error mapping

extension OpenAIError {
    /// The error for a failure thrown by an engine stream; unexpected errors are logged and become a
    /// generic 500.
    init(streamFailure error: any Error, logger: Logger) {
        switch error {
        case let error as OpenAIError:
            self = error
        case let error as EngineStreamError:
            if case .engineFailed(let reason) = error { logger.error("Engine failed during generation: \(reason)") }
            self.init(error)
        case is CancellationError:
            self = .internalError("The request was cancelled.")
        default:
            logger.error("Engine stream error: \(String(reflecting: error))")
            self = .internalError()
        }
    }
}

extension EngineStreamError {
    /// An engine bug: the stream ended without a ``TokenEvent/finished(_:stopReason:usage:)`` event.
    static let missingFinishEvent = EngineStreamError.engineFailed(reason: "stream ended without a finish event")
}

extension EngineSubmitError {
    /// The `reason` label of `vllm:admission_rejections_total`.
    var metricReason: String {
        switch self {
        case .unknownModel: "unknown_model"
        case .promptTooLong, .contextLengthExceeded: "context_length"
        case .invalidPrompt, .unsupported: "invalid_request"
        case .queueFull: "queue_full"
        case .deadlineUnattainable: "deadline"
        case .draining: "draining"
        case .notReady: "not_ready"
        case .failed: "engine_failed"
        }
    }
}
