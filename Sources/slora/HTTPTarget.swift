// `slora bench serve --url`: requests go to a running `slora serve` as streaming `/v1/completions`
// (token-id prompt, greedy, `ignore_eos`, `max_tokens` = the output length) through Foundation's
// URLSession with a data delegate, so each SSE chunk is seen as it arrives: the first chunk carrying a
// token times the first token (S-LoRA's client times the first HTTP chunk). 503s and SSE error events
// about deadlines or a full queue count as aborted.

import Foundation
import Synchronization
import Workload

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A running server as a benchmark target.
final class HTTPTarget: NSObject, ServeBenchTarget, URLSessionDataDelegate, @unchecked Sendable {
    /// One request in flight.
    private struct Pending {
        var outcome: RequestOutcome
        let origin: ContinuousClock.Instant
        let progress: BenchProgress
        let continuation: CheckedContinuation<RequestOutcome, Never>
        var status = 0
        var buffer = Data()
        var body = Data()
    }

    let baseURL: URL
    /// The base model's served name (requests without an adapter name it).
    let baseModel: String
    let adapterNames: [String]
    let baseOnly: Bool
    private let pending = Mutex<[Int: Pending]>([:])
    /// Set once in init (the session needs `self` as its delegate); it holds the delegate until invalidated.
    private var session: URLSession!

    init(baseURL: URL, baseModel: String, adapterNames: [String], baseOnly: Bool) {
        self.baseURL = baseURL
        self.baseModel = baseModel
        self.adapterNames = adapterNames
        self.baseOnly = baseOnly
        super.init()
        let configuration = URLSessionConfiguration.default
        configuration.httpMaximumConnectionsPerHost = 100_000
        configuration.timeoutIntervalForRequest = 3600
        configuration.timeoutIntervalForResource = 24 * 3600
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
    }

    func invalidate() { session.finishTasksAndInvalidate() }

    // MARK: - Sending

    func send(_ request: BenchRequest, origin: ContinuousClock.Instant, progress: BenchProgress) async -> RequestOutcome {
        let trace = request.trace
        let model = baseOnly ? baseModel : trace.adapter.map { adapterNames[$0] } ?? baseModel
        let body: [String: Any] = [
            "model": model, "prompt": request.prompt.map { Int($0) }, "max_tokens": trace.outputLength, "temperature": 0,
            "ignore_eos": true, "stream": true, "stream_options": ["include_usage": true],
        ]
        var urlRequest = URLRequest(url: baseURL.appendingPathComponent("v1/completions"))
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.httpBody = try? JSONSerialization.data(withJSONObject: body)
        let sentAt = ContinuousClock.now
        let outcome = RequestOutcome(
            index: request.index, adapter: trace.adapter, promptLength: trace.promptLength, outputLength: trace.outputLength,
            scheduled: trace.arrival, sent: sentAt.seconds(since: origin), firstToken: nil, finished: 0, generatedTokens: 0,
            status: .failed)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<RequestOutcome, Never>) in
            let task = session.dataTask(with: urlRequest)
            pending.withLock {
                $0[task.taskIdentifier] = Pending(outcome: outcome, origin: origin, progress: progress, continuation: continuation)
            }
            task.resume()
        }
        progress.requestEnded(result.status == .completed ? .completed : result.status == .aborted ? .aborted : .failed)
        return result
    }

    // MARK: - URLSessionDataDelegate

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        pending.withLock { $0[dataTask.taskIdentifier]?.status = status }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let now = ContinuousClock.now
        pending.withLock { all in
            guard var p = all[dataTask.taskIdentifier] else { return }
            if p.status != 200 {
                p.body.append(data)
            } else {
                p.buffer.append(data)
                Self.consumeEvents(&p, now: now)
            }
            all[dataTask.taskIdentifier] = p
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard var p = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        p.outcome.finished = ContinuousClock.now.seconds(since: p.origin)
        if let error {
            p.outcome.status = .failed
            p.outcome.error = error.localizedDescription
        } else if p.status != 200 {
            p.outcome.status = p.status == 503 ? .aborted : .failed
            p.outcome.error = "HTTP \(p.status): \(String(decoding: p.body.prefix(300), as: UTF8.self))"
        } else if p.outcome.error == nil {
            p.outcome.status = .completed
        }
        p.continuation.resume(returning: p.outcome)
    }

    // MARK: - Server-sent events

    /// Takes the complete `data: ...\n\n` events out of `p.buffer`: a chunk with text counts one token;
    /// an error event marks the request aborted (deadline, queue) or failed.
    private static func consumeEvents(_ p: inout Pending, now: ContinuousClock.Instant) {
        let separator = Data("\n\n".utf8)
        while let range = p.buffer.range(of: separator) {
            let event = p.buffer.subdata(in: p.buffer.startIndex..<range.lowerBound)
            p.buffer.removeSubrange(p.buffer.startIndex..<range.upperBound)
            guard event.starts(with: Data("data: ".utf8)) else { continue }
            let payload = event.dropFirst(6)
            if payload.elementsEqual(Data("[DONE]".utf8)) { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else { continue }
            if let error = object["error"] {
                let text = "\(error)"
                let lower = text.lowercased()
                p.outcome.status = lower.contains("deadline") || lower.contains("queue") ? .aborted : .failed
                p.outcome.error = text
                continue
            }
            if let usage = object["usage"] as? [String: Any], let completion = usage["completion_tokens"] as? Int {
                p.outcome.generatedTokens = completion  // exact even where a token's text was held back
                continue
            }
            guard let choices = object["choices"] as? [[String: Any]], let choice = choices.first,
                let text = choice["text"] as? String, !text.isEmpty
            else { continue }
            if p.outcome.firstToken == nil { p.outcome.firstToken = now.seconds(since: p.origin) }
            p.outcome.generatedTokens += 1
            p.progress.tokenArrived()
        }
    }

    // MARK: - Discovery

    /// The base model's name from `GET /v1/models` (the entry without a parent).
    static func baseModelName(at baseURL: URL) async throws -> String {
        let url = baseURL.appendingPathComponent("v1/models")
        let data: Data = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: url) { data, response, error in
                if let error {
                    return continuation.resume(
                        throwing: ServeBenchError.server(url: url.absoluteString, reason: error.localizedDescription))
                }
                guard let data, (response as? HTTPURLResponse)?.statusCode == 200 else {
                    return continuation.resume(throwing: ServeBenchError.server(url: url.absoluteString, reason: "did not answer 200"))
                }
                continuation.resume(returning: data)
            }.resume()
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let models = object["data"] as? [[String: Any]],
            let base = models.first(where: { $0["parent"] == nil || $0["parent"] is NSNull }),
            let id = base["id"] as? String
        else { throw ServeBenchError.server(url: url.absoluteString, reason: "no base model in the answer") }
        return id
    }
}

