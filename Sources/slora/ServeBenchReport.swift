// The result of one `slora bench serve` run: the settings (workload, target, engine, ablation) and the
// figures, written as JSON (`--output`) and printed as a markdown table.

import Foundation
import Workload

/// Everything one run reports.
struct ServeBenchReport: Codable {
    struct Settings: Codable {
        var command: String
        /// "in-process" or "http".
        var target: String
        var url: String?
        var device: String?
        var model: String?
        /// The workload's knobs (a replayed trace keeps only what it does not fix: adapters and ranks).
        var workload: WorkloadConfiguration
        var trace: String?
        /// "none", "no-adapters" (n = 0), "merged-adapter" (base compute: one adapter merged into the weights),
        /// "padded-bmm" (S-LoRA's padded-bmm LoRA baseline on cuda), or several joined by "+".
        var ablation: String
        /// The CUDA backend's LoRA kernels (`--lora-kernels`: "gather" or "padded-bmm"; in-process only).
        var loraKernels: String?
        /// "fcfs" or "early-abort" (S-LoRA's abort under the first-token SLO).
        var scheduler: String
        var slo: Double
        var poolPages: Int?
        var poolMiB: Double?
        var maxBatchedTokens: Int?
        var maxRunning: Int?
        var maxAdaptersPerStep: Int?
        var prefetchAdapters: Bool?
        /// Separate-pools ablation: pages reserved for adapters (nil: unified pool).
        var adapterPageShare: Int?
        /// Tensor-parallel ranks (GPUs, or in-process CPU ranks) the engine ran on (in-process only).
        var tensorParallel: Int?
        var notes: [String]
    }

    /// Engine counters after the run (in-process only).
    struct EngineCounters: Codable {
        var steps: Int
        var preemptions: Int
        var earlyAborts: Int
        var residentAdapters: Int
        /// Milliseconds per step: scheduling, model (forward + sampling + device wait), output, snapshot.
        var scheduleMsPerStep: Double?
        var executeMsPerStep: Double?
        var outputMsPerStep: Double?
        var snapshotMsPerStep: Double?
        /// Tokens per step: prompt tokens computed, tokens decoded.
        var prefillTokensPerStep: Double?
        var decodeTokensPerStep: Double?
    }

    var settings: Settings
    var summary: ServeSummary
    var engine: EngineCounters?
    /// Every request's outcome (`--per-request`).
    var requests: [RequestOutcome]?

    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// A markdown table of the figures, with the settings above it.
    var markdown: String {
        let s = summary
        let w = settings.workload
        func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
        var lines = [
            "\(settings.target)\(settings.url.map { " \($0)" } ?? "")"
                + "\(settings.device.map { ", \($0)" } ?? "")\(settings.model.map { ", \($0)" } ?? ""); "
                + "n \(w.adapterCount) (\(w.rankSet.rawValue) ranks \(w.rankSet.ranks.map(String.init).joined(separator: ","))), "
                + "α \(w.alpha), rate \(w.rate), cv \(w.cv), duration \(w.duration) s, "
                + "prompt \(w.promptLengths.lowerBound)..<\(w.promptLengths.upperBound), "
                + "output \(w.outputLengths.lowerBound)..<\(w.outputLengths.upperBound), seed \(w.seed)"
                + (settings.trace.map { ", trace \($0)" } ?? "")
                + "; ablation \(settings.ablation), scheduler \(settings.scheduler)",
            "",
            "| requests | completed | aborted | failed | wall s | req/s | gen tok/s | avg latency s | avg first token s "
                + "| p50 | p90 | p99 | SLO attainment (\(f(s.slo, 0)) s) | satisfaction |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
            "| \(s.requestCount) | \(s.completedCount) | \(s.abortedCount) | \(s.failedCount) | \(f(s.wallSeconds, 1)) "
                + "| \(f(s.requestsPerSecond)) | \(f(s.generatedTokensPerSecond, 0)) | \(f(s.averageLatency)) "
                + "| \(f(s.firstTokenAverage)) | \(f(s.firstTokenP50)) | \(f(s.firstTokenP90)) | \(f(s.firstTokenP99)) "
                + "| \(f(s.sloAttainment)) | \(f(s.userSatisfaction)) |",
        ]
        if let e = engine {
            lines.append("")
            lines.append(
                "engine: \(e.steps) steps, \(e.preemptions) preemptions, \(e.earlyAborts) early aborts, "
                    + "\(e.residentAdapters) adapters resident at the end; max send lag \(f(s.maxSendLag, 3)) s")
            if let execute = e.executeMsPerStep {
                lines.append(
                    "per step: schedule \(f(e.scheduleMsPerStep ?? 0, 3)) ms, model \(f(execute, 3)) ms, output "
                        + "\(f(e.outputMsPerStep ?? 0, 3)) ms, snapshot \(f(e.snapshotMsPerStep ?? 0, 3)) ms; "
                        + "\(f(e.prefillTokensPerStep ?? 0, 1)) prompt + \(f(e.decodeTokensPerStep ?? 0, 1)) decode tokens")
            }
        }
        for note in settings.notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
