// `slora serve`: loads the base model (HF directory or GGUF file) and its adapters, starts the engine
// thread, and serves the OpenAI-compatible HTTP API (Server module) on it. SIGTERM/SIGINT: new
// requests get 503, in-flight ones finish within --shutdown-timeout, the rest end with finish_reason
// "abort", and the process exits 0. --device picks the CPU or CUDA backend; --dummy-model serves random
// weights with --dummy-adapters random adapters (benchmarks, like S-LoRA's --dummy).

import ArgumentParser
import Backend
import CPUBackend
import ChatTemplates
import Engine
import Foundation
import Hummingbird
import Llama
import Logging
import MemoryPool
import Server
import ServiceLifecycle
import UnixSignals
import Workload

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the model and its LoRA adapters over an OpenAI-compatible HTTP API.",
        discussion: """
            Routes: POST /v1/completions, POST /v1/chat/completions, GET /v1/models, \
            POST /v1/load_lora_adapter, POST /v1/unload_lora_adapter, GET /health, GET /metrics. \
            A request's "model" is the base model's name or an adapter's name.
            """)

    // MARK: - Options

    @Option(help: ArgumentHelp("With --dummy-model: serve this many random adapters named <prefix><i>.", valueName: "N"))
    var dummyAdapters = 0

    @Option(help: "Ranks of the random adapters: S1 {8}, S2 {8,16,32,64}, S4 {16,32,64} (adapter i takes ranks[i mod count]).")
    var rankSet = "S1"

    @Option(help: "Name prefix of the random adapters.")
    var adapterPrefix = "adapter-"

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8000

    @Option(
        name: .customLong("adapter"),
        help: ArgumentHelp(
            "A LoRA adapter to serve from the start: a name and a PEFT adapter directory. Repeat for more.",
            valueName: "NAME=DIR"))
    var adapters: [String] = []

    @Option(
        help: ArgumentHelp(
            "Bound for POST /v1/load_lora_adapter: lora_path must resolve inside this directory (paths with '..', "
                + "absolute paths elsewhere and symlinks leading out are refused with 400). Without it, any "
                + "readable directory may be loaded.",
            valueName: "DIR"))
    var adapterRoot: String?

    @Option(help: ArgumentHelp("Require 'Authorization: Bearer KEY' on every /v1 route (401 otherwise).", valueName: "KEY"))
    var apiKey: String?

    @Option(help: ArgumentHelp("Most requests waiting to start; further ones get 503 with retry-after.", valueName: "N"))
    var maxQueue: Int?

    @Option(
        name: .customLong("ttft-slo"),
        help: ArgumentHelp(
            "First-token deadline in seconds (S-LoRA early abort): queued requests that can no longer get their first "
                + "token in time are dropped with 503 and counted; requests that cannot make it at all are refused.",
            valueName: "SECONDS"))
    var ttftSLO: Double?

    @Option(
        help: ArgumentHelp(
            "On SIGTERM or SIGINT: new requests get 503 while in-flight ones may finish for this long; the rest end "
                + "with finish_reason \"abort\"; then the server exits 0.",
            valueName: "SECONDS"))
    var shutdownTimeout: Double = 30

    @Option(help: "Name clients use for the base model (default: the model's file or directory name).")
    var servedModelName: String?

    @Option(help: ArgumentHelp("Longest prompt + completion (default: the model's context length).", valueName: "TOKENS"))
    var maxModelLength: Int?

    @OptionGroup var engineOptions: EngineOptions

    @Flag(help: "Refuse POST /v1/load_lora_adapter and /v1/unload_lora_adapter.")
    var disableRuntimeAdapters = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        for spec in adapters where Self.parseAdapter(spec) == nil {
            throw ValidationError("--adapter '\(spec)' is not NAME=DIR")
        }
        if let maxQueue, maxQueue < 0 { throw ValidationError("--max-queue must be ≥ 0") }
        if let ttftSLO, !(ttftSLO > 0) { throw ValidationError("--ttft-slo must be > 0") }
        if !(shutdownTimeout >= 0) { throw ValidationError("--shutdown-timeout must be ≥ 0") }
        if (engineOptions.model == nil) == (engineOptions.dummyModel == nil) { throw ValidationError("give exactly one of --model and --dummy-model") }
        if dummyAdapters < 0 || (dummyAdapters > 0 && engineOptions.dummyModel == nil) {
            throw ValidationError("--dummy-adapters (≥ 0) goes with --dummy-model")
        }
        if RankSet(name: rankSet) == nil { throw ValidationError("--rank-set is S1, S2 or S4") }
        if let maxModelLength, maxModelLength < 2 { throw ValidationError("--max-model-length must be ≥ 2") }
    }

    static func parseAdapter(_ spec: String) -> (name: String, directory: String)? {
        guard let equals = spec.firstIndex(of: "=") else { return nil }
        let name = String(spec[..<equals])
        let directory = String(spec[spec.index(after: equals)...])
        return name.isEmpty || directory.isEmpty ? nil : (name, directory)
    }

    // MARK: - Running

    func run() async throws {
        let source = try BaseModelSource(model: engineOptions.model, dummy: engineOptions.dummyModel)
        let device = ComputeDevice.resolve(engineOptions.device)
        switch device {
        case .cpu: try await serve(try BaseModelLoader.cpu(source, options: engineOptions), device: device)
        case .cuda: try await serve(try BaseModelLoader.cuda(source, options: engineOptions), device: device)
        }
    }

    private func serve<B: ComputeBackend & SendableMetatype>(_ loaded: LoadedBaseModel<B>, device: ComputeDevice) async throws {
        let logger = Logger(label: "slora")
        let config = loaded.config
        var template: ChatTemplate?
        if let source = loaded.chatTemplate {
            do {
                template = try ChatTemplate(source: source)
            } catch {
                logger.warning("The model's chat template does not parse (\(error)); chat completions are refused.")
            }
        }
        let poolBytes = loaded.poolBytes  // per rank
        let pageCount = loaded.pageCount
        let capacity = loaded.budget.kvTokenCapacity(pageCount: pageCount)
        let modelContext = min(maxModelLength ?? config.maxPositionEmbeddings, config.maxPositionEmbeddings)
        guard capacity >= 2 else {
            loaded.executor.shutdown()
            throw ValidationError(
                "--pool-memory \(engineOptions.poolMemory ?? poolBytes >> 20) MiB holds \(capacity) tokens of KV; give it more")
        }
        if capacity < modelContext {
            logger.warning("The pool holds \(capacity) tokens of one sequence; the context is cut from \(modelContext).")
        }
        let name = servedModelName ?? loaded.name
        let engine = EngineLoop(
            executor: loaded.executor,
            configuration: EngineConfiguration(
                servedModelName: name, modelPath: loaded.path, pageCount: pageCount, maxModelLength: min(modelContext, capacity),
                scheduler: engineOptions.scheduler(pageCount: pageCount, timeToFirstTokenSLO: ttftSLO.map { .seconds($0) }),
                maxQueueLength: maxQueue, adapterPaths: AdapterPathPolicy(root: adapterRoot)),
            tokenizer: loaded.tokenizer, chatTemplate: template, eosTokenIDs: loaded.eosTokenIDs)
        let randomAdapters = BenchAdapters.make(
            ranks: (0..<dummyAdapters).map { (RankSet(name: rankSet) ?? .s1).rank(ofAdapter: $0) }, config: config,
            prefix: adapterPrefix, seed: 42)
        for adapter in randomAdapters {
            do {
                try engine.registerAdapter(adapter)
            } catch {
                await engine.shutdown()
                throw ValidationError("random adapter \(adapter.name): \(error)")
            }
        }
        for spec in adapters {
            let (adapterName, directory) = Self.parseAdapter(spec)!
            do {
                try await engine.loadAdapter(name: adapterName, path: directory, restricted: false)
            } catch {
                await engine.shutdown()
                throw ValidationError("--adapter \(spec): \(error)")
            }
        }
        let context = engine.configuration.maxModelLength
        logger.info(
            "Serving '\(name)' with \(adapters.count + randomAdapters.count) adapter(s) on \(device.rawValue)\(loaded.executor.worldSize > 1 ? " × \(loaded.executor.worldSize) tensor-parallel ranks" : ""): \(pageCount) pool pages (\(poolBytes >> 20) MiB\(loaded.executor.worldSize > 1 ? " per rank" : "")), context \(context), http://\(host):\(port)")

        let drain = DrainState()
        let application = buildApplication(
            engine: ServingEngine(engine: engine),
            configuration: ServerConfiguration(
                host: host, port: port, apiKey: apiKey, servedModelName: name,
                allowRuntimeAdapterUpdates: !disableRuntimeAdapters),
            drain: drain, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [application], logger: logger))
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let grace = Duration.seconds(shutdownTimeout)
        let watcher = Task {
            for await signal in signals {
                logger.info("\(signal): refusing new requests, finishing in-flight ones (up to \(grace))")
                drain.beginDraining()
                let drained = await engine.drain(timeout: grace)
                if !drained { logger.warning("Shutdown timeout: aborting the requests still in flight") }
                await engine.shutdown()
                await group.triggerGracefulShutdown()
                return
            }
        }
        try await group.run()
        watcher.cancel()
        await engine.shutdown()
        logger.info("Stopped")
    }
}
