// Reference CPU implementation of the backend ops, written as plain loops (llm.c style).
// Correctness first: it is the oracle for the CUDA backend. Matmul rows run on all cores;
// quantized weights stay quantized (CPUQuantizedWeight).

import Backend
import Dispatch
import Foundation
import MemoryPool

/// The reference backend: f32 everywhere, each op exactly the loop in its `Semantics:` comment.
public final class CPUBackend: ComputeBackend {
    public typealias Tensor = CPUTensor
    public typealias Weight = CPUWeight
    public typealias PreparedStep = CPUPreparedStep

    public let name = "cpu"
    /// Threads used by `matmul` (rows are split across them).
    public let threadCount: Int
    /// How `matmul` computes with quantized weights (`makeWeight(quantized:)`).
    public let quantizedMatmulMode: QuantizedMatmulMode
    /// Which compiled variant of the quantized kernels runs (same results, different instruction sets).
    public let kernelSet: CPUKernelSet

    // Scratch reused across calls (one caller at a time, like every op of a backend).
    /// [T, K] activations quantized for the fast quantized matmul.
    let activationValues = CPUScratchBuffer<Int16>()
    /// [T, K / 32] their block scales and block sums.
    let activationScales = CPUScratchBuffer<Float>()
    let activationSums = CPUScratchBuffer<Float>()
    /// [T, K / 64, 8] pairs of block scales as the Q4 kernels multiply them.
    let activationPairScales = CPUScratchBuffer<Float>()
    /// [chunks, 2, blocks] weight-row scales and mins unpacked from f16 by each chunk.
    let unpackedScales = CPUScratchBuffer<Float>()
    /// [threads, K] dequantized weight rows of the exact quantized matmul.
    let dequantizedRows = CPUScratchBuffer<Float>()
    /// Attention scores and pool offsets of one token: [positions] each.
    let attentionScores = CPUScratchBuffer<Float>()
    /// [T, max out width] LoRA expand sums.
    let loraSums = CPUScratchBuffer<Float>()

    public init(
        threadCount: Int = CPUBackend.defaultThreadCount, quantizedMatmul: QuantizedMatmulMode = .fast,
        kernels: CPUKernelSet = .detected
    ) {
        self.threadCount = max(1, threadCount)
        self.quantizedMatmulMode = quantizedMatmul
        self.kernelSet = kernels
    }

    /// Runs `body(i)` for i in 0..<iterations on up to `threadCount` threads (libdispatch hands the
    /// iterations out, so a thread slowed by other load takes fewer). A spinning worker pool measured
    /// 25% slower here under load from other processes, so this stays on `concurrentPerform`.
    func parallel(_ iterations: Int, _ body: @Sendable (Int) -> Void) {
        if iterations <= 1 || threadCount == 1 {
            for i in 0..<iterations { body(i) }
        } else {
            DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
        }
    }

    public static var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    // MARK: - Memory

    public func makeTensor(count: Int) -> CPUTensor { CPUTensor(count: count) }

    public func upload(_ values: [Float]) -> CPUTensor {
        let t = CPUTensor(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { t.pointer.update(from: base, count: values.count) }
        }
        return t
    }

    public func download(_ tensor: CPUTensor, count: Int) -> [Float] {
        precondition(count <= tensor.count)
        return Array(UnsafeBufferPointer(start: tensor.pointer, count: count))
    }

    public func makeWeight(_ values: [Float], rows: Int, cols: Int) -> CPUWeight {
        CPUWeight(values, rows: rows, cols: cols)
    }

    /// Keeps Q8_0 / Q4_0 / Q4_1 blocks quantized (repacked, see `CPUQuantizedWeight`); `matmul` then
    /// follows `quantizedMatmulMode` and `embed` dequantizes the rows it copies (exactly).
    public func makeWeight(quantized matrix: QuantizedMatrix) -> CPUWeight {
        CPUWeight(quantized: matrix)
    }

    public func makePool(pageCount: Int, geometry: PageGeometry) -> CPUTensor {
        CPUTensor(count: pageCount * geometry.elementsPerPage)
    }

    public func writeAdapter(_ stream: [Float], pages: [PageIndex], pool: CPUTensor, geometry: PageGeometry) {
        let e = geometry.elementsPerPage
        precondition(pages.count * e >= stream.count, "adapter stream needs more pages than it was given")
        for (i, page) in pages.enumerated() {
            let start = i * e
            let n = min(e, stream.count - start)
            if n <= 0 { break }
            let base = Int(page.rawValue) * e
            precondition(base + e <= pool.count, "\(page) is outside the pool")
            stream.withUnsafeBufferPointer { src in
                (pool.pointer + base).update(from: src.baseAddress! + start, count: n)
            }
        }
    }

    public func prepare(step: StepBatch, adapters: AdapterBatch) -> CPUPreparedStep {
        precondition(adapters.tokenSlots.count == step.tokenCount, "adapter batch and step disagree on tokenCount")
        return CPUPreparedStep(step: step, adapters: adapters)
    }

    // MARK: - Elementwise

    public func embed(step: CPUPreparedStep, table: CPUWeight, out: CPUTensor) {
        let h = table.cols
        for (t, token) in step.step.tokens.enumerated() {
            precondition(token >= 0 && Int(token) < table.rows, "token id \(token) outside the vocabulary")
            table.copyRow(Int(token), into: out.pointer + t * h)
        }
    }

    public func rmsNorm(_ x: CPUTensor, weight: CPUTensor, eps: Float, rows: Int, width: Int, out: CPUTensor) {
        for t in 0..<rows {
            let row = x.pointer + t * width
            var sum: Float = 0
            for c in 0..<width { sum += row[c] * row[c] }
            let r = 1 / (sum / Float(width) + eps).squareRoot()
            let o = out.pointer + t * width
            for c in 0..<width { o[c] = weight.pointer[c] * (row[c] * r) }
        }
    }

    public func addRMSNorm(
        residual: CPUTensor, delta: CPUTensor, weight: CPUTensor, eps: Float, rows: Int, width: Int, out: CPUTensor
    ) {
        add(residual, delta, count: rows * width)
        rmsNorm(residual, weight: weight, eps: eps, rows: rows, width: width, out: out)
    }

    public func add(_ x: CPUTensor, _ delta: CPUTensor, count: Int) {
        for i in 0..<count { x.pointer[i] += delta.pointer[i] }
    }

    public func siluMul(gate: CPUTensor, up: CPUTensor, count: Int, out: CPUTensor) {
        for i in 0..<count {
            let g = gate.pointer[i]
            out.pointer[i] = g / (1 + Foundation.exp(-g)) * up.pointer[i]
        }
    }

    public func gatherLogitRows(_ x: CPUTensor, width: Int, step: CPUPreparedStep, out: CPUTensor) {
        for (i, row) in step.step.logitRows.enumerated() {
            (out.pointer + i * width).update(from: x.pointer + Int(row) * width, count: width)
        }
    }
}
