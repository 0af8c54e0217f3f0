// The serving engine: one dedicated thread (not the Swift concurrency pool) owns the EngineCore —
// scheduler, pool, model, backend — and steps it while there is work; the async side talks to it only
// through the EngineMailbox (a Mutex-protected inbox plus a semaphore) and per-request
// AsyncThrowingStreams. Submission (EngineLoop+Submit.swift) and adapter management
// (EngineLoop+Adapters.swift) run on the caller's task and never block on a step.

import Adapters
import Backend
import ChatTemplates
import Checkpoint
import Foundation
import Llama
import MemoryPool
import Tokenization

/// The running engine. Thread-safe; every method may be called from any task.
///
/// ```swift
/// let engine = EngineLoop(model: llama, configuration: configuration, tokenizer: tokenizer, chatTemplate: template)
/// let events = try engine.submit(GenerationInput(model: nil, prompt: .text("Hello", addSpecialTokens: true)))
/// for try await event in events { ... }   // leaving the loop early cancels the request
/// await engine.drain(timeout: .seconds(30)); await engine.shutdown()
/// ```
public final class EngineLoop<B: ComputeBackend>: Sendable {
    public let configuration: EngineConfiguration
    public let renderer: PromptRenderer
    public let modelConfiguration: LlamaConfiguration
    /// One rank's pool geometry (every rank's under tensor parallelism).
    public let geometry: PageGeometry
    /// Ranks the model is split over (1: no tensor parallelism).
    public let tensorParallelSize: Int
    /// Tokens that end generation unless `ignore_eos`.
    public let eosTokenIDs: Set<Int32>
    /// Unix seconds when the engine started (the base model's `created`).
    public let created: Int
    let mailbox = EngineMailbox()

    /// Starts the engine thread on `model`, with a pool of `configuration.pageCount` pages.
    /// - Parameters:
    ///   - tokenizer: nil serves token-id prompts only (token texts are then empty).
    ///   - chatTemplate: nil refuses chat prompts.
    ///   - eosTokenIDs: ids that end generation; nil takes the model's and the tokenizer's EOS ids.
    public convenience init(
        model: LlamaModel<B>, configuration: EngineConfiguration, tokenizer: (any TextTokenizer)?,
        chatTemplate: ChatTemplate?, eosTokenIDs: Set<Int32>? = nil
    ) {
        self.init(
            executor: SingleModelExecutor(model: model, pageCount: configuration.pageCount), configuration: configuration,
            tokenizer: tokenizer, chatTemplate: chatTemplate, eosTokenIDs: eosTokenIDs)
    }

    /// Starts the engine thread on `executor` (one model, or the ranks of a tensor-parallel group); the
    /// engine thread owns it from now on and shuts it down when the engine stops.
    /// - Precondition: `configuration.pageCount == executor.pageCount`.
    public init(
        executor: any StepExecutor<B>, configuration: EngineConfiguration, tokenizer: (any TextTokenizer)?,
        chatTemplate: ChatTemplate?, eosTokenIDs: Set<Int32>? = nil
    ) {
        precondition(
            configuration.pageCount == executor.pageCount,
            "the configuration has \(configuration.pageCount) pool pages, the executor \(executor.pageCount)")
        let config = executor.config
        var configuration = configuration
        configuration.maxModelLength = min(configuration.maxModelLength, config.maxPositionEmbeddings)
        configuration.scheduler.maxWaitingRequests = nil  // bounded here, at submission
        self.configuration = configuration
        self.renderer = PromptRenderer(tokenizer: tokenizer, chatTemplate: chatTemplate, vocabularySize: config.vocabularySize)
        self.modelConfiguration = config
        self.geometry = executor.geometry
        self.tensorParallelSize = executor.worldSize
        self.eosTokenIDs = eosTokenIDs ?? Set((config.eosTokenIDs + (tokenizer?.eosTokenIDs ?? [])).map { Int32($0) })
        self.created = Int(Date().timeIntervalSince1970)
        let core = EngineCore(
            executor: executor, scheduler: configuration.scheduler, tokenizer: tokenizer,
            retryAfterSeconds: configuration.retryAfterSeconds)
        mailbox.publish(core.snapshot())
        EngineThread(core: core, mailbox: mailbox).start()
    }

    deinit { mailbox.post(.stop) }

    // MARK: - Lifecycle

    public var phase: EnginePhase { mailbox.withState { $0.phase } }

    /// Refuses new requests from now on (`SubmissionError.draining`); in-flight ones continue.
    public func beginDraining() {
        mailbox.withState { if $0.phase == .running { $0.phase = .draining } }
    }

    /// Begins draining and waits until every admitted request has ended or `timeout` passed.
    /// - Returns: true when nothing is left in flight.
    @discardableResult
    public func drain(timeout: Duration) async -> Bool {
        beginDraining()
        let deadline = ContinuousClock.now + timeout
        while true {
            let live = mailbox.withState { $0.snapshot.liveRequestCount + $0.pendingSubmissions }
            if live == 0 { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Ends every live request with finish reason `abort`, stops the thread and waits for it.
    public func shutdown() async {
        beginDraining()
        mailbox.post(.stop)
        while mailbox.withState({ $0.phase }) != .stopped { try? await Task.sleep(for: .milliseconds(2)) }
    }

    // MARK: - Observation

    /// The engine's state after its last step; `waitingCount` includes submissions not yet picked up.
    public func snapshot() -> EngineSnapshot {
        mailbox.withState { s in
            var snapshot = s.snapshot
            snapshot.waitingCount += s.pendingSubmissions
            snapshot.liveRequestCount += s.pendingSubmissions
            return snapshot
        }
    }

    /// Pool pages `adapter` takes (on every rank: its tensor-parallel shard's layout sizes them).
    func adapterPageCount(_ adapter: LoRAAdapter) -> Int {
        geometry.adapterPageCount(elementCount: adapter.shardLayout(worldSize: tensorParallelSize).elementCount)
    }

    /// The base model, then the served adapters in load order.
    public func models() -> [ServedModelInfo] {
        let adapters = mailbox.withState { Array($0.adapters.values) }.sorted { $0.order < $1.order }
        let base = ServedModelInfo(
            id: configuration.servedModelName, root: configuration.modelPath, parent: nil,
            maxModelLength: configuration.maxModelLength, created: created)
        return [base]
            + adapters.map {
                ServedModelInfo(
                    id: $0.name, root: $0.path, parent: configuration.servedModelName, maxModelLength: nil,
                    created: $0.created)
            }
    }
}
