// A scripted InferenceEngine for router tests: it streams a fixed list of tokens, counts prompt length in
// characters (text) or ids, serves a base model plus adapters in memory, and records every submission and
// stream termination so tests can check what reached the engine and that disconnects cancelled it.

import Foundation
import OpenAIAPI
import Server
import Synchronization

// MARK: - FakeEngine

final class FakeEngine: InferenceEngine {
    /// What each submitted request streams.
    struct Script: Sendable {
        var tokens: [GeneratedToken] = [
            GeneratedToken(id: 101, text: "Hel"), GeneratedToken(id: 102, text: "lo"),
            GeneratedToken(id: 103, text: ""), GeneratedToken(id: 104, text: " world"),
        ]
        var finishReason: FinishReason = .length
        var stopReason: StopReason? = nil
        /// Thrown after the tokens instead of finishing.
        var failure: EngineStreamError? = nil
        /// Yield the tokens, then neither finish nor fail until ``FakeEngine/releaseHeld()``.
        var hold = false
    }

    /// How a request's stream ended, as `onTermination` reported it.
    enum Termination: Sendable, Equatable {
        case finished, cancelled
    }

    static let baseName = "base-model"
    static let maxModelLength = 64

    let state = Mutex(State())
    /// One element per `onTermination` call: (request id, how).
    let terminations: AsyncStream<(String, Termination)>
    private let terminationSink: AsyncStream<(String, Termination)>.Continuation
    /// One element per admitted request id.
    let admissions: AsyncStream<String>
    private let admissionSink: AsyncStream<String>.Continuation

    struct State {
        var script = Script()
        var submitError: EngineSubmitError?
        var submitted: [EngineRequest] = []
        var models: [ServedModel] = [
            ServedModel(id: FakeEngine.baseName, root: "/models/base", parent: nil, maxModelLength: 64, created: 1_700_000_000),
            ServedModel(id: "sql", root: "/adapters/sql", parent: FakeEngine.baseName, maxModelLength: nil, created: 1_700_000_001),
        ]
        var health: EngineHealth = .ready
        var stats = EngineStats()
        var held: [AsyncThrowingStream<TokenEvent, any Error>.Continuation] = []
    }

    init(script: Script = Script()) {
        (terminations, terminationSink) = AsyncStream.makeStream()
        (admissions, admissionSink) = AsyncStream.makeStream()
        state.withLock { $0.script = script }
    }

    var submitted: [EngineRequest] { state.withLock { $0.submitted } }

    /// Finishes every held stream with its script's finish event.
    func releaseHeld() {
        let (held, script) = state.withLock { state in
            defer { state.held = [] }
            return (state.held, state.script)
        }
        for continuation in held {
            continuation.yield(.finished(script.finishReason, stopReason: nil, usage: Usage(promptTokens: 1, completionTokens: 1)))
            continuation.finish()
        }
    }

    // MARK: - InferenceEngine

    func submit(_ request: EngineRequest) async throws(EngineSubmitError) -> AsyncThrowingStream<TokenEvent, any Error> {
        let (script, error, models) = state.withLock { ($0.script, $0.submitError, $0.models) }
        if let error { throw error }
        if let model = request.model, !models.contains(where: { $0.id == model }) { throw .unknownModel(model) }
        let promptLength = Self.promptLength(request.prompt)
        if promptLength > Self.maxModelLength {
            throw .promptTooLong(promptTokenCount: promptLength, maxModelLength: Self.maxModelLength)
        }
        if let maxTokens = request.sampling.maxTokens, promptLength + maxTokens > Self.maxModelLength {
            throw .contextLengthExceeded(
                promptTokenCount: promptLength, maxTokens: maxTokens, maxModelLength: Self.maxModelLength)
        }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: TokenEvent.self)
        let id = request.id
        let sink = terminationSink
        continuation.onTermination = { termination in
            if case .cancelled = termination { sink.yield((id, .cancelled)) } else { sink.yield((id, .finished)) }
        }
        state.withLock { $0.submitted.append(request) }
        for token in script.tokens {
            var token = token
            if request.sampling.logprobs == nil { token.logprob = nil }
            continuation.yield(.token(token))
        }
        if script.hold {
            state.withLock { $0.held.append(continuation) }
        } else if let failure = script.failure {
            continuation.finish(throwing: failure)
        } else {
            let usage = Usage(promptTokens: promptLength, completionTokens: script.tokens.count)
            continuation.yield(.finished(script.finishReason, stopReason: script.stopReason, usage: usage))
            continuation.finish()
        }
        admissionSink.yield(id)
        return stream
    }

    func models() async -> [ServedModel] {
        state.withLock { $0.models }
    }

    func loadAdapter(name: String, path: String) async throws(AdapterLoadError) {
        try state.withLock { state throws(AdapterLoadError) in
            if name == Self.baseName { throw .nameTaken(name: name) }
            if state.models.contains(where: { $0.id == name }) { throw .alreadyLoaded(name: name) }
            if path.hasPrefix("/missing") { throw .pathNotFound(path: path) }
            if path.contains("invalid") { throw .invalidAdapter(name: name, reason: "adapter_config.json is not JSON") }
            state.models.append(ServedModel(id: name, root: path, parent: Self.baseName, maxModelLength: nil, created: 1_700_000_100))
        }
    }

    func unloadAdapter(name: String) async throws(AdapterLoadError) {
        try state.withLock { state throws(AdapterLoadError) in
            guard let index = state.models.firstIndex(where: { $0.id == name && $0.parent != nil }) else {
                throw .notLoaded(name: name)
            }
            state.models.remove(at: index)
        }
    }

    func health() async -> EngineHealth {
        state.withLock { $0.health }
    }

    func stats() async -> EngineStats {
        state.withLock { $0.stats }
    }

    // MARK: - Prompt length

    /// Characters of text and chat content, or the number of ids: a stand-in for a tokenizer.
    static func promptLength(_ prompt: GenerationPrompt) -> Int {
        switch prompt {
        case .text(let text, _): text.count
        case .tokenIDs(let ids): ids.count
        case .chat(let chat): chat.messages.reduce(0) { $0 + ($1.content?.count ?? 0) }
        }
    }
}
