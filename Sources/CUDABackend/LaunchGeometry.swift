// Launch-parameter arithmetic of every kernel, as pure functions (unit-tested without a GPU): grid sizes,
// the attention kernel variant and split count, LoRA tiles and the vector-path eligibility.
// Constants mirror the #defines of the .cu files named beside them.

/// Grid and block sizes for the CUDA backend's kernels.
public enum LaunchGeometry {
    // MARK: - Constants shared with the kernels

    /// paged_attention.cu ATT_WARPS · 32.
    public static let attentionThreads = 256
    /// paged_attention.cu ATT_MAX_HEAD_DIM.
    public static let maxHeadDim = 256
    /// lora.cu LORA_TILE.
    public static let loraTile = 8
    /// lora.cu SHRINK_WARPS (rank rows per shrink block).
    public static let shrinkWarps = 8
    /// lora.cu EXPAND_THREADS (segment kernels and the 1-wide row kernel).
    public static let expandThreads = 128
    /// lora.cu SHRINK_ROW_THREADS (the 8-wide shrink row kernel).
    public static let shrinkRowThreads = 256
    /// lora.cu SHRINK_ROW_RANKS (rank rows per 8-wide shrink row block).
    public static let shrinkRowRanks = 4
    /// lora.cu EXPAND_ROW_WARPS · 32 (the 8-wide expand row kernel).
    public static let expandRowThreads = 256
    /// lora.cu EXPAND_ROW_COLUMNS (outputs per 8-wide expand row block).
    public static let expandRowColumns = 256
    /// sampling.cu SAMPLE_THREADS.
    public static let sampleThreads = 1024
    /// Threads of the row kernels (embed, norms, rope, write_kv, gather).
    public static let rowThreads = 256
    /// Threads of grid-stride elementwise kernels.
    public static let elementwiseThreads = 256

    // MARK: - Skinny matmul (gemv.cu)

    /// gemv.cu GEMV_THREADS.
    public static let gemvThreads = 128
    /// gemv.cu GEMV_ROWS: output rows (weight rows) per block.
    public static let gemvRowsPerBlock = 4
    /// The row capacities gemv.cu is compiled for (`gemv_t<capacity>_bf16`).
    public static let gemvRowCapacities = [1, 2, 4, 8, 16]

    /// Which kernel computes a matmul.
    public enum MatmulPath: String, Sendable, Hashable, CaseIterable {
        /// cuBLAS GEMM (any shape, either storage type).
        case cublas
        /// gemv.cu: bf16, `rows ≤ 16`, `k % 8 == 0`.
        case gemv
    }

    /// Whether gemv.cu can compute `rows × k → n` (bf16 storage assumed by the caller).
    public static func gemvApplies(rows: Int, k: Int, n: Int) -> Bool {
        rows >= 1 && rows <= gemvRowCapacities.last! && k % 8 == 0 && k > 0 && n > 0
    }

    /// The smallest compiled row capacity that holds `rows` (nil above the largest).
    public static func gemvCapacity(rows: Int) -> Int? { gemvRowCapacities.first { $0 >= rows } }

    /// gemv.cu grid: one block per `gemvRowsPerBlock` weight rows.
    public static func gemvGrid(n: Int) -> (Int, Int, Int) { (max(1, (n + gemvRowsPerBlock - 1) / gemvRowsPerBlock), 1, 1) }

    /// The path the backend picks: gemv for bf16 matmuls of at most `maxRows` rows where it applies.
    public static func matmulPath(rows: Int, k: Int, n: Int, bf16: Bool, maxRows: Int) -> MatmulPath {
        bf16 && rows <= maxRows && gemvApplies(rows: rows, k: k, n: n) ? .gemv : .cublas
    }

    // MARK: - Elementwise

    /// Blocks for a grid-stride loop over `count` elements: enough to fill the GPU, no more than needed.
    public static func elementwiseBlocks(count: Int, multiprocessors: Int) -> Int {
        let needed = (count + elementwiseThreads - 1) / elementwiseThreads
        return max(1, min(needed, multiprocessors * 8))
    }

    // MARK: - Attention

    /// The attention kernel variant for `headDim`: `dpl` dimensions per lane (1, 2, 4 or 8, the smallest
    /// with 32·dpl ≥ headDim) and whether those can be read as one aligned vector (headDim % dpl == 0).
    /// nil when headDim exceeds `maxHeadDim`.
    public static func attentionVariant(headDim: Int) -> (dpl: Int, vectorized: Bool)? {
        guard headDim > 0 && headDim <= maxHeadDim else { return nil }
        for dpl in [1, 2, 4, 8] where 32 * dpl >= headDim {
            if headDim % dpl == 0 { return (dpl, true) }
            return (8, false)
        }
        return nil
    }

    /// Kernel name for a variant and element type, e.g. `attention_d4_bf16`, `attention_d8s_f32`.
    static func attentionKernelName(dpl: Int, vectorized: Bool, suffix: String) -> String {
        "attention_d\(dpl)\(vectorized ? "" : "s")_\(suffix)"
    }

    /// tiled_attention.cu's attention_tiles variants.
    public static let attentionTileHeadDims = [64, 128]
    /// tiled_attention.cu TILE_Q: most query tokens per attention tile.
    public static let attentionTileTokens = 16
    /// Shortest run of consecutive tokens of one sequence that attention_tiles takes (shorter runs and
    /// decode tokens go to paged_attention.cu's per-token kernel).
    public static let attentionTileMinimumRun = 4
    /// tiled_attention.cu TILE_WARPS · 32.
    public static let attentionTileThreads = 128

    /// Whether attention_tiles computes prefill runs for this head dim: a compiled variant and K/V rows
    /// whose 8-element loads are aligned.
    public static func attentionTilesApply(headDim: Int, kvWidth: Int) -> Bool {
        attentionTileHeadDims.contains(headDim) && kvWidth % 8 == 0
    }

    /// Query tiles of a step: runs of ≥ `attentionTileMinimumRun` consecutive tokens of one sequence at
    /// consecutive positions, cut into tiles of ≤ `attentionTileTokens`: `[(first token, count, sequence,
    /// first position)]`; and `[T]` 1 for the tokens left to the per-token kernel, 0 for tiled ones.
    public static func attentionTiles(positions: [Int32], tokenSequence: [Int32]) -> (tiles: [[Int32]], single: [Int32]) {
        var tiles: [[Int32]] = []
        var single = [Int32](repeating: 1, count: positions.count)
        var start = 0
        while start < positions.count {
            var end = start + 1
            while end < positions.count && tokenSequence[end] == tokenSequence[start]
                && positions[end] == positions[end - 1] + 1
            {
                end += 1
            }
            if end - start >= attentionTileMinimumRun {
                for first in stride(from: start, to: end, by: attentionTileTokens) {
                    let count = min(attentionTileTokens, end - first)
                    tiles.append([Int32(first), Int32(count), tokenSequence[first], positions[first]])
                    for t in first..<(first + count) { single[t] = 0 }
                }
            }
            start = end
        }
        return (tiles, single)
    }

    /// Positions a step's longest sequence is rounded up to when choosing splits (so a decode loop keeps
    /// one split count, and one captured graph, for many steps).
    public static let attentionLengthBucket = 256
    /// Fewest positions one split is worth.
    public static let minimumSplitPositions = 128
    /// Most splits.
    public static let maxAttentionSplits = 32

    /// How many position splits attention uses: enough blocks (`tokens · heads · splits`) to cover
    /// every multiprocessor about four times, never splits shorter than `minimumSplitPositions` at the
    /// bucketed length `lengthBucketCount · attentionLengthBucket`.
    public static func attentionSplits(tokens: Int, heads: Int, lengthBucketCount: Int, multiprocessors: Int) -> Int {
        let blocks = max(1, tokens * heads)
        let wanted = (4 * multiprocessors + blocks - 1) / blocks
        let byLength = max(1, lengthBucketCount * attentionLengthBucket / minimumSplitPositions)
        return max(1, min(wanted, byLength, maxAttentionSplits))
    }

    /// `ceil(maxLength / attentionLengthBucket)`, at least 1.
    public static func lengthBucketCount(maxLength: Int) -> Int {
        max(1, (maxLength + attentionLengthBucket - 1) / attentionLengthBucket)
    }

    // MARK: - LoRA

    /// Which LoRA kernels a step uses.
    public enum LoRAPath: String, Sendable, Hashable, CaseIterable {
        /// One token per block (MBGMV): decode steps.
        case rows
        /// Tiles of up to `loraTile` tokens on one adapter per block (MBGMM): prefill chunks.
        case segments
        /// S-LoRA's "padded bmm" baseline (issue 6 ablation): adapter rows gathered into buffers padded to the
        /// step's max rank, then cuBLAS strided-batched GEMMs (lora_padded.cu); only when forced.
        case paddedBMM = "padded-bmm"
    }

    /// Runs of consecutive tokens on the same adapter (slot ≥ 0), cut into tiles of at most `loraTile`:
    /// `[(first token, count, slot)]` in token order.
    public static func loraTiles(tokenSlots: [Int32]) -> [(start: Int, count: Int, slot: Int)] {
        var tiles: [(start: Int, count: Int, slot: Int)] = []
        var t = 0
        while t < tokenSlots.count {
            let slot = tokenSlots[t]
            var end = t + 1
            while end < tokenSlots.count && tokenSlots[end] == slot { end += 1 }
            if slot >= 0 {
                var start = t
                while start < end {
                    let count = min(loraTile, end - start)
                    tiles.append((start, count, Int(slot)))
                    start += count
                }
            }
            t = end
        }
        return tiles
    }

    /// Segments pay off when tiles hold at least 4 tokens on average; the vector kernels are required.
    public static func loraPath(adapterTokens: Int, tileCount: Int, vectorized: Bool) -> LoRAPath {
        guard vectorized && tileCount > 0 else { return .rows }
        return adapterTokens >= 4 * tileCount ? .segments : .rows
    }

    /// The 8-wide LoRA kernels need every row width, stream offset and the page size to be multiples of 8
    /// (offsets are sums of rank · width, so widths and the page size suffice).
    public static func loraVectorized(widths: [Int], elementsPerPage: Int) -> Bool {
        elementsPerPage % 8 == 0 && widths.allSatisfy { $0 % 8 == 0 }
    }

    /// Shrink grid: (rows or tiles, ceil(maxRank / shrinkWarps)).
    public static func shrinkGrid(units: Int, maxRank: Int) -> (Int, Int, Int) {
        (max(units, 1), max(1, (maxRank + shrinkWarps - 1) / shrinkWarps), 1)
    }

    /// Expand grid: (rows or tiles, ceil(outWidth / (expandThreads · outputs per thread))).
    public static func expandGrid(units: Int, outWidth: Int, vectorized: Bool) -> (Int, Int, Int) {
        let perBlock = expandThreads * (vectorized ? 8 : 1)
        return (max(units, 1), max(1, (outWidth + perBlock - 1) / perBlock), 1)
    }

    /// Grid and block of a LoRA shrink launch: the 8-wide row kernel takes `shrinkRowRanks` rank rows per
    /// block of `shrinkRowThreads`; the 1-wide row and the segment kernels `shrinkWarps` rows, one per warp.
    public static func shrinkLaunch(path: LoRAPath, vectorized: Bool, units: Int, maxRank: Int) -> (grid: (Int, Int, Int), block: Int) {
        if path == .rows && vectorized {
            return ((max(units, 1), max(1, (maxRank + shrinkRowRanks - 1) / shrinkRowRanks), 1), shrinkRowThreads)
        }
        return (shrinkGrid(units: units, maxRank: maxRank), shrinkWarps * 32)
    }

    /// Grid and block of a LoRA expand launch: the 8-wide row kernel covers `expandRowColumns` outputs per
    /// block of `expandRowThreads` (the rank split across its warps); the others as `expandGrid`.
    public static func expandLaunch(path: LoRAPath, vectorized: Bool, units: Int, outWidth: Int) -> (grid: (Int, Int, Int), block: Int) {
        if path == .rows && vectorized {
            return ((max(units, 1), max(1, (outWidth + expandRowColumns - 1) / expandRowColumns), 1), expandRowThreads)
        }
        return (expandGrid(units: units, outWidth: outWidth, vectorized: vectorized), expandThreads)
    }
}
