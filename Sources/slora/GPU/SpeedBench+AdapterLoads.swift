// gpu-check speed, adapter-loads part (issue 5 item 4): the time to make N adapters resident from the
// pinned host store, alone (ordered copies, then a synchronize) and during decode steps: loaded in order
// before each step (the copy delays the step) vs overlapping the step on the copy stream (the engine's
// prefetch of queued requests' adapters). Wall clock, each step = forward + greedy sample (ids to host).

import Adapters
import Backend
import CUDABackend
import CUDADriver
import Checkpoint
import Foundation
import Llama
import MemoryPool

extension SpeedBench {
    /// Random host adapters (ranks cycling through `options.ranks`), their host copies and pool pages.
    struct LoadSet {
        let copies: [CUDAHostAdapter]
        let pages: [[PageIndex]]
        let bytes: Int
        let makeMs: Double
    }

    /// Extra pool pages `adapterLoads` needs.
    func adapterLoadPageCount(config: LlamaConfiguration, geometry: PageGeometry) -> Int {
        (0..<options.loadAdapters).reduce(0) { total, i in
            total + geometry.adapterPageCount(elementCount: loadLayout(i, config: config).elementCount)
        }
    }

    func loadLayout(_ i: Int, config: LlamaConfiguration) -> AdapterStreamLayout {
        let rank = options.ranks[i % options.ranks.count]
        let perLayer = LoRAModule.allCases.map { options.modules.contains($0) ? rank : 0 }
        return AdapterStreamLayout(ranks: Array(repeating: perLayer, count: config.layerCount), widths: config.projectionWidths)
    }

    func adapterLoads(
        report: CheckReport, model: LlamaModel<CUDAComputeBackend>, pool: CUDATensor, pages: PagePool,
        tables: [SequencePageTable], batch: Int
    ) throws {
        let config = model.config
        let geometry = model.geometry
        let n = options.loadAdapters
        guard n > 0 else { return }
        // Host streams: uniform ±1e-3 (S-LoRA's dummy adapters), made once; host copies timed.
        var copies: [CUDAHostAdapter] = []
        var tablesOfLoads: [[PageIndex]] = []
        var bytes = 0
        var makeNs: UInt64 = 0
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for i in 0..<n {
            let layout = loadLayout(i, config: config)
            let stream = [Float](unsafeUninitializedCapacity: layout.elementCount) { out, initialized in
                for j in 0..<layout.elementCount {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    out[j] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * 1e-3
                }
                initialized = layout.elementCount
            }
            let start = DispatchTime.now().uptimeNanoseconds
            copies.append(backend.makeHostAdapter(stream))
            makeNs += DispatchTime.now().uptimeNanoseconds - start
            guard let table = AdapterPageTable.allocate(
                elementCount: layout.elementCount, geometry: geometry, pool: pages, owner: AdapterSlotID(20_000 + i))
            else { throw CUDAError.missingKernel(name: "pool", source: "no pages for load adapter \(i)") }
            tablesOfLoads.append(table.pages)
            bytes += copies[i].byteCount
        }
        let step = StepBatch(
            sequences: (0..<batch).map { s in ([Int32((s * 31) % config.vocabularySize)], options.context, tables[s].pages, false) })
        let adapters = AdapterBatch.none(tokenCount: batch, layerCount: config.layerCount)
        let rows = [SamplingRow](repeating: .greedy, count: batch)
        func decodeStep(_ between: () -> Void = {}) {
            let logits = model.forward(step: step, adapters: adapters, pool: pool)
            between()
            _ = backend.sample(logits, vocabularySize: config.vocabularySize, rows: rows)
        }
        func wall(_ body: () -> Void) -> Double {
            backend.synchronize()
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            backend.synchronize()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        func load(_ i: Int, overlapping: Bool) {
            backend.loadAdapter(
                copies[i], pages: tablesOfLoads[i], pool: pool, geometry: geometry, overlappingCurrentStep: overlapping)
        }
        for _ in 0..<3 { decodeStep() }  // warm (graphs captured)
        for i in 0..<n { load(i, overlapping: false) }
        // Each measurement twice; the smaller counts (the first may pay lazy set-up).
        var alone = Double.infinity
        var steps = Double.infinity
        var ordered = Double.infinity
        var overlapped = Double.infinity
        for _ in 0..<2 {
            alone = min(alone, wall { for i in 0..<n { load(i, overlapping: false) } })
            steps = min(steps, wall { for _ in 0..<n { decodeStep() } })
            ordered = min(ordered, wall { for i in 0..<n { load(i, overlapping: false); decodeStep() } })
            overlapped = min(overlapped, wall { for i in 0..<n { decodeStep { load(i, overlapping: true) } } })
        }
        let megabytes = Double(bytes) / 1e6
        report.notes.append(
            "\(n) adapters (ranks \(options.ranks.map(String.init).joined(separator: "/")) on "
                + "\(options.modules.map(\.rawValue).joined(separator: ",")), \(CheckFormat.fixed(megabytes, 0)) MB in "
                + "\(backend.storage.rawValue)) copied from pinned host memory "
                + "(\(copies.allSatisfy(\.pinned) ? "all pinned" : "NOT all pinned: cuMemHostAlloc failed")) into scattered "
                + "pool pages; making the host copies took \(CheckFormat.fixed(Double(makeNs) / 1e6, 1)) ms (once per adapter). "
                + "Decode steps: batch \(batch), no adapters, one adapter loaded per step.")
        let hidden = 1 - max(0, overlapped - steps) / alone
        report.metadata["hiddenFraction"] = hidden
        let rowsOut: [(String, Double, String)] = [
            ("\(n) loads alone (ordered, then synchronize)", alone, "\(CheckFormat.fixed(Double(bytes) / (alone / 1000) / 1e9, 1)) GB/s host→device"),
            ("\(n) decode steps, no loads", steps, "\(CheckFormat.fixed(steps / Double(n), 3)) ms/step"),
            ("\(n) steps, each after an ordered load", ordered, "+\(CheckFormat.fixed(ordered - steps, 2)) ms over the steps"),
            ("\(n) steps, each overlapping a load (prefetch)", overlapped,
             "+\(CheckFormat.fixed(overlapped - steps, 2)) ms over the steps; \(CheckFormat.fixed(hidden * 100, 0)) % of the load time hidden (negative: overlapping slowed the steps)"),
        ]
        for (name, ms, note) in rowsOut {
            report.add([name, CheckFormat.fixed(ms, 2), note], record: ["case": name, "ms": ms, "bytes": bytes, "adapters": n])
        }
        let stats = backend.adapterLoadStatistics
        report.notes.append("Copy stream totals: \(stats.loads) loads, \(CheckFormat.fixed(Double(stats.bytes) / 1e9, 2)) GB.")
    }
}
