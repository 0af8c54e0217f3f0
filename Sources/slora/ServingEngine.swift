// The Server module's `InferenceEngine` over the Engine module's `EngineLoop`: a thin translation
// between the HTTP layer's types (OpenAIAPI, Server) and the engine's own. It lives in the executable
// because Engine must not import Server (ARCHITECTURE.md: layers point down only).

import Backend
import Engine
import Server

/// `slora serve`'s engine as the router sees it.
struct ServingEngine<B: ComputeBackend>: InferenceEngine {
    let engine: EngineLoop<B>

    func submit(_ request: EngineRequest) async throws(EngineSubmitError) -> AsyncThrowingStream<TokenEvent, any Error> {
        let input = GenerationInput(
            model: request.model, prompt: EngineBridge.prompt(request.prompt), parameters: EngineBridge.parameters(request.sampling),
            arrival: request.arrivalTime)
        do {
            return try engine.submit(input, event: EngineBridge.event, failure: EngineBridge.failure)
        } catch {
            throw EngineBridge.submitError(error)
        }
    }

    func models() async -> [ServedModel] {
        engine.models().map {
            ServedModel(id: $0.id, root: $0.root, parent: $0.parent, maxModelLength: $0.maxModelLength, created: $0.created)
        }
    }

    func loadAdapter(name: String, path: String) async throws(AdapterLoadError) {
        do {
            try await engine.loadAdapter(name: name, path: path)
        } catch {
            throw EngineBridge.adapterError(error, name: name)
        }
    }

    func unloadAdapter(name: String) async throws(AdapterLoadError) {
        do {
            try engine.unloadAdapter(name: name)
        } catch {
            throw EngineBridge.adapterError(error, name: name)
        }
    }

    func health() async -> EngineHealth {
        switch engine.phase {
        case .running: .ready
        case .draining: .draining
        case .stopped: .failed(reason: "the engine has stopped")
        }
    }

    func stats() async -> EngineStats {
        let s = engine.snapshot()
        return EngineStats(
            runningRequestCount: s.runningCount, waitingRequestCount: s.waitingCount, kvCacheUsage: s.poolUsage,
            runningAdapters: s.runningAdapters, waitingAdapters: s.waitingAdapters,
            maxAdaptersPerBatch: engine.configuration.scheduler.maxAdaptersPerStep ?? 0,
            pageCount: s.pageCount, usedPageCount: s.usedPageCount, adapterPageCount: s.adapterPageCount,
            liveRequestCount: s.liveRequestCount, preemptionCount: s.preemptionCount)
    }
}
