// `slora bench serve` in process: loads the base model on the chosen device, starts an EngineLoop (the
// engine `slora serve` runs, without HTTP), registers the random adapters from host copies, replays the
// workload and reads the engine's counters.

import Backend
import CUDABackend
import Engine
import Foundation
import Workload

extension ServeBenchCommand {
    func runInProcess(requests trace: [TraceRequest], settings: ServeBenchReport.Settings) async throws -> ServeBenchReport {
        let source = try BaseModelSource(model: engineOptions.model, dummy: engineOptions.dummyModel)
        var settings = settings
        switch ComputeDevice.resolve(engineOptions.device) {
        case .cpu:
            try engineOptions.loraKernels.requireCPUCompatible()
            settings.device = "cpu"
            return try await runEngine(try BaseModelLoader.cpu(source, options: engineOptions), trace: trace, settings: settings)
        case .cuda:
            settings.device = "cuda"
            return try await runEngine(try BaseModelLoader.cuda(source, options: engineOptions), trace: trace, settings: settings)
        }
    }

    private func runEngine<B: ComputeBackend>(
        _ loaded: LoadedBaseModel<B>, trace: [TraceRequest], settings: ServeBenchReport.Settings
    ) async throws -> ServeBenchReport {
        var settings = settings
        let config = loaded.config
        let pageCount = loaded.pageCount
        let capacity = loaded.budget.kvTokenCapacity(pageCount: pageCount)
        let scheduler = engineOptions.scheduler(pageCount: pageCount, timeToFirstTokenSLO: earlyAbort ? .seconds(slo) : nil)
        let engine = EngineLoop(
            executor: loaded.executor,
            configuration: EngineConfiguration(
                servedModelName: loaded.name, modelPath: loaded.path, pageCount: pageCount,
                maxModelLength: min(config.maxPositionEmbeddings, capacity), scheduler: scheduler),
            tokenizer: loaded.tokenizer, chatTemplate: nil, eosTokenIDs: loaded.eosTokenIDs)
        let names = adapterNames(count: settings.workload.adapterCount)
        let adapters = BenchAdapters.make(
            ranks: settings.workload.adapterRanks, config: config, prefix: adapterPrefix, seed: seed)
        for adapter in adapters {
            do {
                try engine.registerAdapter(adapter)
            } catch {
                await engine.shutdown()
                throw ServeBenchError.adapterRegistration(name: adapter.name, reason: error.description)
            }
        }
        if let bad = trace.compactMap(\.adapter).first(where: { $0 >= names.count }) {
            await engine.shutdown()
            throw ServeBenchError.adapterOutOfRange(index: bad, count: names.count)
        }
        FileHandle.standardError.write(
            Data("\(loaded.summary); pool \(pageCount) pages (KV for \(capacity) tokens); \(names.count) adapters; \(trace.count) requests\n".utf8))

        let requests = benchRequests(trace, vocabulary: config.vocabularySize)
        let target = InProcessTarget(engine: engine, adapterNames: names, baseOnly: noAdapters || mergedAdapter)
        let (outcomes, wall) = await ServeBenchDriver(requests: requests, showProgress: !noProgress).run(on: target)
        let snapshot = engine.snapshot()
        let t = snapshot.timings
        await engine.shutdown()

        settings.model = loaded.summary
        settings.poolPages = pageCount
        settings.poolMiB = Double(loaded.poolBytes) / Double(1 << 20)  // per rank
        settings.maxBatchedTokens = engineOptions.maxBatchedTokens
        settings.maxRunning = engineOptions.maxRunning
        settings.maxAdaptersPerStep = engineOptions.maxAdaptersPerStep
        settings.prefetchAdapters = !engineOptions.noPrefetch
        settings.adapterPageShare = scheduler.adapterPageShare
        settings.loraKernels = engineOptions.loraKernels.rawValue
        settings.tensorParallel = engineOptions.tensorParallel
        return ServeBenchReport(
            settings: settings, summary: ServeSummary(outcomes: outcomes, slo: slo, wallSeconds: wall),
            engine: ServeBenchReport.EngineCounters(
                steps: snapshot.stepCount, preemptions: snapshot.preemptionCount, earlyAborts: snapshot.earlyAbortCount,
                residentAdapters: snapshot.residentAdapters.count,
                scheduleMsPerStep: t.perStep(t.scheduleSeconds), executeMsPerStep: t.perStep(t.executeSeconds),
                outputMsPerStep: t.perStep(t.outputSeconds), snapshotMsPerStep: t.perStep(t.snapshotSeconds),
                prefillTokensPerStep: t.perStep(Double(t.prefillTokens)) / 1000,
                decodeTokensPerStep: t.perStep(Double(t.decodeTokens)) / 1000),
            requests: perRequest ? outcomes : nil)
    }
}
