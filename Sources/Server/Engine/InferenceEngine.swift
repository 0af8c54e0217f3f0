// The seam between the HTTP edge and the engine. The server validates OpenAI requests and turns them into
// ``EngineRequest``s; the engine owns everything model-specific: tokenization, chat templates, context
// limits, adapters, scheduling. Router tests run against a fake; `slora serve` passes the real engine.

import OpenAIAPI

// MARK: - InferenceEngine

/// What the server needs from an engine.
///
/// ## Contract for ``submit(_:)``
/// - Resolve `request.model` (nil = base model; an adapter name selects that adapter), render the chat
///   template and tokenize, check the prompt against the context length, then admit the request to the
///   queue. Every rejection known at that point is thrown as ``EngineSubmitError`` so it becomes a proper
///   HTTP status (404, 400, 503) before any response byte is written.
/// - The returned stream yields one ``TokenEvent/token(_:)`` per generated token, then exactly one
///   ``TokenEvent/finished(_:stopReason:usage:)``, then finishes. A token's `text` is a UTF-8-complete
///   delta and may be empty while the engine holds text back (an incomplete UTF-8 sequence, or a possible
///   stop-string prefix); stop strings never appear in the text. Failures after admission are thrown from
///   the stream as ``EngineStreamError``.
/// - **Cancellation:** the engine must set `continuation.onTermination`. It fires with `.cancelled` when
///   the consumer stops early: the HTTP client disconnected (the server cancels the consuming task), a
///   response write failed, or the stream was dropped. The engine then aborts the request at the next step
///   boundary and frees its pages (formats-and-api.md §E.3 item 10).
///
/// ```swift
/// let stream = try await engine.submit(request)
/// for try await event in stream { ... }   // breaking out of the loop cancels the request
/// ```
public protocol InferenceEngine: Sendable {
    /// Admits a request and returns its token events (see the type's contract).
    func submit(_ request: EngineRequest) async throws(EngineSubmitError) -> AsyncThrowingStream<TokenEvent, any Error>

    /// The base model first, then the served adapters in load order (formats-and-api.md §A.7).
    func models() async -> [ServedModel]

    /// Loads a PEFT adapter directory and serves it as `name`. The adapter is validated completely before
    /// the name is published, and a failed load leaves running requests untouched (§F.4, §E.2 test 7).
    func loadAdapter(name: String, path: String) async throws(AdapterLoadError)

    /// Stops serving `name`: new requests naming it get 404 at once; requests already admitted finish,
    /// and the adapter's pages are freed when the last one ends (§F.3).
    func unloadAdapter(name: String) async throws(AdapterLoadError)

    /// Whether the engine can take requests (`GET /health`).
    func health() async -> EngineHealth

    /// A snapshot of queue, cache and adapter state for `GET /metrics`.
    func stats() async -> EngineStats
}
