// Token selection on the CPU: greedy, or temperature / top-k / top-p with a seeded draw.

import Backend
import Foundation

extension CPUBackend {
    public func sample(_ logits: CPUTensor, vocabularySize: Int, rows: [SamplingRow]) -> [Int32] {
        rows.enumerated().map { r, row in
            Self.sampleRow(UnsafeBufferPointer(start: logits.pointer + r * vocabularySize, count: vocabularySize), row)
        }
    }

    /// The reference sampler for one row (`SamplingRow` documents the rule).
    public static func sampleRow(_ logits: UnsafeBufferPointer<Float>, _ row: SamplingRow) -> Int32 {
        if row.temperature <= 0 {
            var best = 0
            for i in 1..<logits.count where logits[i] > logits[best] { best = i }
            return Int32(best)
        }
        // Descending by logit, ties by lower id, so every backend orders the same way.
        var order = Array(0..<logits.count)
        order.sort { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        if row.topK > 0 && row.topK < order.count { order.removeLast(order.count - row.topK) }
        let top = Double(logits[order[0]])
        var weights = order.map { Foundation.exp((Double(logits[$0]) - top) / Double(row.temperature)) }
        let total = weights.reduce(0, +)
        if row.topP < 1 {
            var kept = 0
            var mass = 0.0
            while kept < weights.count {
                mass += weights[kept] / total
                kept += 1
                if mass >= Double(row.topP) { break }
            }
            weights.removeLast(weights.count - kept)
            order.removeLast(order.count - kept)
        }
        let target = row.uniform * weights.reduce(0, +)
        var cumulative = 0.0
        for (i, w) in weights.enumerated() {
            cumulative += w
            if target < cumulative { return Int32(order[i]) }
        }
        return Int32(order[order.count - 1])
    }
}
