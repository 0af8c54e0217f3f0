// `slora bench serve`: S-LoRA's serving benchmark (issue 6). A synthetic workload (n adapters with
// power-law popularity, Gamma arrivals, uniform lengths, rank set S1/S2/S4) or a JSONL trace is sent
// on schedule to the engine in this process (--device, --model or --dummy-model) or to a running
// `slora serve` (--url); reports throughput, latency, first-token percentiles and SLO attainment.

import ArgumentParser
import Foundation
import Workload

struct ServeBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "S-LoRA's serving benchmark: a synthetic or replayed workload against the engine or a server.",
        discussion: """
            Throughput = completed requests / wall time from the start until the last request ended (drain \
            included), as S-LoRA counts it. Latencies count from sending; first-token latency from sending \
            to the first token. SLO attainment: fraction of all requests whose first token came in under \
            --slo (aborted requests count as missed). Lengths are uniform over [min, max) like S-LoRA's numpy \
            randint. Adapters are random (S-LoRA's --dummy values) and share one host copy per rank; each \
            is a distinct adapter with its own pool pages.
            """)

    // MARK: - Workload

    @Option(help: "Number of adapters n (0: base model only).")
    var adapters = 5

    @Option(help: "Adapter popularity exponent α (numpy power law; 1 is uniform, smaller favours low indices).")
    var alpha = 1.0

    @Option(help: "Mean requests per second.")
    var rate = 10.0

    @Option(help: "Coefficient of variation of inter-arrival times (1: Poisson).")
    var cv = 1.0

    @Option(help: "Seconds of arrivals (⌊rate·duration⌋ requests).")
    var duration = 60.0

    @Option(help: "Adapter ranks: S1 {8}, S2 {8,16,32,64}, S4 {16,32,64} (adapter i takes ranks[i mod count]).")
    var rankSet = "S1"

    @Option(help: "Workload seed.")
    var seed: UInt64 = 42

    @Option(help: "Shortest prompt (tokens).")
    var minInput = 8

    @Option(help: "Prompt lengths are below this.")
    var maxInput = 512

    @Option(help: "Shortest output (tokens).")
    var minOutput = 8

    @Option(help: "Output lengths are below this.")
    var maxOutput = 512

    @Option(help: ArgumentHelp("Replay this JSONL trace instead (arrival, adapter, prompt_len, output_len).", valueName: "FILE"))
    var trace: String?

    @Option(help: ArgumentHelp("Also write the workload as a JSONL trace.", valueName: "FILE"))
    var writeTrace: String?

    // MARK: - Measurement and output

    @Option(help: "First-token deadline for SLO attainment, seconds.")
    var slo = 6.0

    @Option(help: ArgumentHelp("Write the report as JSON.", valueName: "FILE"))
    var output: String?

    @Flag(help: "Include every request's outcome in the JSON.")
    var perRequest = false

    @Flag(help: "No progress line on stderr.")
    var noProgress = false

    // MARK: - Target

    @Option(help: ArgumentHelp("Benchmark a running `slora serve` at this base URL instead of the engine in this process.", valueName: "URL"))
    var url: String?

    @Option(help: "Served names of the adapters are this prefix + index (with --url, as `slora serve --dummy-adapters` names them).")
    var adapterPrefix = "adapter-"

    @Option(help: "With --url: prompt token ids are drawn below this.")
    var promptVocabulary = 1000

    @OptionGroup var engineOptions: EngineOptions

    // MARK: - Ablations

    @Flag(help: "Ablation: the base model only (n = 0).")
    var noAdapters = false

    @Flag(help: "Ablation: one adapter merged into the base weights; every request runs base-model compute.")
    var mergedAdapter = false

    @Flag(help: "S-LoRA early abort: drop queued requests that can no longer meet --slo (default FCFS).")
    var earlyAbort = false

    // MARK: - Validation

    var rankSetValue: RankSet? { RankSet(name: rankSet) }

    func validate() throws {
        if rankSetValue == nil { throw ValidationError("--rank-set is S1, S2 or S4") }
        if noAdapters && mergedAdapter { throw ValidationError("--no-adapters and --merged-adapter exclude each other") }
        if !(slo > 0) { throw ValidationError("--slo must be > 0") }
        if promptVocabulary < 1 { throw ValidationError("--prompt-vocabulary must be ≥ 1") }
        if url != nil {
            if earlyAbort { throw ValidationError("--early-abort with --url: start the server with --ttft-slo instead") }
            if engineOptions.model != nil || engineOptions.dummyModel != nil || engineOptions.tensorParallel != 1
                || engineOptions.loraKernels != .gather
            {
                throw ValidationError(
                    "--model/--dummy-model/--tensor-parallel/--lora-kernels are for the in-process engine; the server at "
                        + "--url has its own (start it with --lora-kernels)")
            }
        } else if (engineOptions.model == nil) == (engineOptions.dummyModel == nil) {
            throw ValidationError("give exactly one of --model and --dummy-model (or --url)")
        }
        if url.flatMap(URL.init(string:)) == nil && url != nil { throw ValidationError("--url is not a URL") }
        try workloadConfiguration.validate()
    }

    /// The synthetic workload's configuration (n = 0 under the ablations).
    var workloadConfiguration: WorkloadConfiguration {
        WorkloadConfiguration(
            adapterCount: noAdapters || mergedAdapter ? 0 : adapters, alpha: alpha, rate: rate, cv: cv, duration: duration,
            promptLengths: minInput..<max(minInput, maxInput), outputLengths: minOutput..<max(minOutput, maxOutput),
            rankSet: rankSetValue ?? .s1, seed: seed)
    }

    /// "none", or the ablations in effect joined by "+": no-adapters or merged-adapter, then padded-bmm
    /// (`--lora-kernels padded-bmm`).
    var ablation: String {
        var parts: [String] = []
        if noAdapters { parts.append("no-adapters") } else if mergedAdapter { parts.append("merged-adapter") }
        if engineOptions.loraKernels != .gather { parts.append(engineOptions.loraKernels.rawValue) }
        return parts.isEmpty ? "none" : parts.joined(separator: "+")
    }

    // MARK: - Running

    func run() async throws {
        var workload = workloadConfiguration
        var traceRequests: [TraceRequest]
        if let trace {
            traceRequests = try WorkloadTrace.read(from: URL(fileURLWithPath: trace))
            let highest = traceRequests.compactMap(\.adapter).max() ?? -1
            workload.adapterCount = noAdapters || mergedAdapter ? 0 : max(adapters, highest + 1)
        } else {
            traceRequests = try WorkloadGenerator.requests(workload)
        }
        if let writeTrace { try WorkloadTrace.write(traceRequests, to: URL(fileURLWithPath: writeTrace)) }
        if noAdapters || mergedAdapter {
            for i in traceRequests.indices { traceRequests[i].adapter = nil }
        }
        var settings = ServeBenchReport.Settings(
            command: CommandLine.arguments.joined(separator: " "), target: url == nil ? "in-process" : "http", url: url,
            workload: workload, trace: trace, ablation: ablation, scheduler: earlyAbort ? "early-abort" : "fcfs", slo: slo,
            notes: [])
        if mergedAdapter {
            settings.notes.append(
                "merged-adapter: every request runs the base weights (W + BA merged once; with dummy weights the merge "
                    + "only changes random values, so the base model serves as is)")
        }
        if engineOptions.loraKernels == .paddedBMM {
            settings.notes.append(
                "padded-bmm: LoRA as S-LoRA's padded-bmm baseline (each step's adapter rows copied into buffers padded "
                    + "to its max rank, cuBLAS strided-batched GEMM) instead of the gather kernels")
        }
        if workload.adapterCount > 0 {
            settings.notes.append(
                "\(workload.adapterCount) distinct adapters (own ids and pool pages); adapters of one rank share one host copy")
        }

        let report: ServeBenchReport
        if let url, let base = URL(string: url) {
            report = try await runHTTP(base: base, requests: traceRequests, settings: settings)
        } else {
            report = try await runInProcess(requests: traceRequests, settings: settings)
        }
        print(report.markdown)
        if let output { try report.write(to: URL(fileURLWithPath: output)) }
    }

    /// Random prompts, deterministic by the seed: request i's ids drawn below `vocabulary`.
    func benchRequests(_ trace: [TraceRequest], vocabulary: Int) -> [BenchRequest] {
        var random = WorkloadRandom(seed: seed &+ 0x5EED)
        return trace.enumerated().map { i, r in
            BenchRequest(index: i, trace: r, prompt: (0..<r.promptLength).map { _ in Int32(random.integer(in: 0..<vocabulary)) })
        }
    }

    func adapterNames(count: Int) -> [String] { (0..<count).map { adapterPrefix + String($0) } }

    func runHTTP(base: URL, requests trace: [TraceRequest], settings: ServeBenchReport.Settings) async throws -> ServeBenchReport {
        let baseModel = try await HTTPTarget.baseModelName(at: base)
        let target = HTTPTarget(
            baseURL: base, baseModel: baseModel, adapterNames: adapterNames(count: settings.workload.adapterCount),
            baseOnly: noAdapters || mergedAdapter)
        let requests = benchRequests(trace, vocabulary: promptVocabulary)
        let (outcomes, wall) = await ServeBenchDriver(requests: requests, showProgress: !noProgress).run(on: target)
        await target.shutdown()
        var settings = settings
        settings.model = baseModel
        return ServeBenchReport(
            settings: settings, summary: ServeSummary(outcomes: outcomes, slo: slo, wallSeconds: wall), engine: nil,
            requests: perRequest ? outcomes : nil)
    }
}
