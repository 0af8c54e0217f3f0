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
        let valueOffset = geometry.tokensPerPage * width
        s.pageTables.withUnsafeBufferPointer { tables in
            for t in 0..<s.tokenCount {
                let table = tables.baseAddress! + Int(s.tokenSequence[t]) * s.pageTableStride
                // One contiguous run per head (PageGeometry's head-major page layout).
                for c in Swift.stride(from: 0, to: width, by: geometry.headDim) {
                    let kOffset = Self.kvOffset(table, geometry, layer: layer, position: Int(s.positions[t]), column: c)
                    (pool.pointer + kOffset).update(from: k.pointer + t * width + c, count: geometry.headDim)
                    (pool.pointer + kOffset + valueOffset).update(from: v.pointer + t * width + c, count: geometry.headDim)
                }
            }
        }
    }

    public func attention(
        q: CPUTensor, pool: CPUTensor, geometry: PageGeometry, layer: Int, step: CPUPreparedStep,
        headCount: Int, kvHeadCount: Int, headDim: Int, scale: Float, out: CPUTensor
    ) {
        let s = step.step
        let tokens = s.tokenCount
        guard tokens > 0 else { return }
        var longest = 0
        var work = 0
        for p in s.positions {
            longest = max(longest, Int(p) + 1)
            work += (Int(p) + 1) * headCount * headDim
        }
        let stride = longest
        let chunks = work >= 1 << 16 && tokens > 1 ? min(threadCount, tokens) : 1
        let scores = Pointer(attentionScores.reserve(chunks * stride))  // [chunks, longest] one token's scores
        let (qp, poolp, outp) = (Pointer(q.pointer), Pointer(pool.pointer), Pointer(out.pointer))
        let group = headCount / kvHeadCount
        let valueOffset = geometry.tokensPerPage * geometry.kvWidth
        precondition(geometry.headDim % headDim == 0, "attention: head_dim \(headDim) straddles the page layout's \(geometry.headDim)")
        s.pageTables.withUnsafeBufferPointer { tables in
            let tablesPointer = TablePointer(p: tables.baseAddress!)
            let perToken = { @Sendable (t: Int, scores: UnsafeMutablePointer<Float>) in
                let table = tablesPointer.p + Int(s.tokenSequence[t]) * s.pageTableStride
                let length = Int(s.positions[t]) + 1
                for h in 0..<headCount {
                    let g = h / group
                    let qRow = qp.p + (t * headCount + h) * headDim
                    var maxScore = -Float.infinity
                    for p in 0..<length {
                        let kRow = poolp.p + Self.kvOffset(table, geometry, layer: layer, position: p, column: g * headDim)
                        let score = Self.dot(qRow, kRow, headDim) * scale
                        scores[p] = score
                        maxScore = max(maxScore, score)
                    }
                    var total: Float = 0
                    for p in 0..<length {
                        scores[p] = Foundation.exp(scores[p] - maxScore)
                        total += scores[p]
                    }
                    let o = outp.p + (t * headCount + h) * headDim
                    o.initialize(repeating: 0, count: headDim)
                    for p in 0..<length {
                        let w = scores[p] / total
                        let vRow = poolp.p + Self.kvOffset(table, geometry, layer: layer, position: p, column: g * headDim) + valueOffset
                        Self.accumulate(w, vRow, into: o, headDim)
                    }
                }
            }
            if chunks == 1 {
                for t in 0..<tokens { perToken(t, scores.p) }
            } else {
                self.parallel(chunks) { c in
                    for t in Swift.stride(from: c, to: tokens, by: chunks) { perToken(t, scores.p + c * stride) }
                }
            }
        }
    }

    /// `o[d] += w · v[d]` for d < n, eight lanes at a time (the same arithmetic per element).
    @inline(__always)
    static func accumulate(_ w: Float, _ v: UnsafePointer<Float>, into o: UnsafeMutablePointer<Float>, _ n: Int) {
        let weight = SIMD8<Float>(repeating: w)
        let (source, destination) = (UnsafeRawPointer(v), UnsafeMutableRawPointer(o))
        var d = 0
        while d + 8 <= n {
            let sum = destination.loadUnaligned(fromByteOffset: d * 4, as: SIMD8<Float>.self)
                + weight * source.loadUnaligned(fromByteOffset: d * 4, as: SIMD8<Float>.self)
            destination.storeBytes(of: sum, toByteOffset: d * 4, as: SIMD8<Float>.self)
            d += 8
        }
        while d < n {
            o[d] += w * v[d]
            d += 1
        }
    }

    /// A step's page tables handed to worker threads (read only).
    struct TablePointer: @unchecked Sendable {
        let p: UnsafePointer<Int32>
    }

    /// `PageGeometry.kvOffset` of K column `column` at `position` (V is `tokensPerPage · kvWidth`
    /// further), read from a step's Int32 page-table row without building a `[PageIndex]`.
    @inline(__always)
    static func kvOffset(_ table: UnsafePointer<Int32>, _ g: PageGeometry, layer: Int, position: Int, column: Int) -> Int {
        let page = Int(table[(position / g.tokensPerPage) * g.layerCount + layer])
        return page * g.elementsPerPage + g.kvOffsetInPage(position: position, isValue: false, column: column)
    }
}
