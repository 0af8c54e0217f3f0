// Parity cases for LoRA shrink and expand: adapters of mixed ranks (some not targeting the module) in
// scattered pool pages, tokens on different adapters and on the base model, decode rows and prefill
// segments, each kernel path forced in turn (rows, segments, and the padded-bmm ablation's gather + batched
// GEMM) and the scalar path for odd widths; the padded path also with a scratch budget small enough to
// cut the tokens into several chunks.

import Backend
import CPUBackend
import CUDABackend
import MemoryPool

extension ParityHarness {
    struct LoRASetup {
        let geometry: PageGeometry
        let widths: ProjectionWidths
        let pool: (gpu: G.Tensor, cpu: CPUTensor)
        let slots: [AdapterBatch.Slot]
    }

    /// Random adapters (ranks per slot; slot i skips module `skips[i]`) written to shuffled pool pages.
    func loraSetup(widths: ProjectionWidths, layers: Int, ranks: [Int], skip: LoRAModule) -> LoRASetup {
        let geometry = PageGeometry(layerCount: layers, kvWidth: widths.kvWidth, tokensPerPage: 16)
        var layouts: [AdapterStreamLayout] = []
        for (i, rank) in ranks.enumerated() {
            let perLayer = LoRAModule.allCases.map { module in
                // The last slot does not target `skip` (rank 0 for its tokens); others target everything.
                i == ranks.count - 1 && module == skip ? 0 : rank
            }
            layouts.append(AdapterStreamLayout(ranks: Array(repeating: perLayer, count: layers), widths: widths))
        }
        let pageCounts = layouts.map { geometry.adapterPageCount(elementCount: $0.elementCount) }
        let pageCount = pageCounts.reduce(0, +) + 5
        var order = random.permutation(pageCount).makeIterator()
        let pool = (gpu: gpu.makePool(pageCount: pageCount, geometry: geometry), cpu: cpu.makePool(pageCount: pageCount, geometry: geometry))
        var slots: [AdapterBatch.Slot] = []
        for (i, layout) in layouts.enumerated() {
            let pages = (0..<pageCounts[i]).map { _ in PageIndex(order.next()!) }
            // A's rows feed x (norm ~1 per element), so scale by 1/sqrt(in) like PEFT's init.
            let stream = random.gaussians(layout.elementCount, scale: 0.02)
            gpu.writeAdapter(stream, pages: pages, pool: pool.gpu, geometry: geometry)
            cpu.writeAdapter(stored(stream, .compact), pages: pages, pool: pool.cpu, geometry: geometry)
            let scalings = Array(repeating: LoRAModule.allCases.map { _ in Float(1 + i) * 0.5 }, count: layers)
            slots.append(AdapterBatch.Slot(layout: layout, scalings: scalings, pages: pages))
        }
        return LoRASetup(geometry: geometry, widths: widths, pool: pool, slots: slots)
    }

    func loraCases() {
        let llama = ProjectionWidths(hiddenSize: 4096, queryWidth: 4096, kvWidth: 1024, intermediateSize: 11008)
        let odd = ProjectionWidths(hiddenSize: 100, queryWidth: 100, kvWidth: 60, intermediateSize: 172)
        let tiny = ProjectionWidths(hiddenSize: 64, queryWidth: 128, kvWidth: 64, intermediateSize: 160)
        // q's widths are multiples of 8 but k/v's (36) are not, so later stream offsets are misaligned:
        // the backend must notice and use the one-element kernels.
        let misaligned = ProjectionWidths(hiddenSize: 64, queryWidth: 64, kvWidth: 36, intermediateSize: 128)
        let mixes: [(name: String, slots: [Int32])] = [
            ("decode 32", (0..<32).map { Int32($0 % 7) - 1 }),  // slots -1…5 in turn
            ("prefill 20+9+1+base", [Int32](repeating: 2, count: 20) + [Int32](repeating: 0, count: 9) + [5] + [Int32](repeating: -1, count: 4)),
            ("mixed", [3, -1, 1] + [Int32](repeating: 4, count: 17) + [0, 0, -1, 5]),
        ]
        let cases: [(name: String, widths: ProjectionWidths, ranks: [Int], modules: [LoRAModule])] = [
            ("llama", llama, [8, 16, 32, 64, 8, 16], [.q, .k, .down, .gate]),
            ("odd widths", odd, [4, 8, 3, 16, 8, 2], [.q, .v, .down]),
            ("fixture widths", tiny, [4, 8, 16, 64, 2, 8], [.o, .up]),
            ("misaligned offsets", misaligned, [8, 16, 3, 8, 5, 2], [.q, .down]),
        ]
        for c in cases {
            loraCases(name: c.name, widths: c.widths, ranks: c.ranks, modules: c.modules, mixes: mixes)
        }
        // The 8-wide row kernels split the rank over warps (expand) and blocks of 4 rank rows (shrink):
        // ranks that are not multiples of either, rank 64 at batch 128, an output narrower than one block (160).
        let decode128: [(name: String, slots: [Int32])] = [("decode 128", (0..<128).map { Int32($0 % 7) - 1 })]
        loraCases(name: "ragged ranks", widths: llama, ranks: [64, 5, 37, 12, 1, 64], modules: [.q, .down, .k], mixes: decode128)
        loraCases(name: "ragged ranks fixture widths", widths: tiny, ranks: [7, 64, 13, 3, 33, 64], modules: [.up], mixes: decode128 + mixes)
        // The padded path in chunks of a few tokens (a last chunk shorter than the others).
        paddedChunkCases(name: "padded chunks", widths: llama, ranks: [64, 5, 37, 12, 1, 64], modules: [.q, .down], mixes: decode128 + mixes)
        paddedChunkCases(name: "padded chunks odd widths", widths: odd, ranks: [4, 8, 3, 16, 8, 2], modules: [.v, .down], mixes: mixes)
    }

    /// The padded-bmm path with `paddedLoRAScratchBudget` lowered to about 5 tokens of the widest
    /// projection (so every mix runs in several chunks); only on the CUDA backend.
    func paddedChunkCases(
        name: String, widths: ProjectionWidths, ranks: [Int], modules: [LoRAModule], mixes: [(name: String, slots: [Int32])]
    ) {
        guard let cuda = gpu as? CUDAComputeBackend else { return }
        let saved = cuda.paddedLoRAScratchBudget
        defer { cuda.paddedLoRAScratchBudget = saved }
        let widest = [widths.hiddenSize, widths.queryWidth, widths.kvWidth, widths.intermediateSize].max()!
        cuda.paddedLoRAScratchBudget =
            5 * ranks.max()! * (widest + 1) * cuda.storage.byteSize + LaunchGeometry.paddedAlignment
        loraCases(name: name, widths: widths, ranks: ranks, modules: modules, mixes: mixes, paths: [.paddedBMM])
    }

    /// Every (module, mix) of one adapter set, each kernel path of `paths` forced in turn.
    func loraCases(
        name: String, widths: ProjectionWidths, ranks: [Int], modules: [LoRAModule], mixes: [(name: String, slots: [Int32])],
        paths: [LaunchGeometry.LoRAPath] = [.rows, .segments, .paddedBMM]
    ) {
        for module in modules {
            let setup = loraSetup(widths: widths, layers: 2, ranks: ranks, skip: module)
            for mix in mixes {
                let adapters = AdapterBatch(tokenSlots: mix.slots, slots: setup.slots, layerCount: 2)
                let step = makeStep(
                    mix.slots.indices.map { _ in (1, 0) }, geometry: setup.geometry, pageCount: 2 * mix.slots.count)
                for path in paths {
                    gpu.forcedLoRAPath = path
                    loraCase(setup: setup, adapters: adapters, step: step, module: module, name: "\(name) \(module.rawValue) \(mix.name) \(path.rawValue)")
                }
                gpu.forcedLoRAPath = nil
            }
        }
    }

    /// Shrink then expand of one (module, layer 1) on both backends.
    func loraCase(setup: LoRASetup, adapters: AdapterBatch, step: StepBatch, module: LoRAModule, name: String) {
        let t = step.tokenCount
        let inWidth = setup.widths.inputWidth(module)
        let outWidth = setup.widths.outputWidth(module)
        let rank = adapters.maxRank
        let layer = 1
        let gpuStep = gpu.prepare(step: step, adapters: adapters)
        let cpuStep = cpu.prepare(step: step, adapters: adapters)

        let x = randomPair(t * inWidth, .compact)
        let u = output(t * rank, .full)
        gpu.loraShrink(x.gpu, inWidth: inWidth, pool: setup.pool.gpu, geometry: setup.geometry, step: gpuStep, layer: layer, module: module, u: u.gpu)
        cpu.loraShrink(x.cpu, inWidth: inWidth, pool: setup.pool.cpu, geometry: setup.geometry, step: cpuStep, layer: layer, module: module, u: u.cpu)
        // Only u[t, j < rank of t's adapter] is specified.
        var mask = [Bool](repeating: false, count: t * rank)
        for (token, slot) in adapters.tokenSlots.enumerated() where slot >= 0 {
            let d = ((Int(slot) * adapters.layerCount + layer) * AdapterBatch.moduleCount + module.index) * 3
            for j in 0..<Int(adapters.descriptors[d]) { mask[token * rank + j] = true }
        }
        check("loraShrink", name, gpu: u.gpu, cpu: u.cpu, count: t * rank, mask: mask)

        let uIn = randomPair(t * rank, .full)
        let before = random.gaussians(t * outWidth, scale: 0.05)
        let y = pair(before, .full)
        gpu.loraExpand(uIn.gpu, outWidth: outWidth, pool: setup.pool.gpu, geometry: setup.geometry, step: gpuStep, layer: layer, module: module, y: y.gpu)
        cpu.loraExpand(uIn.cpu, outWidth: outWidth, pool: setup.pool.cpu, geometry: setup.geometry, step: cpuStep, layer: layer, module: module, y: y.cpu)
        let ours = gpu.download(y.gpu, count: t * outWidth)
        let reference = cpu.download(y.cpu, count: t * outWidth)
        check("loraExpand", name, gpu: y.gpu, cpu: y.cpu, count: t * outWidth)
        // The added part alone (y − y_before), so a wrong delta cannot hide under y's own size.
        compare(
            "loraExpand.delta", name, ours: zip(ours, before).map { $0 - $1 }, reference: zip(reference, before).map { $0 - $1 })
    }
}
