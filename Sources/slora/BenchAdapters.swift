// Random host adapters for benchmarks, like S-LoRA's `--dummy` LoRA weights: q, k, v and o of every
// layer, values (2u − 1)·1e-3, scaling 1. Adapter i is named "<prefix><i>" with the rank its rank set
// gives it; adapters of one rank share a single host stream (copy-on-write arrays), as S-LoRA's
// numbered copies shared weights on disk — each is still a distinct adapter with its own pool pages.

import Adapters
import Checkpoint
import MemoryPool
import Workload

/// Builds the benchmark's adapters.
enum BenchAdapters {
    /// The modules S-LoRA's adapters target.
    static let modules: [LoRAModule] = [.q, .k, .v, .o]

    /// `ranks.count` adapters named `prefix + index`.
    static func make(ranks: [Int], config: LlamaConfiguration, prefix: String, seed: UInt64) -> [LoRAAdapter] {
        let widths = config.projectionWidths
        var streams: [Int: [Float]] = [:]
        for rank in Set(ranks).sorted() {
            let layout = AdapterStreamLayout(ranks: rankTable(rank, config: config), widths: widths)
            var random = WorkloadRandom(seed: seed &+ UInt64(rank))
            streams[rank] = (0..<layout.elementCount).map { _ in Float(random.unit() * 2 - 1) * 1e-3 }  // [elementCount]
        }
        let scalings = [[Float]](
            repeating: LoRAModule.allCases.map { modules.contains($0) ? 1 : 0 }, count: config.layerCount)
        return ranks.enumerated().map { i, rank in
            LoRAAdapter(
                name: prefix + String(i), widths: widths, ranks: rankTable(rank, config: config), scalings: scalings,
                stream: streams[rank]!,
                contentHash: String(repeating: "0", count: 48) + String(String(i, radix: 16).suffix(16)).leftPadded(16))
        }
    }

    /// `[layerCount][7]`: `rank` on the targeted modules, 0 elsewhere.
    static func rankTable(_ rank: Int, config: LlamaConfiguration) -> [[Int]] {
        [[Int]](repeating: LoRAModule.allCases.map { modules.contains($0) ? rank : 0 }, count: config.layerCount)
    }

    /// Pool elements of one adapter of `rank`.
    static func elementCount(rank: Int, config: LlamaConfiguration) -> Int {
        AdapterStreamLayout(ranks: rankTable(rank, config: config), widths: config.projectionWidths).elementCount
    }
}

extension String {
    /// Left-padded with zeros to `width` characters.
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
