// One tensor-parallel rank's share of a LoRA adapter (S-LoRA's scheme: LoRA partitions aligned with the
// base model's Megatron split). Column-parallel q/k/v/gate/up keep A whole and take Bᵀ's columns of the
// rank's output slice; row-parallel o/down take A's columns of the rank's input slice and keep Bᵀ whole.

import MemoryPool

extension LoRAAdapter {
    /// The part of this adapter that rank `shard` applies, laid out for `widths.sharded(worldSize:)`.
    ///
    /// - Column-parallel (q, k, v, gate, up): the rank holds the whole input, so A `[r, H]` is kept
    ///   whole and Bᵀ `[r, out]` keeps columns `shard.range(of: out)`: the rank's LoRA output slice is
    ///   exact with no communication (the shrink `A·x` is repeated on every rank, r·H per token).
    /// - Row-parallel (o, down): the rank holds input slice `shard.range(of: in)`, so A keeps those
    ///   columns and Bᵀ `[r, H]` is kept whole. The rank's `s·B·(A_slice·x_slice)` is a partial sum that
    ///   the model adds into the base projection's partial sum before its one all-reduce: exact, since
    ///   `Σ_ranks B·(A_slice·x_slice) = B·(A·x)`. No collective of its own.
    ///
    /// Ranks and scalings are unchanged, so every rank's stream has the same layout and length: one
    /// `AdapterBatch` and one page table serve all ranks. For `.single` this returns `self`.
    /// - Precondition: the split widths are multiples of `shard.worldSize` (check the base config first).
    public func shard(_ shard: TensorParallelShard) -> LoRAAdapter {
        if shard.isSingle { return self }
        let local = widths.sharded(worldSize: shard.worldSize)
        let localLayout = shardLayout(worldSize: shard.worldSize)
        var out = [Float](repeating: 0, count: localLayout.elementCount)  // [localLayout.elementCount]
        stream.withUnsafeBufferPointer { full in
            out.withUnsafeMutableBufferPointer { part in
                for layer in 0..<layout.layerCount {
                    for module in LoRAModule.allCases {
                        guard let entry = layout.entry(layer: layer, module: module),
                            let target = localLayout.entry(layer: layer, module: module)
                        else { continue }
                        let inWidth = widths.inputWidth(module)
                        let outWidth = widths.outputWidth(module)
                        // A [r, in]: whole, or its columns of the rank's input slice.
                        let aColumns = module.isRowParallel ? shard.range(of: inWidth) : 0..<inWidth
                        // Bᵀ [r, out]: whole, or its columns of the rank's output slice.
                        let bColumns = module.isRowParallel ? 0..<outWidth : shard.range(of: outWidth)
                        for j in 0..<entry.rank {
                            Self.copy(
                                full, from: entry.aOffset + j * inWidth + aColumns.lowerBound, count: aColumns.count,
                                into: part, at: target.aOffset + j * aColumns.count)
                            Self.copy(
                                full, from: entry.bOffset + j * outWidth + bColumns.lowerBound, count: bColumns.count,
                                into: part, at: target.bOffset + j * bColumns.count)
                        }
                    }
                }
            }
        }
        return LoRAAdapter(
            name: name, directory: directory, config: config, widths: local, layout: localLayout, stream: out,
            scalings: scalings, contentHash: contentHash)
    }

    /// The layout of every rank's shard under `worldSize` ranks (`shard(_:).layout` without copying the
    /// stream; the same on every rank): what the rank's pool pages hold, so its `elementCount` sizes the
    /// adapter's pages. `layout` itself for one rank.
    public func shardLayout(worldSize: Int) -> AdapterStreamLayout {
        if worldSize == 1 { return layout }
        return AdapterStreamLayout(
            ranks: layout.entries.map { row in row.map { $0?.rank ?? 0 } }, widths: widths.sharded(worldSize: worldSize))
    }

    private static func copy(
        _ source: UnsafeBufferPointer<Float>, from start: Int, count: Int,
        into destination: UnsafeMutableBufferPointer<Float>, at offset: Int
    ) {
        for i in 0..<count { destination[offset + i] = source[start + i] }
    }
}
