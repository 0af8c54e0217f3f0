// Sharding a LoRA adapter for tensor parallelism (S-LoRA's scheme), checked against the unsharded
// adapter's merged deltas.

import Adapters
import MemoryPool
import Testing

@Suite("Adapter shards")
struct AdapterShardTests {
    /// Oracle: the whole adapter's `s·B·A` (`deltaWeight`). A column-parallel module's shard delta is
    /// exactly the rows of the rank's output slice, a row-parallel module's exactly the columns of its
    /// input slice (same products in the same order, so bit-equal); every rank's stream has the same
    /// layout, laid out for `widths.sharded(worldSize:)`.
    @Test(arguments: zip(["mha-untied", "mha-untied", "gqa-tied-llama3"], [2, 4, 2]))
    func shardDeltasAreSlicesOfTheWholeDelta(model: String, worldSize: Int) throws {
        let files = try FixtureFiles(model)
        for name in FixtureFiles.adapterNames {
            let adapter = files.adapters[name]!
            let shards = (0..<worldSize).map { adapter.shard(TensorParallelShard(rank: $0, worldSize: worldSize)) }
            for shard in shards {
                #expect(shard.layout == shards[0].layout)
                #expect(shard.widths == adapter.widths.sharded(worldSize: worldSize))
                #expect(shard.scalings == adapter.scalings)
            }
            for layer in 0..<adapter.layout.layerCount {
                for module in LoRAModule.allCases {
                    guard let whole = adapter.deltaWeight(layer: layer, module: module) else {
                        #expect(shards[0].rank(layer: layer, module: module) == 0)
                        continue
                    }
                    let inWidth = adapter.widths.inputWidth(module)
                    let outWidth = adapter.widths.outputWidth(module)
                    for (rank, shard) in shards.enumerated() {
                        let part = try #require(shard.deltaWeight(layer: layer, module: module))
                        let slice = TensorParallelShard(rank: rank, worldSize: worldSize)
                        var expected: [Float] = []
                        if module.isRowParallel {
                            let columns = slice.range(of: inWidth)
                            for o in 0..<outWidth {
                                expected += whole[(o * inWidth + columns.lowerBound)..<(o * inWidth + columns.upperBound)]
                            }
                        } else {
                            let rows = slice.range(of: outWidth)
                            expected = Array(whole[(rows.lowerBound * inWidth)..<(rows.upperBound * inWidth)])
                        }
                        #expect(part == expected, "\(name) layer \(layer) \(module) rank \(rank)")
                    }
                }
            }
        }
    }

    /// Oracle: identity. A single-rank shard is the adapter itself.
    @Test func singleShardIsTheAdapter() throws {
        let files = try FixtureFiles("mha-untied")
        let adapter = files.adapters["r8-attn"]!
        #expect(adapter.shard(.single) === adapter)
    }
}
