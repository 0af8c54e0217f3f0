// `slora bench serve` without --url: requests go straight into an EngineLoop in this process (the same
// engine thread, scheduler and model runner `slora serve` uses, without HTTP): greedy, end-of-sequence
// ignored, so each request generates exactly its output length unless the engine aborts it.

import Backend
import Engine
import Workload

/// The engine in this process as a benchmark target.
struct InProcessTarget<B: ComputeBackend>: ServeBenchTarget {
    let engine: EngineLoop<B>
    /// The served name of adapter i.
    let adapterNames: [String]
    /// Send every request to the base model (n = 0 and the merged-adapter ablation).
    let baseOnly: Bool

    func send(_ request: BenchRequest, origin: ContinuousClock.Instant, progress: BenchProgress) async -> RequestOutcome {
        let sentAt = ContinuousClock.now
        let trace = request.trace
        var outcome = RequestOutcome(
            index: request.index, adapter: trace.adapter, promptLength: trace.promptLength, outputLength: trace.outputLength,
            scheduled: trace.arrival, sent: sentAt.seconds(since: origin), firstToken: nil, finished: 0, generatedTokens: 0,
            status: .failed)
        defer { progress.requestEnded(outcome.status == .completed ? .completed : outcome.status == .aborted ? .aborted : .failed) }
        let model = baseOnly ? nil : trace.adapter.map { adapterNames[$0] }
        let input = GenerationInput(
            model: model, prompt: .tokenIDs(request.prompt),
            parameters: GenerationParameters(temperature: 0, maxTokens: trace.outputLength, ignoreEOS: true), arrival: sentAt)
        let stream: AsyncThrowingStream<GenerationEvent, any Error>
        do {
            stream = try engine.submit(input)
        } catch {
            outcome.finished = ContinuousClock.now.seconds(since: origin)
            outcome.error = error.description
            switch error {
            case .queueFull, .deadlineUnattainable: outcome.status = .aborted
            default: outcome.status = .failed
            }
            return outcome
        }
        do {
            for try await event in stream {
                switch event {
                case .token:
                    if outcome.firstToken == nil { outcome.firstToken = ContinuousClock.now.seconds(since: origin) }
                    outcome.generatedTokens += 1
                    progress.tokenArrived()
                case .finished(let finish):
                    outcome.status = finish.reason == .abort ? .aborted : .completed
                    if finish.reason == .abort { outcome.error = "aborted by the engine" }
                }
            }
        } catch let failure as GenerationFailure {
            outcome.error = failure.description
            if case .deadlineExceeded = failure { outcome.status = .aborted } else { outcome.status = .failed }
        } catch {
            outcome.error = "\(error)"
            outcome.status = .failed
        }
        outcome.finished = ContinuousClock.now.seconds(since: origin)
        return outcome
    }
}
