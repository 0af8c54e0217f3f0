// `slora bench serve --url`: requests go to a running `slora serve` as streaming `/v1/completions`
// (token-id prompt, greedy, `ignore_eos`, `max_tokens` = the output length) through AsyncHTTPClient
// (SwiftNIO), reading the body as it arrives: the first SSE chunk carrying a token times the first
// token (S-LoRA's client times the first HTTP chunk). 503s and SSE error events about deadlines or a
// full queue count as aborted.

import AsyncHTTPClient
import Foundation
import NIOCore
import Workload

/// A running server as a benchmark target.
final class HTTPTarget: ServeBenchTarget {
    let baseURL: URL
    /// The base model's served name (requests without an adapter name it).
    let baseModel: String
    let adapterNames: [String]
    let baseOnly: Bool
    private let client: HTTPClient

    init(baseURL: URL, baseModel: String, adapterNames: [String], baseOnly: Bool) {
        self.baseURL = baseURL
        self.baseModel = baseModel
        self.adapterNames = adapterNames
        self.baseOnly = baseOnly
        client = Self.makeClient()
    }

    /// A client that opens as many connections as there are requests in flight (one stream each).
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 100_000
        configuration.timeout = .init(connect: .seconds(30))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func shutdown() async { try? await client.shutdown() }

    // MARK: - Sending

    func send(_ request: BenchRequest, origin: ContinuousClock.Instant, progress: BenchProgress) async -> RequestOutcome {
        let trace = request.trace
        let model = baseOnly ? baseModel : trace.adapter.map { adapterNames[$0] } ?? baseModel
        let body: [String: Any] = [
            "model": model, "prompt": request.prompt.map { Int($0) }, "max_tokens": trace.outputLength, "temperature": 0,
            "ignore_eos": true, "stream": true, "stream_options": ["include_usage": true],
        ]
        var http = HTTPClientRequest(url: baseURL.appendingPathComponent("v1/completions").absoluteString)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.body = .bytes(ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: body)) ?? Data()))
        var outcome = RequestOutcome(
            index: request.index, adapter: trace.adapter, promptLength: trace.promptLength, outputLength: trace.outputLength,
            scheduled: trace.arrival, sent: ContinuousClock.now.seconds(since: origin), firstToken: nil, finished: 0,
            generatedTokens: 0, status: .failed)
        do {
            let response = try await client.execute(http, timeout: .hours(24))
            if response.status != .ok {
                let text = try await response.body.collect(upTo: 1 << 16)
                outcome.status = response.status.code == 503 ? .aborted : .failed
                outcome.error = "HTTP \(response.status.code): \(String(buffer: text).prefix(300))"
            } else {
                var events = ServerSentEvents()
                for try await chunk in response.body {
                    events.append(chunk.readableBytesView)
                    events.consume(into: &outcome, origin: origin, progress: progress)
                }
                if outcome.error == nil { outcome.status = .completed }
            }
        } catch {
            outcome.status = .failed
            outcome.error = "\(error)"
        }
        outcome.finished = ContinuousClock.now.seconds(since: origin)
        progress.requestEnded(outcome.status == .completed ? .completed : outcome.status == .aborted ? .aborted : .failed)
        return outcome
    }

    // MARK: - Discovery

    /// The base model's name from `GET /v1/models` (the entry without a parent).
    static func baseModelName(at baseURL: URL) async throws -> String {
        let url = baseURL.appendingPathComponent("v1/models").absoluteString
        let client = makeClient()
        defer { Task { try? await client.shutdown() } }
        let bytes: ByteBuffer
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            guard response.status == .ok else { throw ServeBenchError.server(url: url, reason: "answered \(response.status.code)") }
            bytes = try await response.body.collect(upTo: 1 << 24)
        } catch let error as ServeBenchError {
            throw error
        } catch {
            throw ServeBenchError.server(url: url, reason: "\(error)")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any],
            let models = object["data"] as? [[String: Any]],
            let base = models.first(where: { $0["parent"] == nil || $0["parent"] is NSNull }),
            let id = base["id"] as? String
        else { throw ServeBenchError.server(url: url, reason: "no base model in the answer") }
        return id
    }
}

/// The `data: ...\n\n` events of a streaming completion as they arrive in pieces.
struct ServerSentEvents {
    private var buffer: [UInt8] = []

    mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    /// Takes the complete events out of the buffer: a chunk with text counts one token; an error event
    /// marks the request aborted (deadline, queue) or failed; the usage chunk gives the exact count.
    mutating func consume(into outcome: inout RequestOutcome, origin: ContinuousClock.Instant, progress: BenchProgress) {
        let now = ContinuousClock.now
        var start = 0
        var i = 0
        while i + 1 < buffer.count {
            guard buffer[i] == 10, buffer[i + 1] == 10 else {
                i += 1
                continue
            }
            let event = buffer[start..<i]
            i += 2
            start = i
            guard event.starts(with: Array("data: ".utf8)) else { continue }
            let payload = Data(event.dropFirst(6))
            if payload.elementsEqual(Array("[DONE]".utf8)) { continue }
            guard let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any] else { continue }
            if let error = object["error"] {
                let text = "\(error)"
                let lower = text.lowercased()
                outcome.status = lower.contains("deadline") || lower.contains("queue") ? .aborted : .failed
                outcome.error = text
                continue
            }
            if let usage = object["usage"] as? [String: Any], let completion = usage["completion_tokens"] as? Int {
                outcome.generatedTokens = completion  // exact even where a token's text was held back
                continue
            }
            guard let choices = object["choices"] as? [[String: Any]], let choice = choices.first,
                let text = choice["text"] as? String, !text.isEmpty
            else { continue }
            if outcome.firstToken == nil { outcome.firstToken = now.seconds(since: origin) }
            outcome.generatedTokens += 1
            progress.tokenArrived()
        }
        buffer.removeFirst(start)
    }
}
