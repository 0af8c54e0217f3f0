// gpu-check speed (issue 5 item 6): decode step time of a dummy model at several batch sizes and one
// context length against its bytes floor (weights + KV + adapter rows over the measured copy
// bandwidth); the LoRA overhead per step with every sequence on its own adapter; and the LoRA kernels
// of one projection (shrink + expand) against S-LoRA's measured times. Benchmarks, not tests.

import Adapters
import Backend
import CUDABackend
import CUDADriver
import Checkpoint
import Foundation
import Llama
import MemoryPool

/// Options of one speed run.
struct SpeedBenchOptions {
    var preset: DummyModelPreset = .llama7b
    var batches: [Int] = [1, 8, 32, 128]
    var context = 512
    /// Random adapters (nil: one per sequence of the largest batch); sequence s uses adapter s mod count.
    var adapterCount: Int?
    var ranks: [Int] = [8, 16, 32, 64]
    var modules: [LoRAModule] = [.q, .k, .v, .o]
    var iterations = 20
    var kernelIterations = 200
    var graphs = true
    /// Adapters the adapter-loads part makes resident (0: skip the part).
    var loadAdapters = 8
    /// Also time the base-model matmuls per kernel (the matmul part).
    var matmuls = true
}

/// S-LoRA c1ddf48 `dispatch_bgmv` on this H200 (issue 5): µs for one projection, shrink + expand.
let sloraKernelMicroseconds: [String: Double] = [
    "batch 32, 32 adapters, rank 8": 10.2, "batch 32, mixed ranks 8-64": 13.7,
    "batch 128, 128 adapters, rank 8": 10.3, "batch 128, mixed ranks 8-64": 36.1,
]

struct SpeedBench {
    let backend: CUDAComputeBackend
    let options: SpeedBenchOptions

    /// The reports of the parts after decode and lora-kernels, named for this run (`-eager` without graphs).
    func extraReports() -> (matmul: CheckReport, loads: CheckReport) {
        let suffix = options.graphs ? "" : "-eager"
        return (
            CheckReport(name: "matmul" + suffix, columns: ["shape", "rows", "kernel", "µs", "bytes floor µs", "× floor", "weight GB/s"]),
            CheckReport(name: "adapter-loads" + suffix, columns: ["case", "wall ms", "note"])
        )
    }

    /// Runs every part: decode steps (and adapter loads) into `decode`/`loads`, the LoRA kernels into
    /// `kernels`, the base matmuls into `matmul` (skipped when nil or `options.matmuls` is off).
    func run(decode: CheckReport, kernels: CheckReport, matmul: CheckReport? = nil, loads: CheckReport? = nil) throws {
        let bandwidth = try backend.measureCopyBandwidth()
        decode.metadata["copyBandwidthBytesPerSecond"] = bandwidth
        decode.notes.append(
            "Device copy bandwidth (read + write): \(CheckFormat.fixed(bandwidth / 1e12)) TB/s. Model \(options.preset.rawValue) "
                + "dummy weights (\(backend.storage.rawValue)), context \(options.context), every sequence on its own "
                + "adapter (ranks \(options.ranks.map(String.init).joined(separator: "/")) targeting "
                + "\(options.modules.map(\.rawValue).joined(separator: ","))). gpu ms: CUDA events around back-to-back "
                + "forward passes; wall ms: forward + greedy sampling + the ids back on the host. CUDA graphs: \(options.graphs).")
        // The eager run (graphs off) repeats decode and lora-kernels only.
        try decodeSteps(report: decode, bandwidth: bandwidth, loads: options.graphs ? loads : nil)
        kernels.metadata["copyBandwidthBytesPerSecond"] = bandwidth
        try loraKernels(report: kernels, bandwidth: bandwidth)
        if let matmul, options.matmuls && options.graphs {
            matmul.metadata["copyBandwidthBytesPerSecond"] = bandwidth
            try matmuls(report: matmul, bandwidth: bandwidth)
        }
    }

    // MARK: - Decode steps

    func decodeSteps(report: CheckReport, bandwidth: Double, loads: CheckReport? = nil) throws {
        let config = options.preset.configuration
        let weights = DummyModel.weights(config: config, backend: backend, seed: 42)
        let model = LlamaModel(config: config, weights: weights, backend: backend)
        let geometry = model.geometry
        let maxBatch = options.batches.max() ?? 1
        let adapterCount = options.adapterCount ?? maxBatch
        let kvPages = geometry.kvPageCount(tokenCount: options.context + 1) * maxBatch
        let adapterPages = (0..<adapterCount).reduce(0) { total, i in
            let rank = options.ranks[i % options.ranks.count]
            let elements = rank * config.layerCount
                * options.modules.reduce(0) { $0 + config.projectionWidths.inputWidth($1) + config.projectionWidths.outputWidth($1) }
            return total + geometry.adapterPageCount(elementCount: elements)
        }
        let loadPages = loads == nil ? 0 : adapterLoadPageCount(config: config, geometry: geometry)
        let pages = PagePool(pageCount: kvPages + adapterPages + loadPages + 16)
        let pool = backend.makePool(pageCount: pages.pageCount, geometry: geometry)
        let slots = try DummyModel.randomAdapters(
            count: adapterCount, ranks: options.ranks, modules: options.modules, config: config, geometry: geometry,
            pages: pages, pool: pool, backend: backend, seed: 7)
        var tables: [SequencePageTable] = []
        for s in 0..<maxBatch {
            var table = SequencePageTable(geometry: geometry)
            guard table.reserve(tokenCount: options.context + 1, in: pages, owner: SequenceSlotID(s)) else {
                throw CUDAError.missingKernel(name: "pool", source: "too few pages for batch \(maxBatch)")
            }
            tables.append(table)
        }
        backend.useGraphs = options.graphs
        let weightBytes = Double(DummyModel.weightBytes(config, elementBytes: backend.storage.byteSize))
        for batch in options.batches {
            // Each sequence decodes one token at position `context` (so it attends to context + 1 positions).
            let step = StepBatch(
                sequences: (0..<batch).map { s in ([Int32((s * 7919) % config.vocabularySize)], options.context, tables[s].pages, false) })
            var times: [String: (gpu: Double, wall: Double)] = [:]
            for withAdapters in [false, true] {
                let used = min(batch, adapterCount)
                let adapters =
                    withAdapters
                    ? AdapterBatch(
                        tokenSlots: (0..<batch).map { Int32($0 % used) }, slots: Array(slots.prefix(used)), layerCount: config.layerCount)
                    : AdapterBatch.none(tokenCount: batch, layerCount: config.layerCount)
                let rows = [SamplingRow](repeating: .greedy, count: batch)
                let gpuMs = backend.timeGPU(iterations: options.iterations, warmup: 3) {
                    _ = model.forward(step: step, adapters: adapters, pool: pool)
                }
                let wallStart = DispatchTime.now()
                for _ in 0..<options.iterations {
                    let logits = model.forward(step: step, adapters: adapters, pool: pool)
                    _ = backend.sample(logits, vocabularySize: config.vocabularySize, rows: rows)
                }
                let wallMs = Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e6 / Double(options.iterations)
                times[withAdapters ? "lora" : "base"] = (gpuMs, wallMs)
                // Bytes that must move: weights, K and V of every attended position, adapter rows.
                let kvBytes = Double(batch * config.layerCount * (options.context + 1) * 2 * geometry.kvWidth * backend.storage.byteSize)
                let loraBytes =
                    withAdapters
                    ? Double(slots.prefix(used).reduce(0) { $0 + $1.layout.elementCount } * backend.storage.byteSize) : 0
                let floorMs = (weightBytes + kvBytes + loraBytes) / bandwidth * 1000
                let ratio = gpuMs / floorMs
                let target = batch <= 32 ? 1.3 : Double.infinity
                let met = ratio <= target
                report.add(
                    [
                        "\(batch)", withAdapters ? (used == batch ? "\(batch) (one each)" : "\(used)") : "0", CheckFormat.fixed(gpuMs, 3), CheckFormat.fixed(wallMs, 3),
                        CheckFormat.fixed(floorMs, 3), CheckFormat.fixed(ratio), batch <= 32 ? (met ? "met (≤1.3×)" : "missed by \(CheckFormat.fixed(ratio / 1.3))×") : "-",
                    ],
                    record: [
                        "batch": batch, "adapters": withAdapters ? batch : 0, "gpuMs": gpuMs, "wallMs": wallMs, "floorMs": floorMs,
                        "ratio": ratio, "kvBytes": kvBytes, "weightBytes": weightBytes, "loraBytes": loraBytes,
                    ])
            }
            if let base = times["base"], let lora = times["lora"] {
                let overhead = (lora.gpu - base.gpu) / lora.gpu
                report.notes.append(
                    "LoRA overhead at batch \(batch): \(CheckFormat.fixed(overhead * 100, 1)) % of the step "
                        + "(\(CheckFormat.fixed(lora.gpu, 3)) vs \(CheckFormat.fixed(base.gpu, 3)) ms; target ≤ 10 %: \(overhead <= 0.10 ? "met" : "missed")).")
                report.metadata["loraOverhead\(batch)"] = overhead
            }
        }
        let stats = backend.graphStatistics
        report.notes.append("Graph captures \(stats.captures), replays \(stats.replays)"
            + (backend.graphsDisabledReason.map { "; a capture failed: \($0)" } ?? "") + ".")
        report.notes.append(
            "Base matmuls with ≤ \(backend.gemvMaxRows) rows run gemv.cu, larger ones cuBLAS (see the matmul table).")
        if let loads {
            let batch = options.batches.filter { $0 <= 32 }.max() ?? options.batches.min() ?? 1
            try adapterLoads(report: loads, model: model, pool: pool, pages: pages, tables: tables, batch: batch)
        }
    }

    // MARK: - LoRA kernels of one projection

    func loraKernels(report: CheckReport, bandwidth: Double) throws {
        let widths = ProjectionWidths(hiddenSize: 4096, queryWidth: 4096, kvWidth: 4096, intermediateSize: 11008)
        let geometry = PageGeometry(layerCount: 1, kvWidth: 4096, tokensPerPage: 16)
        let shapes: [(name: String, batch: Int, ranks: [Int])] = [
            ("batch 32, 32 adapters, rank 8", 32, [8]), ("batch 32, mixed ranks 8-64", 32, [8, 16, 32, 64]),
            ("batch 128, 128 adapters, rank 8", 128, [8]), ("batch 128, mixed ranks 8-64", 128, [8, 16, 32, 64]),
        ]
        report.notes.append(
            "One projection (q, 4096 → 4096), shrink + expand, every token on its own adapter; µs per projection "
                + "from \(options.kernelIterations) runs captured in a CUDA graph (replayed 5 times) and queued as plain launches (stream).")
        for shape in shapes {
            let ranks = (0..<shape.batch).map { shape.ranks[$0 % shape.ranks.count] }
            let layouts = ranks.map { r in
                AdapterStreamLayout(ranks: [LoRAModule.allCases.map { $0 == .q ? r : 0 }], widths: widths)
            }
            let pageCounts = layouts.map { geometry.adapterPageCount(elementCount: $0.elementCount) }
            let pages = PagePool(pageCount: pageCounts.reduce(0, +) + 4)
            let pool = backend.makePool(pageCount: pages.pageCount, geometry: geometry)
            var slots: [AdapterBatch.Slot] = []
            for (i, layout) in layouts.enumerated() {
                guard let table = AdapterPageTable.allocate(
                    elementCount: layout.elementCount, geometry: geometry, pool: pages, owner: AdapterSlotID(i))
                else { throw CUDAError.missingKernel(name: "pool", source: "adapter pages") }
                backend.fillRandomPages(table.pages, pool: pool, geometry: geometry, seed: UInt64(i), scale: 1e-3)
                slots.append(AdapterBatch.Slot(layout: layout, scalings: [LoRAModule.allCases.map { _ in 1 }], pages: table.pages))
            }
            let adapters = AdapterBatch(tokenSlots: (0..<shape.batch).map { Int32($0) }, slots: slots, layerCount: 1)
            let step = StepBatch(
                sequences: (0..<shape.batch).map { _ in ([Int32(0)], 0, [PageIndex(0)], false) })
            let prepared = backend.prepare(step: step, adapters: adapters)
            let x = backend.makeRandomTensor(count: shape.batch * 4096, precision: .compact, seed: 3, scale: 1)
            let u = backend.makeTensor(count: shape.batch * adapters.maxRank, precision: .full)
            let y = backend.makeTensor(count: shape.batch * 4096, precision: .full)
            let body = {
                backend.loraShrink(x, inWidth: 4096, pool: pool, geometry: geometry, step: prepared, layer: 0, module: .q, u: u)
                backend.loraExpand(u, outWidth: 4096, pool: pool, geometry: geometry, step: prepared, layer: 0, module: .q, y: y)
            }
            let n = options.kernelIterations
            let streamUs = backend.timeGPU(iterations: n, warmup: 5, body) * 1000
            let graphUs = (try? backend.timeGraph(perGraph: n, replays: 5, body)).map { $0 * 1000 }
            let adapterBytes = ranks.reduce(0) { $0 + $1 * 8192 } * backend.storage.byteSize
            let activationBytes = shape.batch * 4096 * (backend.storage.byteSize + 8)
            let floorUs = Double(adapterBytes + activationBytes) / bandwidth * 1e6
            let ours = graphUs ?? streamUs
            let slora = sloraKernelMicroseconds[shape.name] ?? .infinity
            var target = slora
            if shape.name == "batch 128, mixed ranks 8-64" { target = min(target, 25) }
            report.add(
                [
                    shape.name, CheckFormat.fixed(ours, 1), CheckFormat.fixed(streamUs, 1), CheckFormat.fixed(floorUs, 1), CheckFormat.fixed(slora, 1),
                    ours <= target ? "met (≤ \(CheckFormat.fixed(target, 1)))" : "missed by \(CheckFormat.fixed(ours / target))×",
                ],
                record: [
                    "shape": shape.name, "graphUs": graphUs ?? -1, "streamUs": streamUs, "floorUs": floorUs, "sloraUs": slora,
                    "targetUs": target,
                ])
        }
    }
}
