// RoPE, KV writes into pool pages, and paged causal GQA attention on the CPU.

import Backend
import Foundation
import MemoryPool

extension CPUBackend {
    public func rope(_ x: CPUTensor, step: CPUPreparedStep, headCount: Int, headDim: Int, inverseFrequencies: CPUTensor) {
        let half = headDim / 2
        for (t, position) in step.step.positions.enumerated() {
            for j in 0..<half {
                // f32 angle, as HF computes `position_ids · inv_freq` in f32.
                let theta = Float(position) * inverseFrequencies.pointer[j]
                let c = cos(theta)
                let s = sin(theta)
                for h in 0..<headCount {
                    let row = x.pointer + (t * headCount + h) * headDim
                    let a = row[j]
                    let b = row[j + half]
                    row[j] = a * c - b * s
                    row[j + half] = b * c + a * s
                }
            }
        }
    }

    public func writeKV(k: CPUTensor, v: CPUTensor, pool: CPUTensor, geometry: PageGeometry, layer: Int, step: CPUPreparedStep) {
        let width = geometry.kvWidth
        let s = step.step
        for t in 0..<s.tokenCount {
            let table = pageTable(s, sequence: Int(s.tokenSequence[t]))
            let position = Int(s.positions[t])
            let kOffset = geometry.kvOffset(pageTable: table, layer: layer, position: position, isValue: false)
            let vOffset = geometry.kvOffset(pageTable: table, layer: layer, position: position, isValue: true)
            (pool.pointer + kOffset).update(from: k.pointer + t * width, count: width)
            (pool.pointer + vOffset).update(from: v.pointer + t * width, count: width)
        }
    }

    public func attention(
        q: CPUTensor, pool: CPUTensor, geometry: PageGeometry, layer: Int, step: CPUPreparedStep,
        headCount: Int, kvHeadCount: Int, headDim: Int, scale: Float, out: CPUTensor
    ) {
        let s = step.step
        let group = headCount / kvHeadCount
        var scores = [Float](repeating: 0, count: 0)
        for t in 0..<s.tokenCount {
            let table = pageTable(s, sequence: Int(s.tokenSequence[t]))
            let length = Int(s.positions[t]) + 1
            if scores.count < length { scores = [Float](repeating: 0, count: length) }
            var kOffsets = [Int](repeating: 0, count: length)
            var vOffsets = [Int](repeating: 0, count: length)
            for p in 0..<length {
                kOffsets[p] = geometry.kvOffset(pageTable: table, layer: layer, position: p, isValue: false)
                vOffsets[p] = geometry.kvOffset(pageTable: table, layer: layer, position: p, isValue: true)
            }
            for h in 0..<headCount {
                let g = h / group
                let qRow = q.pointer + (t * headCount + h) * headDim
                var maxScore = -Float.infinity
                for p in 0..<length {
                    let kRow = pool.pointer + kOffsets[p] + g * headDim
                    let score = Self.dot(qRow, kRow, headDim) * scale
                    scores[p] = score
                    maxScore = max(maxScore, score)
                }
                var total: Float = 0
                for p in 0..<length {
                    scores[p] = Foundation.exp(scores[p] - maxScore)
                    total += scores[p]
                }
                let o = out.pointer + (t * headCount + h) * headDim
                for d in 0..<headDim { o[d] = 0 }
                for p in 0..<length {
                    let w = scores[p] / total
                    let vRow = pool.pointer + vOffsets[p] + g * headDim
                    for d in 0..<headDim { o[d] += w * vRow[d] }
                }
            }
        }
    }

    /// The page table of `sequence` in the step, without its -1 padding.
    func pageTable(_ s: StepBatch, sequence: Int) -> [PageIndex] {
        let row = s.pageTables[(sequence * s.pageTableStride)..<((sequence + 1) * s.pageTableStride)]
        return row.prefix { $0 >= 0 }.map { PageIndex($0) }
    }
}
