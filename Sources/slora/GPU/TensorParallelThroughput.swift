// gpu-check tp, throughput: decode steps of a dummy model (random weights drawn per rank on its GPU) at
// TP = 1 and TP = N, every sequence on its own random adapter (S-LoRA's S2 ranks 8/16/32/64 on q/k/v/o),
// each sequence with `context` tokens already cached. GPU time per step from events on every rank
// (the slowest rank), wall time per step with rank 0 sampling and the ids back on the host.

import Adapters
import Backend
import CUDABackend
import CUDADriver
import Checkpoint
import Foundation
import Llama
import MemoryPool

/// Options of the throughput part.
struct TensorParallelThroughputOptions {
    var batches: [Int] = [1, 8, 32, 128]
    var context = 512
    var ranks: [Int] = [8, 16, 32, 64]
    var modules: [LoRAModule] = [.q, .k, .v, .o]
    var iterations = 20
}

/// Decode-step timing of one model at one world size.
struct TensorParallelThroughput {
    let gpu: TensorParallelGPU
    let preset: TensorParallelPreset
    let worldSize: Int
    let options: TensorParallelThroughputOptions

    /// Whether one rank's share of the weights, the largest batch's KV and its adapters fit in `bytes`
    /// of GPU memory with 10 % to spare.
    func fits(gpuBytes: Int) -> Bool {
        let c = preset.configuration
        let element = gpu.storage.byteSize
        let weights = TensorParallelDummy.rankWeightBytes(c, worldSize: worldSize, elementBytes: element)
            + Double(c.vocabularySize * c.hiddenSize * element)  // the embedding
        let maxBatch = options.batches.max() ?? 1
        let kv = Double(maxBatch * (options.context + 1) * c.layerCount * 2 * (c.kvWidth / worldSize) * element)
        let adapters = Double((0..<maxBatch).reduce(0) { $0 + adapterLayout(index: $1).elementCount } * element)
        return weights + kv + adapters < 0.9 * Double(gpuBytes)
    }

    /// Adapter `index`'s shard layout (rank `ranks[index % ranks.count]`).
    func adapterLayout(index: Int) -> AdapterStreamLayout {
        TensorParallelDummy.shardLayout(
            rank: options.ranks[index % options.ranks.count], modules: options.modules, config: preset.configuration,
            worldSize: worldSize)
    }

    /// Adds one row per batch size to `report`; `baseline[batch]` is TP = 1's wall ms (for the speed-up column).
    func run(report: CheckReport, bandwidth: Double, baseline: [Int: Double]) throws -> [Int: Double] {
        let config = preset.configuration
        let maxBatch = options.batches.max() ?? 1
        let geometry = PageGeometry(layerCount: config.layerCount, kvWidth: config.kvWidth / worldSize, tokensPerPage: 16)
        let layouts = (0..<maxBatch).map(adapterLayout(index:))
        let kvPages = geometry.kvPageCount(tokenCount: options.context + 1) * maxBatch
        let adapterPages = layouts.reduce(0) { $0 + geometry.adapterPageCount(elementCount: $1.elementCount) }
        let pageCount = kvPages + adapterPages + 16
        let runner = try gpu.makeRunner(config: config, worldSize: worldSize, pageCount: pageCount) { backend, shard in
            TensorParallelDummy.weights(config: config, shard: shard, backend: backend, seed: 42, exact: false)
        }
        defer { runner.shutdown() }
        let pagePool = PagePool(pageCount: pageCount)
        var slots: [AdapterBatch.Slot] = []
        var adapterPageLists: [[PageIndex]] = []
        let scalings = [[Float]](
            repeating: LoRAModule.allCases.map { options.modules.contains($0) ? 1 : 0 }, count: config.layerCount)
        for (i, layout) in layouts.enumerated() {
            guard
                let table = AdapterPageTable.allocate(
                    elementCount: layout.elementCount, geometry: geometry, pool: pagePool, owner: AdapterSlotID(i))
            else { throw TensorParallelCheckError.poolTooSmall("adapter \(i)") }
            adapterPageLists.append(table.pages)
            slots.append(AdapterBatch.Slot(layout: layout, scalings: scalings, pages: table.pages))
        }
        var tables: [SequencePageTable] = []
        for s in 0..<maxBatch {
            var table = SequencePageTable(geometry: geometry)
            guard table.reserve(tokenCount: options.context + 1, in: pagePool, owner: SequenceSlotID(s)) else {
                throw TensorParallelCheckError.poolTooSmall("sequence \(s)")
            }
            tables.append(table)
        }
        // Random adapter values ((2u − 1)·1e-3, as S-LoRA's dummy adapters) and random K/V history, per rank.
        let kvLists = tables.map(\.pages)
        _ = runner.perform { rank in
            for (i, pages) in adapterPageLists.enumerated() {
                rank.backend.fillRandomPages(
                    pages, pool: rank.pool, geometry: geometry, seed: 7 &+ UInt64(i) &+ UInt64(rank.rank) << 40, scale: 1e-3)
            }
            rank.backend.fillRandomPages(
                kvLists.flatMap { $0 }, pool: rank.pool, geometry: geometry, seed: 99 &+ UInt64(rank.rank), scale: 1)
            rank.backend.synchronize()
        }

        var wallByBatch: [Int: Double] = [:]
        let weightBytes = TensorParallelDummy.rankWeightBytes(config, worldSize: worldSize, elementBytes: gpu.storage.byteSize)
        for batch in options.batches {
            // Each sequence decodes one token at position `context`, on its own adapter.
            let step = StepBatch(
                sequences: (0..<batch).map { s in
                    ([Int32((s * 7919) % config.vocabularySize)], options.context, tables[s].pages, false)
                })
            let adapters = AdapterBatch(
                tokenSlots: (0..<batch).map { Int32($0) }, slots: Array(slots.prefix(batch)), layerCount: config.layerCount)
            let rows = [SamplingRow](repeating: .greedy, count: batch)
            let iterations = options.iterations
            // GPU time: every rank queues its steps back to back between two events; the slowest rank counts.
            let gpuTimes = runner.perform { rank in
                rank.backend.timeGPU(iterations: iterations, warmup: 3) {
                    _ = rank.model.forward(step: step, adapters: adapters, pool: rank.pool)
                }
            }
            let gpuMs = gpuTimes.max() ?? 0
            // Wall time: one step at a time as the engine runs it (rank 0 samples, ids back on the host).
            let wallStart = DispatchTime.now()
            for _ in 0..<iterations { _ = runner.forwardAndSample(step: step, adapters: adapters, rows: rows) }
            TensorParallelGPU.synchronize(runner)
            let wallMs = Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e6 / Double(iterations)
            wallByBatch[batch] = wallMs
            let kvBytes = Double(batch * config.layerCount * (options.context + 1) * 2 * geometry.kvWidth * gpu.storage.byteSize)
            let loraBytes = Double(layouts.prefix(batch).reduce(0) { $0 + $1.elementCount } * gpu.storage.byteSize)
            let floorMs = (weightBytes + kvBytes + loraBytes) / bandwidth * 1000
            let tokensPerSecond = Double(batch) / (wallMs / 1000)
            let speedUp = baseline[batch].map { $0 / wallMs }
            report.add(
                [
                    preset.rawValue, "\(worldSize)", "\(batch)", "\(batch) (one each)", CheckFormat.fixed(gpuMs, 3),
                    CheckFormat.fixed(wallMs, 3), CheckFormat.fixed(tokensPerSecond, 0),
                    speedUp.map { CheckFormat.fixed($0) + "×" } ?? "-", CheckFormat.fixed(floorMs, 3), CheckFormat.fixed(gpuMs / floorMs),
                ],
                record: [
                    "model": preset.rawValue, "worldSize": worldSize, "batch": batch, "adapters": batch, "context": options.context,
                    "gpuMs": gpuMs, "gpuMsPerRank": gpuTimes, "wallMs": wallMs, "tokensPerSecond": tokensPerSecond,
                    "speedUpVsTP1": speedUp ?? -1, "floorMsPerRank": floorMs, "weightBytesPerRank": weightBytes,
                    "kvBytesPerRank": kvBytes, "loraBytesPerRank": loraBytes,
                ])
        }
        let graphs = runner.perform { ($0.backend.graphStatistics, $0.backend.graphsDisabledReason) }
        report.notes.append(
            "\(preset.rawValue) TP=\(worldSize): decode-step graph captures/replays per rank "
                + graphs.map { "\($0.0.captures)/\($0.0.replays)" }.joined(separator: ", ")
                + (graphs.compactMap(\.1).first.map { "; a capture failed: \($0)" } ?? "") + ".")
        return wallByBatch
    }
}
