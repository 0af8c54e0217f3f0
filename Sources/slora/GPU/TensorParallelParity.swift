// gpu-check tp, parity: one random model (the same full weights on every world size) with adapters of
// mixed ranks on every module, run for a script of steps (prefill with every position's logits, mixed
// prefill-chunk + decode steps, decode steps) at TP = 1 on GPU 0 and at TP = N on GPUs 0..<N. The TP = 1
// run picks the decode tokens (greedy); the TP = N run is fed the same tokens, so every step compares.

import Adapters
import Backend
import CUDABackend
import Checkpoint
import Foundation
import Llama
import MemoryPool

/// The tensor-parallel parity check of one preset and storage type.
struct TensorParallelParity {
    let gpu: TensorParallelGPU
    let preset: TensorParallelPreset
    let worldSize: Int
    /// Max allowed max|Δ| / max|ref| of any step.
    let bound: Double
    /// Least fraction of logit rows whose argmax must agree.
    let minimumAgreement: Double

    static let adapterRanks = [8, 16, 32, 64]
    /// Prompt lengths of sequences 0–5: 0–3 prefill in step 1, 4 in step 2, 5 in two chunks (steps 2, 3).
    static let promptLengths = [13, 7, 20, 5, 9, 11]
    /// Adapter of each sequence (index into `adapterRanks`), nil: the base model.
    static let sequenceAdapters: [Int?] = [0, 1, 2, 3, nil, 0]
    static let decodeSteps = 5

    /// One step of the script: per part a sequence, its tokens, first position; logits of every position or the last.
    struct Step {
        var label: String
        var phase: String
        var parts: [(sequence: Int, tokens: [Int32], start: Int)]
        var allLogits: Bool
    }

    /// Runs both world sizes and adds rows (one per phase and a total) to `report`.
    func run(report: CheckReport) throws {
        let config = preset.configuration
        let label = "\(preset.rawValue) \(gpu.storage.rawValue)"
        tensorParallelLog("parity \(label): building \(Self.adapterRanks.count) host adapters")
        let adapters = Self.adapterRanks.enumerated().map { i, rank in
            TensorParallelDummy.hostAdapter(
                name: "parity-r\(rank)", rank: rank, modules: LoRAModule.allCases, config: config, seed: 1000 + UInt64(i))
        }
        var random = SeededRandom(seed: 77)
        let prompts = Self.promptLengths.map { n in (0..<n).map { _ in Int32(random.int(0..<config.vocabularySize)) } }

        // TP = 1 picks the tokens; the script is recorded as it goes.
        var script: [Step] = []
        let reference = try runScript(config: config, worldSize: 1, adapters: adapters) { index, previous in
            Self.nextStep(index: index, previous: previous, prompts: prompts, vocabulary: config.vocabularySize, script: &script)
        }
        let sharded = try runScript(config: config, worldSize: worldSize, adapters: adapters) { index, _ in
            index < script.count ? script[index] : nil
        }
        compare(reference: reference, sharded: sharded, script: script, label: label, report: report)
    }

    // MARK: - The script

    /// Step `index` given the logits of the step before (nil after the last step). Records it in `script`.
    static func nextStep(index: Int, previous: [[Float]]?, prompts: [[Int32]], vocabulary: Int, script: inout [Step]) -> Step? {
        let decodeFrom = { (step: Step, rows: [[Float]]) -> [Int: Int32] in
            // The greedy token of each sequence whose last token this step computed logits for.
            var next: [Int: Int32] = [:]
            var row = 0
            for part in step.parts {
                row += step.allLogits ? part.tokens.count : 1
                next[part.sequence] = argmaxOf(rows[row - 1])
            }
            return next
        }
        var step: Step
        switch index {
        case 0:
            step = Step(label: "prefill 0-3", phase: "prefill", parts: (0..<4).map { ($0, prompts[$0], 0) }, allLogits: true)
        case 1:
            let next = decodeFrom(script[0], previous!)
            step = Step(
                label: "mixed 1", phase: "mixed",
                parts: (0..<4).map { ($0, [next[$0]!], prompts[$0].count) } + [
                    (4, prompts[4], 0), (5, Array(prompts[5].prefix(6)), 0),
                ], allLogits: false)
        case 2:
            let next = decodeFrom(script[1], previous!)
            step = Step(
                label: "mixed 2", phase: "mixed",
                parts: (0..<5).map { s in (s, [next[s]!], positionAfter(s, script: script, prompts: prompts)) } + [
                    (5, Array(prompts[5].dropFirst(6)), 6)
                ], allLogits: false)
        case 3..<(3 + decodeSteps):
            let next = decodeFrom(script[index - 1], previous!)
            step = Step(
                label: "decode \(index - 2)", phase: "decode",
                parts: (0..<6).map { s in (s, [next[s]!], positionAfter(s, script: script, prompts: prompts)) }, allLogits: false)
        default:
            return nil
        }
        script.append(step)
        return step
    }

    /// The next position of sequence `s` after every step of `script`.
    static func positionAfter(_ s: Int, script: [Step], prompts: [[Int32]]) -> Int {
        var position = 0
        for step in script { for part in step.parts where part.sequence == s { position = part.start + part.tokens.count } }
        return position
    }

    // MARK: - Running

    /// Builds `worldSize` ranks, writes the adapters, runs the steps `next` hands out and returns each
    /// step's rank-0 logits as rows.
    func runScript(
        config: LlamaConfiguration, worldSize: Int, adapters: [LoRAAdapter], next: (Int, [[Float]]?) -> Step?
    ) throws -> [[[Float]]] {
        let maxTokens = Self.promptLengths.max()! + Self.decodeSteps + 4
        let tokensPerPage = 16
        let kvWidth = config.kvWidth / worldSize
        let geometry = PageGeometry(layerCount: config.layerCount, kvWidth: kvWidth, tokensPerPage: tokensPerPage)
        let layouts = adapters.map { TensorParallelDummy.shardLayout(of: $0, worldSize: worldSize) }
        let adapterElements = layouts.map(\.elementCount)
        let pageCount = Self.promptLengths.count * geometry.kvPageCount(tokenCount: maxTokens)
            + adapterElements.reduce(0) { $0 + geometry.adapterPageCount(elementCount: $1) } + 8
        let seed: UInt64 = 4242
        let runner = try gpu.makeRunner(config: config, worldSize: worldSize, pageCount: pageCount) { backend, shard in
            TensorParallelDummy.weights(config: config, shard: shard, backend: backend, seed: seed, exact: true)
        }
        defer { runner.shutdown() }
        let pagePool = PagePool(pageCount: pageCount)
        var slots: [AdapterBatch.Slot] = []
        for (i, adapter) in adapters.enumerated() {
            guard
                let table = AdapterPageTable.allocate(
                    elementCount: adapterElements[i], geometry: geometry, pool: pagePool, owner: AdapterSlotID(i))
            else { throw TensorParallelCheckError.poolTooSmall("adapter \(adapter.name)") }
            runner.writeAdapter(adapter, pages: table.pages)
            slots.append(AdapterBatch.Slot(layout: layouts[i], scalings: adapter.scalings, pages: table.pages))
        }
        var tables: [SequencePageTable] = []
        for s in Self.promptLengths.indices {
            var table = SequencePageTable(geometry: geometry)
            guard table.reserve(tokenCount: maxTokens, in: pagePool, owner: SequenceSlotID(s)) else {
                throw TensorParallelCheckError.poolTooSmall("sequence \(s)")
            }
            tables.append(table)
        }
        var results: [[[Float]]] = []
        var previous: [[Float]]? = nil
        var index = 0
        while let step = next(index, previous) {
            let batch = StepBatch(sequences: step.parts.map { ($0.tokens, $0.start, tables[$0.sequence].pages, step.allLogits) })
            // Slot i of the batch is adapter i (unused slots cost nothing).
            let tokenSlots = step.parts.flatMap { part in
                [Int32](repeating: Self.sequenceAdapters[part.sequence].map { Int32($0) } ?? -1, count: part.tokens.count)
            }
            let adapterBatch = AdapterBatch(tokenSlots: tokenSlots, slots: slots, layerCount: config.layerCount)
            let flat = runner.forward(step: batch, adapters: adapterBatch)
            let v = config.vocabularySize
            let rows = (0..<batch.logitRows.count).map { Array(flat[($0 * v)..<(($0 + 1) * v)]) }
            results.append(rows)
            previous = rows
            index += 1
        }
        let graphs = runner.perform { $0.backend.graphStatistics }
        tensorParallelLog(
            "parity TP=\(worldSize): \(results.count) steps; graph captures/replays per rank: "
                + graphs.map { "\($0.captures)/\($0.replays)" }.joined(separator: ", "))
        return results
    }

    // MARK: - Comparing

    func compare(reference: [[[Float]]], sharded: [[[Float]]], script: [Step], label: String, report: CheckReport) {
        guard reference.count == sharded.count, reference.count == script.count else {
            report.fail("\(label): TP=1 ran \(reference.count) steps, TP=\(worldSize) \(sharded.count), script \(script.count)")
            return
        }
        var phases: [String: (error: Double, worst: String, rows: Int, agree: Int)] = [:]
        for (i, step) in script.enumerated() {
            var diff: Float = 0
            var scale: Float = 0
            var agree = 0
            var sawNaN = sharded[i].count != reference[i].count
            for (a, b) in zip(sharded[i], reference[i]) {
                sawNaN = sawNaN || a.count != b.count
                for j in a.indices where j < b.count {
                    if a[j].isNaN || b[j].isNaN { sawNaN = true }
                    diff = max(diff, abs(a[j] - b[j]))
                    scale = max(scale, abs(b[j]))
                }
                if argmaxOf(a) == argmaxOf(b) { agree += 1 }
            }
            let error = sawNaN ? Double.nan : Double(diff / max(scale, 1e-30))
            var entry = phases[step.phase] ?? (0, step.label, 0, 0)
            if !(entry.error.isNaN) && (error.isNaN || error > entry.error) {
                entry.error = error
                entry.worst = step.label
            }
            entry.rows += reference[i].count
            entry.agree += agree
            phases[step.phase] = entry
        }
        var total = (error: 0.0, rows: 0, agree: 0)
        for phase in ["prefill", "mixed", "decode"] {
            guard let entry = phases[phase] else { continue }
            let passed = !entry.error.isNaN && entry.error <= bound
            total.error = entry.error.isNaN || total.error.isNaN ? .nan : max(total.error, entry.error)
            total.rows += entry.rows
            total.agree += entry.agree
            report.add(
                [
                    preset.rawValue, gpu.storage.rawValue, "1 vs \(worldSize)", phase, "\(entry.rows)", CheckFormat.sci(entry.error),
                    CheckFormat.sci(bound), "\(entry.agree)/\(entry.rows)", passed ? "pass" : "FAIL (worst: \(entry.worst))",
                ],
                record: [
                    "model": preset.rawValue, "storage": gpu.storage.rawValue, "worldSize": worldSize, "phase": phase,
                    "rows": entry.rows, "maxRelativeError": entry.error.isNaN ? -1 : entry.error, "bound": bound,
                    "argmaxAgree": entry.agree, "worstStep": entry.worst,
                ], passed: passed)
        }
        let fraction = Double(total.agree) / Double(max(total.rows, 1))
        let passed = !total.error.isNaN && total.error <= bound && fraction >= minimumAgreement
        report.add(
            [
                preset.rawValue, gpu.storage.rawValue, "1 vs \(worldSize)", "all", "\(total.rows)", CheckFormat.sci(total.error),
                CheckFormat.sci(bound), "\(total.agree)/\(total.rows) (≥ \(CheckFormat.fixed(minimumAgreement * 100, 0)) %)",
                passed ? "pass" : "FAIL",
            ],
            record: [
                "model": preset.rawValue, "storage": gpu.storage.rawValue, "worldSize": worldSize, "phase": "all",
                "rows": total.rows, "maxRelativeError": total.error.isNaN ? -1 : total.error, "bound": bound,
                "argmaxAgree": total.agree, "argmaxAgreeFraction": fraction, "minimumAgreement": minimumAgreement,
            ], passed: passed)
    }
}

/// Index of the largest value (first on ties).
func argmaxOf(_ x: [Float]) -> Int32 {
    var best = 0
    for i in x.indices where x[i] > x[best] { best = i }
    return Int32(best)
}

/// Why a tensor-parallel check could not be set up.
enum TensorParallelCheckError: Error, CustomStringConvertible {
    case poolTooSmall(String)
    case notCUDA

    var description: String {
        switch self {
        case .poolTooSmall(let what): "the check's pool has no room for \(what)"
        case .notCUDA: "gpu-check tp runs on CUDA GPUs only (NCCL); --device cpu is not supported"
        }
    }
}
