// Submission: resolve the model name, tokenize (chat template first), check the context and the
// pool, bound the queue, then post the prepared request to the engine thread and hand back its event
// stream. Runs on the caller's task; everything refused here is refused before any output.

import Backend
import Foundation

extension EngineLoop {
    /// Admits a request and returns its events: one `.token` per generated token, then `.finished`.
    /// Ending the iteration early (or dropping the stream) cancels the request; its pages are freed
    /// within one step. Failures after admission are thrown as ``GenerationFailure``.
    public func submit(_ input: GenerationInput) throws(SubmissionError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        try submit(input, event: { $0 }, failure: { $0 })
    }

    /// ``submit(_:)`` with events and failures mapped into the caller's types on the engine thread
    /// (no extra task per request).
    public func submit<Element: Sendable>(
        _ input: GenerationInput, event: @escaping @Sendable (GenerationEvent) -> Element,
        failure: @escaping @Sendable (GenerationFailure) -> any Error
    ) throws(SubmissionError) -> AsyncThrowingStream<Element, any Error> {
        let name = input.model.flatMap { $0.isEmpty || $0 == configuration.servedModelName ? nil : $0 }
        let adapterPages: Int = try mailbox.withState { (s: inout EngineSharedState) throws(SubmissionError) -> Int in
            guard s.phase == .running else { throw .draining }
            guard let name else { return 0 }
            guard let adapter = s.adapters[name] else { throw .unknownModel(name) }
            return adapter.pageCount
        }
        let prompt = try renderer.tokens(for: input.prompt)
        let maxTokens = try generationLimit(promptCount: prompt.count, requested: input.parameters.maxTokens)
        let capacity = ((configuration.pageCount - adapterPages) / geometry.layerCount) * geometry.tokensPerPage
        if prompt.count + maxTokens > capacity {
            throw .contextLengthExceeded(promptTokenCount: prompt.count, maxTokens: maxTokens, maxModelLength: capacity)
        }
        let parameters = input.parameters
        let sampling = SamplingRow(
            temperature: Float(parameters.temperature ?? configuration.defaultTemperature),
            topP: Float(parameters.topP ?? 1), topK: parameters.topK ?? 0,
            seed: parameters.seed.map { UInt64(bitPattern: $0) } ?? UInt64.random(in: 0...UInt64.max))

        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Element.self, throwing: (any Error).self)
        let sink = GenerationSink.into(continuation, event: event, failure: failure)
        let id = try mailbox.withState { (s: inout EngineSharedState) throws(SubmissionError) -> RequestID in
            guard s.phase == .running else { throw .draining }
            var adapter: AdapterID?
            if let name {
                guard let served = s.adapters[name] else { throw .unknownModel(name) }
                adapter = served.id
            }
            if let limit = configuration.maxQueueLength, s.snapshot.waitingCount + s.pendingSubmissions >= limit {
                throw .queueFull(retryAfterSeconds: configuration.retryAfterSeconds)
            }
            if let slo = configuration.scheduler.timeToFirstTokenSLO, s.snapshot.stepSecondsEstimate > 0 {
                // Optimistic: the queue ahead alone, prefilled at the full budget.
                let tokens = Double(s.snapshot.waitingTokenCount + s.pendingTokens + prompt.count)
                let steps = (tokens / Double(configuration.scheduler.stepTokenBudget)).rounded(.up)
                if Duration.seconds(steps * s.snapshot.stepSecondsEstimate) > slo {
                    throw .deadlineUnattainable(retryAfterSeconds: configuration.retryAfterSeconds)
                }
            }
            let id = RequestID(s.nextRequestID)
            s.nextRequestID += 1
            s.inbox.append(
                .submit(
                    PreparedRequest(
                        id: id, prompt: prompt, adapter: adapter, maxTokens: maxTokens, sampling: sampling,
                        logprobs: parameters.logprobs, stopStrings: parameters.stop,
                        stopTokenIDs: Set(parameters.stopTokenIDs),
                        eosTokenIDs: parameters.ignoreEOS ? [] : eosTokenIDs, arrival: input.arrival, sink: sink)))
            s.pendingSubmissions += 1
            s.pendingTokens += prompt.count
            return id
        }
        mailbox.wake()
        let mailbox = self.mailbox
        continuation.onTermination = { termination in
            if case .cancelled = termination { mailbox.post(.cancel(id)) }
        }
        return stream
    }

    /// The most tokens a request may generate: what it asked for, or what the context leaves.
    func generationLimit(promptCount: Int, requested: Int?) throws(SubmissionError) -> Int {
        let context = configuration.maxModelLength
        guard promptCount < context else { throw .promptTooLong(promptTokenCount: promptCount, maxModelLength: context) }
        let maxTokens = requested ?? (context - promptCount)
        guard maxTokens >= 1 else { throw .invalidPrompt(message: "max_tokens must be at least 1.") }
        if promptCount + maxTokens > context {
            throw .contextLengthExceeded(promptTokenCount: promptCount, maxTokens: maxTokens, maxModelLength: context)
        }
        return maxTokens
    }
}
