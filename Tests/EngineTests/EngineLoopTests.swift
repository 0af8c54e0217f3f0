// The engine thread end to end through its async API on the fixture model: golden streams, submission
// checks, the queue bound, cancellation by the consumer, adapter load/unload during traffic, drain.

import Backend
import CPUBackend
import ChatTemplates
import Engine
import Foundation
import Testing
import Tokenization

@Suite("Engine loop (dedicated thread)")
struct EngineLoopTests {
    static func engine(
        _ fixture: EngineFixture, pages: Int = 2048, maxQueue: Int? = nil, maxRunning: Int = 64,
        tokenizer: (any TextTokenizer)? = nil, template: ChatTemplate? = nil, adapterRoot: String? = nil
    ) async throws -> EngineLoop<CPUBackend> {
        let configuration = EngineConfiguration(
            servedModelName: "tiny", modelPath: fixture.directory.path, pageCount: pages, maxModelLength: 128,
            scheduler: SchedulerConfiguration(stepTokenBudget: 16, maxRunningRequests: maxRunning),
            maxQueueLength: maxQueue, adapterPaths: AdapterPathPolicy(root: adapterRoot))
        let engine = EngineLoop(model: fixture.model, configuration: configuration, tokenizer: tokenizer, chatTemplate: template)
        for name in ["r4-qv", "r8-attn", "r16-pattern"] {
            try await engine.loadAdapter(name: name, path: fixture.adapterDirectory(name).path, restricted: false)
        }
        return engine
    }

    static func greedy(_ maxTokens: Int, ignoreEOS: Bool = true) -> GenerationParameters {
        GenerationParameters(temperature: 0, maxTokens: maxTokens, ignoreEOS: ignoreEOS)
    }

    /// Collects a stream: the token ids and the finish.
    static func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> ([Int32], GenerationFinish?) {
        var ids: [Int32] = []
        for try await event in stream {
            switch event {
            case .token(let token): ids.append(token.id)
            case .finished(let finish): return (ids, finish)
            }
        }
        return (ids, nil)
    }

    /// Waits (bounded) until `condition` holds on the engine's snapshot.
    static func eventually(_ engine: EngineLoop<CPUBackend>, _ condition: (EngineSnapshot) -> Bool) async -> Bool {
        for _ in 0..<20_000 {
            if condition(engine.snapshot()) { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    /// Oracle: HF greedy continuations (golden.json) for the base model and three adapters, submitted
    /// concurrently through the async API; usage counts; afterwards only resident adapters hold pages.
    @Test func concurrentStreamsMatchGolden() async throws {
        let fixture = try EngineFixture()
        let engine = try await Self.engine(fixture)
        let cases = fixture.continuations.filter { $0.adapter != "r64-rslora" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in cases {
                let stream = try engine.submit(
                    GenerationInput(model: c.adapter ?? "tiny", prompt: .tokenIDs(c.prompt), parameters: Self.greedy(12)))
                group.addTask {
                    let (ids, finish) = try await Self.collect(stream)
                    #expect(ids == c.generated)
                    #expect(finish == GenerationFinish(reason: .length, stopCause: nil, promptTokenCount: c.prompt.count, completionTokenCount: 12))
                }
            }
            try await group.waitForAll()
        }
        #expect(await Self.eventually(engine) { $0.liveRequestCount == 0 && $0.usedPageCount == $0.adapterPageCount })
        #expect(engine.models().map(\.id) == ["tiny", "r4-qv", "r8-attn", "r16-pattern"])
        #expect(engine.models().dropFirst().allSatisfy { $0.parent == "tiny" })
        await engine.shutdown()
    }

    /// Oracle: vLLM's submission checks (formats-and-api.md §A.3, §E.2) — each refusal is typed.
    @Test func submissionChecks() async throws {
        let fixture = try EngineFixture()
        let engine = try await Self.engine(fixture)
        func refusal(_ input: GenerationInput) -> SubmissionError? {
            do {
                _ = try engine.submit(input)
                return nil
            } catch { return error }
        }
        #expect(refusal(GenerationInput(model: "nope", prompt: .tokenIDs([5]))) == .unknownModel("nope"))
        #expect(refusal(GenerationInput(model: nil, prompt: .tokenIDs([]))) == .invalidPrompt(message: "The prompt is empty."))
        guard case .invalidPrompt = refusal(GenerationInput(model: nil, prompt: .tokenIDs([5, 256]))) else {
            Issue.record("out-of-vocabulary id accepted")
            return
        }
        guard case .invalidPrompt = refusal(GenerationInput(model: nil, prompt: .text("hi", addSpecialTokens: true))) else {
            Issue.record("text accepted without a tokenizer")
            return
        }
        let long = [Int32](repeating: 5, count: 128)
        #expect(refusal(GenerationInput(model: nil, prompt: .tokenIDs(long))) == .promptTooLong(promptTokenCount: 128, maxModelLength: 128))
        #expect(
            refusal(GenerationInput(model: nil, prompt: .tokenIDs(Array(long[..<100])), parameters: Self.greedy(50)))
                == .contextLengthExceeded(promptTokenCount: 100, maxTokens: 50, maxModelLength: 128))
        await engine.shutdown()
    }

    /// Oracle: the queue bound (issue 4 item 3) — with one running slot and a bound of 2 waiting, the
    /// fourth submission is refused with queue-full while the first still runs (the engine thread is held
    /// in the first request's second step by a gated tokenizer, so no timing is involved).
    @Test func queueBoundRefusesWithRetryAfter() async throws {
        let fixture = try EngineFixture()
        let gate = GatedTokenizer(passing: 2)
        let engine = try await Self.engine(fixture, maxQueue: 2, maxRunning: 1, tokenizer: gate)
        let input = GenerationInput(model: nil, prompt: .tokenIDs([5, 6, 7]), parameters: Self.greedy(120))
        var streams = [try engine.submit(input)]
        #expect(await gate.waitForWaiter())
        #expect(engine.snapshot().runningCount == 1)
        streams += [try engine.submit(input), try engine.submit(input)]
        #expect(throws: SubmissionError.queueFull(retryAfterSeconds: 1)) { try engine.submit(input) }
        gate.open()
        streams.removeAll()  // dropping the streams cancels the requests
        #expect(await Self.eventually(engine) { $0.liveRequestCount == 0 && $0.usedPageCount == $0.adapterPageCount })
        await engine.shutdown()
    }

    /// Oracle: issue 4 item 6 — a consumer that stops reading (its task cancelled, or the stream
    /// dropped) cancels the request; its pages return to the free list.
    @Test func consumerCancellationFreesPages() async throws {
        let fixture = try EngineFixture()
        let gate = GatedTokenizer()
        let engine = try await Self.engine(fixture, tokenizer: gate)
        let stream = try engine.submit(GenerationInput(model: "r8-attn", prompt: .tokenIDs([5, 6, 7]), parameters: Self.greedy(120)))
        let reader = Task {
            var count = 0
            for try await _ in stream {
                count += 1
                if count == 3 { try await Task.sleep(for: .seconds(3600)) }  // a stalled client
            }
        }
        #expect(await gate.waitForWaiter())  // the request is inside its first step
        reader.cancel()
        gate.open()
        _ = await reader.result
        #expect(await Self.eventually(engine) { $0.liveRequestCount == 0 && $0.usedPageCount == $0.adapterPageCount })
        var dropped: AsyncThrowingStream<GenerationEvent, any Error>? = try engine.submit(
            GenerationInput(model: nil, prompt: .tokenIDs([5, 6, 7]), parameters: Self.greedy(120)))
        #expect(dropped != nil)
        dropped = nil
        #expect(await Self.eventually(engine) { $0.liveRequestCount == 0 && $0.usedPageCount == $0.adapterPageCount })
        await engine.shutdown()
    }

    /// Oracle: formats-and-api.md §F.3/§E.2 — unloading during traffic lets admitted requests finish
    /// with the adapter's golden tokens, refuses new ones, frees its pages and host copy; reloading the
    /// name (even with other files) serves the new weights; failed loads change nothing.
    @Test func loadAndUnloadDuringTraffic() async throws {
        let fixture = try EngineFixture()
        let engine = try await Self.engine(fixture)
        let r8 = fixture.continuations.first { $0.adapter == "r8-attn" }!
        let r4 = fixture.continuations.first { $0.adapter == "r4-qv" }!
        let streams = try (0..<4).map { _ in
            try engine.submit(GenerationInput(model: "r8-attn", prompt: .tokenIDs(r8.prompt), parameters: Self.greedy(12)))
        }
        try engine.unloadAdapter(name: "r8-attn")
        #expect(throws: SubmissionError.unknownModel("r8-attn")) {
            try engine.submit(GenerationInput(model: "r8-attn", prompt: .tokenIDs(r8.prompt)))
        }
        #expect(throws: AdapterRegistrationError.notLoaded(name: "r8-attn")) { try engine.unloadAdapter(name: "r8-attn") }
        // Failed loads while requests run.
        await #expect(throws: AdapterRegistrationError.pathNotFound(path: "/no/such/adapter")) {
            try await engine.loadAdapter(name: "bad", path: "/no/such/adapter")
        }
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("slora-junk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: junk, withIntermediateDirectories: true)
        try Data("this is not json".utf8).write(to: junk.appendingPathComponent("adapter_config.json"))
        defer { try? FileManager.default.removeItem(at: junk) }
        await #expect(throws: AdapterRegistrationError.self) { try await engine.loadAdapter(name: "bad", path: junk.path) }
        await #expect(throws: AdapterRegistrationError.alreadyLoaded(name: "r4-qv")) {
            try await engine.loadAdapter(name: "r4-qv", path: fixture.adapterDirectory("r4-qv").path)
        }
        await #expect(throws: AdapterRegistrationError.nameTaken(name: "tiny")) {
            try await engine.loadAdapter(name: "tiny", path: fixture.adapterDirectory("r4-qv").path)
        }
        for stream in streams { #expect(try await Self.collect(stream).0 == r8.generated) }
        #expect(await Self.eventually(engine) { $0.hostAdapterCount == 2 && !$0.residentAdapters.contains("r8-attn") })
        #expect(engine.models().map(\.id) == ["tiny", "r4-qv", "r16-pattern"])
        // The name comes back with other weights: nothing of the old load is reused.
        try await engine.loadAdapter(name: "r8-attn", path: fixture.adapterDirectory("r4-qv").path)
        let reloaded = try engine.submit(GenerationInput(model: "r8-attn", prompt: .tokenIDs(r4.prompt), parameters: Self.greedy(12)))
        #expect(try await Self.collect(reloaded).0 == r4.generated)
        await engine.shutdown()
    }

    /// Oracle: issue 4 item 6 — draining refuses new requests and lets in-flight ones finish; at the
    /// end of the grace period the rest end with finish reason `abort`.
    @Test func drainFinishesInFlightThenShutdownAborts() async throws {
        let fixture = try EngineFixture()
        let engine = try await Self.engine(fixture)
        let c = fixture.continuations[0]
        let finishing = try engine.submit(GenerationInput(model: c.adapter, prompt: .tokenIDs(c.prompt), parameters: Self.greedy(12)))
        #expect(await engine.drain(timeout: .seconds(600)))
        #expect(try await Self.collect(finishing).0 == c.generated)
        #expect(throws: SubmissionError.draining) { try engine.submit(GenerationInput(model: nil, prompt: .tokenIDs([5]))) }
        await engine.shutdown()

        let gate = GatedTokenizer()  // holds the engine inside the long request's first step
        let second = try await Self.engine(fixture, tokenizer: gate)
        let long = try second.submit(GenerationInput(model: nil, prompt: .tokenIDs([5, 6]), parameters: Self.greedy(120)))
        #expect(await gate.waitForWaiter())
        #expect(await second.drain(timeout: .zero) == false)
        let stopping = Task { await second.shutdown() }
        try await Task.sleep(for: .milliseconds(100))  // the stop is posted before the engine may go on
        gate.open()
        await stopping.value
        let (_, finish) = try await Self.collect(long)
        #expect(finish?.reason == .abort)
        #expect(second.phase == .stopped)
    }

    /// Oracle: the tokenizer's own decode — text deltas of a text prompt concatenate to
    /// `decode(generated, skipSpecialTokens: true)`; a chat prompt renders through the template.
    @Test func textAndChatPrompts() async throws {
        let fixture = try EngineFixture()
        let template = try ChatTemplate(
            source: "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<a>{% endif %}")
        let engine = try await Self.engine(fixture, tokenizer: ByteTokenizer(), template: template)
        let renderer = engine.renderer
        let chat = ChatConversation(messages: [ChatMessage(role: "user", content: "Hi")])
        #expect(try renderer.render(chat) == "<user>Hi<a>")
        for prompt in [PromptInput.text("Hello", addSpecialTokens: true), .chat(chat)] {
            let stream = try engine.submit(GenerationInput(model: nil, prompt: prompt, parameters: Self.greedy(20, ignoreEOS: false)))
            var text = ""
            var ids: [Int] = []
            for try await event in stream {
                if case .token(let token) = event {
                    text += token.text
                    ids.append(Int(token.id))
                }
            }
            #expect(text == ByteTokenizer().decode(ids, skipSpecialTokens: true))
        }
        await engine.shutdown()
    }
}
