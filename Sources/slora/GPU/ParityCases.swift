// Parity cases for the row-wise ops, matmul, RoPE, the logit-row gather and sampling, over a grid of
// shapes (tiny fixture widths up to Llama-13B's). Attention/KV and LoRA cases are in the extensions.

import Backend
import CPUBackend
import CUDABackend
import Checkpoint
import Foundation
import MemoryPool

extension ParityHarness {
    /// The case families, in run order (`gpu-check parity --ops` picks some).
    static var families: [String] {
        ["embed", "norm", "elementwise", "matmul", "rope", "gather", "sample", "writeKV", "attention", "lora", "adapterLoad"]
    }

    /// Every parity case of the chosen families (nil: all), in a fixed order.
    func runAll(only: Set<String>? = nil) {
        let run: [String: () -> Void] = [
            "embed": embedCases, "norm": normCases, "elementwise": elementwiseCases, "matmul": matmulCases,
            "rope": ropeCases, "gather": gatherCases, "sample": samplingCases, "writeKV": writeKVCases,
            "attention": attentionCases, "lora": loraCases, "adapterLoad": adapterLoadCases,
        ]
        for family in Self.families where only?.contains(family) ?? true { run[family]?() }
    }

    /// A step whose sequences have the given (new token count, first position); page tables cover each
    /// sequence's last position, pages assigned in a shuffled order from `pageCount`.
    func makeStep(
        _ sequences: [(tokens: Int, start: Int)], geometry: PageGeometry, pageCount: Int, vocabulary: Int = 1000
    ) -> StepBatch {
        var order = random.permutation(pageCount).makeIterator()
        let parts = sequences.map { s -> (tokens: [Int32], startPosition: Int, pageTable: [PageIndex], allLogits: Bool) in
            let pages = geometry.kvPageCount(tokenCount: s.start + s.tokens)
            let table = (0..<pages).map { _ in PageIndex(order.next()!) }
            let tokens = (0..<s.tokens).map { _ in Int32(random.int(0..<vocabulary)) }
            return (tokens, s.start, table, true)
        }
        return StepBatch(sequences: parts)
    }

    func embedCases() {
        for (vocabulary, width, tokens) in [(256, 64, 7), (32000, 4096, 33)] {
            let name = "V\(vocabulary) H\(width) T\(tokens)"
            let table = weight(rows: vocabulary, cols: width, scale: 0.1)
            let geometry = PageGeometry(layerCount: 1, kvWidth: 8, tokensPerPage: 16)
            var step = makeStep([(tokens, 0)], geometry: geometry, pageCount: 64, vocabulary: vocabulary)
            // Include the first and last ids.
            var ids = step.tokens
            ids[0] = 0
            ids[ids.count - 1] = Int32(vocabulary - 1)
            step = StepBatch(
                tokens: ids, positions: step.positions, tokenSequence: step.tokenSequence, pageTables: step.pageTables,
                pageTableStride: step.pageTableStride, logitRows: step.logitRows)
            let none = AdapterBatch.none(tokenCount: tokens, layerCount: 1)
            let out = output(tokens * width, .full)
            gpu.embed(step: gpu.prepare(step: step, adapters: none), table: table.gpu, out: out.gpu)
            cpu.embed(step: cpu.prepare(step: step, adapters: none), table: table.cpu, out: out.cpu)
            check("embed", name, gpu: out.gpu, cpu: out.cpu, count: tokens * width)
        }
    }

    func normCases() {
        for (rows, width) in [(1, 64), (5, 4096), (33, 5120), (3, 4000), (130, 2048)] {
            let name = "\(rows)×\(width)"
            let x = randomPair(rows * width, .full, scale: 3)
            let w = pair(random.gaussians(width, scale: 0.1).map { 1 + $0 }, .full)
            let out = output(rows * width, .compact)
            gpu.rmsNorm(x.gpu, weight: w.gpu, eps: 1e-5, rows: rows, width: width, out: out.gpu)
            cpu.rmsNorm(x.cpu, weight: w.cpu, eps: 1e-5, rows: rows, width: width, out: out.cpu)
            check("rmsNorm", name, gpu: out.gpu, cpu: out.cpu, count: rows * width)

            let residual = randomPair(rows * width, .full, scale: 2)
            let delta = randomPair(rows * width, .full, scale: 0.5)
            let out2 = output(rows * width, .compact)
            gpu.addRMSNorm(residual: residual.gpu, delta: delta.gpu, weight: w.gpu, eps: 1e-6, rows: rows, width: width, out: out2.gpu)
            cpu.addRMSNorm(residual: residual.cpu, delta: delta.cpu, weight: w.cpu, eps: 1e-6, rows: rows, width: width, out: out2.cpu)
            check("addRMSNorm.out", name, gpu: out2.gpu, cpu: out2.cpu, count: rows * width)
            check("addRMSNorm.residual", name, gpu: residual.gpu, cpu: residual.cpu, count: rows * width)
        }
    }

    func elementwiseCases() {
        for count in [1, 1000, 128 * 11008] {
            let x = randomPair(count, .full)
            let delta = randomPair(count, .full)
            gpu.add(x.gpu, delta.gpu, count: count)
            cpu.add(x.cpu, delta.cpu, count: count)
            check("add", "n\(count)", gpu: x.gpu, cpu: x.cpu, count: count)

            let gate = randomPair(count, .full, scale: 4)
            let up = randomPair(count, .full)
            let out = output(count, .compact)
            gpu.siluMul(gate: gate.gpu, up: up.gpu, count: count, out: out.gpu)
            cpu.siluMul(gate: gate.cpu, up: up.cpu, count: count, out: out.cpu)
            check("siluMul", "n\(count)", gpu: out.gpu, cpu: out.cpu, count: count)
        }
    }

    func matmulCases() {
        // cuBLAS shapes, then gemv.cu's (bf16, ≤ 16 rows, k % 8 == 0): every row capacity, ragged n, the
        // vocabulary and MLP widths; k % 8 ≠ 0 and 17+ rows must fall back to cuBLAS.
        let shapes = [
            (1, 64, 128), (7, 128, 64), (1, 4096, 4096), (32, 4096, 11008), (64, 11008, 4096), (5, 4096, 32000),
            (2, 4096, 11008), (3, 11008, 4096), (4, 200, 4101), (6, 64, 130), (8, 4096, 32000), (8, 11008, 4096),
            (12, 4096, 1024), (16, 1024, 4096), (1, 100, 60), (17, 256, 512),
        ]
        for (rows, k, n) in shapes {
            let w = weight(rows: n, cols: k, scale: 1 / Float(k).squareRoot())
            let x = randomPair(rows * k, .compact)
            let reference = output(rows * n, .full)
            cpu.matmul(x.cpu, rows: rows, weight: w.cpu, out: reference.cpu)
            // Each kernel that can run this shape, forced in turn (the chosen one is the default's name).
            var kernels: [LaunchGeometry.MatmulPath?] = [nil]
            if gpu.roundsCompact && LaunchGeometry.gemvApplies(rows: rows, k: k, n: n) {
                let chosen = gpu.matmulKernelName(rows: rows, k: k, n: n)
                kernels.append(chosen == LaunchGeometry.MatmulPath.gemv.rawValue ? .cublas : .gemv)
            }
            for kernel in kernels {
                gpu.forcedMatmulPath = kernel
                let out = output(rows * n, .full)
                gpu.matmul(x.gpu, rows: rows, weight: w.gpu, out: out.gpu)
                let name = "\(rows)×\(k)→\(n) \(gpu.matmulKernelName(rows: rows, k: k, n: n))\(kernel == nil ? "" : " (forced)")"
                check("matmul", name, gpu: out.gpu, cpu: reference.cpu, count: rows * n)
            }
            gpu.forcedMatmulPath = nil
        }
    }

    func ropeCases() {
        let llama3 = LlamaConfiguration(
            hiddenSize: 4096, intermediateSize: 14336, layerCount: 1, headCount: 32, kvHeadCount: 8, vocabularySize: 10,
            ropeTheta: 500_000,
            ropeScaling: .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192))
        for (heads, headDim, theta) in [(32, 128, 10_000.0), (8, 128, 0), (4, 16, 10_000), (6, 66, 10_000)] {
            let frequencies: [Float] =
                theta == 0
                ? llama3.ropeInverseFrequencies().map { Float($0) }
                : (0..<headDim / 2).map { Float(1 / Foundation.pow(theta, Double(2 * $0) / Double(headDim))) }
            let geometry = PageGeometry(layerCount: 1, kvWidth: 8, tokensPerPage: 16)
            let step = makeStep([(3, 0), (1, 5000), (4, 511)], geometry: geometry, pageCount: 400)
            let none = AdapterBatch.none(tokenCount: step.tokenCount, layerCount: 1)
            let count = step.tokenCount * heads * headDim
            let x = randomPair(count, .full)
            let f = pair(frequencies, .full)
            gpu.rope(x.gpu, step: gpu.prepare(step: step, adapters: none), headCount: heads, headDim: headDim, inverseFrequencies: f.gpu)
            cpu.rope(x.cpu, step: cpu.prepare(step: step, adapters: none), headCount: heads, headDim: headDim, inverseFrequencies: f.cpu)
            check("rope", "\(heads)×\(headDim)\(theta == 0 ? " llama3" : "")", gpu: x.gpu, cpu: x.cpu, count: count)
        }
    }

    func gatherCases() {
        let width = 4096
        let geometry = PageGeometry(layerCount: 1, kvWidth: 8, tokensPerPage: 16)
        let step = makeStep([(5, 0), (1, 9), (2, 3)], geometry: geometry, pageCount: 16)
        let rows = step.logitRows.count
        let none = AdapterBatch.none(tokenCount: step.tokenCount, layerCount: 1)
        let x = randomPair(step.tokenCount * width, .compact)
        let out = output(rows * width, .compact)
        gpu.gatherLogitRows(x.gpu, width: width, step: gpu.prepare(step: step, adapters: none), out: out.gpu)
        cpu.gatherLogitRows(x.cpu, width: width, step: cpu.prepare(step: step, adapters: none), out: out.cpu)
        check("gatherLogitRows", "\(rows) rows of \(step.tokenCount)", gpu: out.gpu, cpu: out.cpu, count: rows * width)
    }

    func samplingCases() {
        for vocabulary in [256, 32000, 128_256] {
            let settings: [SamplingRow] = [
                .greedy, SamplingRow(temperature: 1, seed: 7), SamplingRow(temperature: 0.7, topP: 0.9, seed: 11, step: 3),
                SamplingRow(temperature: 1.3, topK: 40, seed: 5), SamplingRow(temperature: 0.5, topP: 0.5, topK: 20, seed: 1),
                SamplingRow(temperature: 0.05, topP: 0.95, seed: 99, step: 17), SamplingRow(temperature: 2, topP: 0.3, seed: 3),
                SamplingRow(temperature: 1, topK: 1, seed: 8),
            ]
            var rows: [SamplingRow] = []
            for i in 0..<32 {
                var row = settings[i % settings.count]
                row.seed &+= UInt64(i * 1000)
                rows.append(row)
            }
            var logits = random.gaussians(rows.count * vocabulary, scale: 3)
            // Ties: row 0 has its maximum twice (the lower id wins); row 8 (greedy) too.
            for r in [0, 8] {
                let base = r * vocabulary
                logits[base + 17] = 50
                logits[base + vocabulary - 3] = 50
            }
            let l = pair(logits, .full)
            let ours = gpu.sample(l.gpu, vocabularySize: vocabulary, rows: rows)
            let reference = cpu.sample(l.cpu, vocabularySize: vocabulary, rows: rows)
            checkExact("sample", "V\(vocabulary), \(rows.count) rows", ours: ours, reference: reference)
        }
    }
}
