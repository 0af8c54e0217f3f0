// Launch arithmetic that is pure Swift: attention variants and splits, LoRA tiles and path, grids,
// the allocator's size classes, bf16 rounding, and how a step is packed for the device.

import Backend
@testable import CUDABackend
import MemoryPool
import Testing

@Suite("Launch geometry")
struct LaunchGeometryTests {
    /// Oracle: the rule in LaunchGeometry.attentionVariant (32·dpl ≥ d, vector loads iff dpl | d).
    @Test(arguments: [
        (16, 1, true), (32, 1, true), (48, 2, true), (64, 2, true), (80, 4, true), (96, 4, true), (128, 4, true),
        (102, 8, false), (160, 8, true), (256, 8, true), (250, 8, false), (34, 2, true), (66, 8, false),
    ])
    func attentionVariant(headDim: Int, dpl: Int, vectorized: Bool) throws {
        let variant = try #require(LaunchGeometry.attentionVariant(headDim: headDim))
        #expect(variant.dpl == dpl && variant.vectorized == vectorized)
        #expect(32 * variant.dpl >= headDim)
    }

    /// Oracle: head dims the kernels cannot hold are refused.
    @Test func attentionVariantLimits() {
        #expect(LaunchGeometry.attentionVariant(headDim: 0) == nil)
        #expect(LaunchGeometry.attentionVariant(headDim: 258) == nil)
    }

    /// Oracle: splits fill ~4 blocks per SM, never below 128 positions per split, never above 32.
    @Test func attentionSplits() {
        // Batch 1, 32 heads, 513 positions (bucket 3 → 768): wanted ceil(528/32)=17, by length 6.
        #expect(LaunchGeometry.attentionSplits(tokens: 1, heads: 32, lengthBucketCount: 3, multiprocessors: 132) == 6)
        // Batch 128 × 32 heads: plenty of blocks already.
        #expect(LaunchGeometry.attentionSplits(tokens: 128, heads: 32, lengthBucketCount: 3, multiprocessors: 132) == 1)
        // Short contexts never split below 128 positions (bucket 1 → 256 → 2 splits at most).
        #expect(LaunchGeometry.attentionSplits(tokens: 1, heads: 4, lengthBucketCount: 1, multiprocessors: 132) == 2)
        #expect(LaunchGeometry.attentionSplits(tokens: 1, heads: 1, lengthBucketCount: 100, multiprocessors: 132) == 32)
        #expect(LaunchGeometry.lengthBucketCount(maxLength: 1) == 1)
        #expect(LaunchGeometry.lengthBucketCount(maxLength: 256) == 1)
        #expect(LaunchGeometry.lengthBucketCount(maxLength: 257) == 2)
    }

    /// Oracle: hand-worked runs: base tokens skipped, runs cut at 8, a slot change starts a new tile.
    @Test func loraTiles() {
        let slots: [Int32] = [-1, 0, 0, 0, 1, 1, -1] + [Int32](repeating: 2, count: 19) + [0]
        let tiles = LaunchGeometry.loraTiles(tokenSlots: slots)
        #expect(tiles.map { [$0.start, $0.count, $0.slot] } == [
            [1, 3, 0], [4, 2, 1], [7, 8, 2], [15, 8, 2], [23, 3, 2], [26, 1, 0],
        ])
        #expect(LaunchGeometry.loraTiles(tokenSlots: [-1, -1]).isEmpty)
        // Every adapter token is in exactly one tile.
        #expect(tiles.reduce(0) { $0 + $1.count } == slots.filter { $0 >= 0 }.count)
    }

    /// Oracle: the path rule (segments need ≥ 4 tokens per tile on average and the vector kernels).
    @Test func loraPathChoice() {
        #expect(LaunchGeometry.loraPath(adapterTokens: 32, tileCount: 32, vectorized: true) == .rows)
        #expect(LaunchGeometry.loraPath(adapterTokens: 512, tileCount: 64, vectorized: true) == .segments)
        #expect(LaunchGeometry.loraPath(adapterTokens: 512, tileCount: 64, vectorized: false) == .rows)
        #expect(LaunchGeometry.loraPath(adapterTokens: 0, tileCount: 0, vectorized: true) == .rows)
        #expect(LaunchGeometry.loraVectorized(widths: [4096, 11008], elementsPerPage: 131_072))
        #expect(!LaunchGeometry.loraVectorized(widths: [4096, 100], elementsPerPage: 131_072))
        #expect(!LaunchGeometry.loraVectorized(widths: [4096], elementsPerPage: 12))
    }

    /// Oracle: grid arithmetic by hand (8 or 4 rank rows per shrink block; 1024, 256 or 128 outputs per expand block).
    @Test func loraGrids() {
        #expect(LaunchGeometry.shrinkGrid(units: 32, maxRank: 64) == (32, 8, 1))
        #expect(LaunchGeometry.shrinkGrid(units: 5, maxRank: 9) == (5, 2, 1))
        #expect(LaunchGeometry.expandGrid(units: 32, outWidth: 4096, vectorized: true) == (32, 4, 1))
        #expect(LaunchGeometry.expandGrid(units: 32, outWidth: 11008, vectorized: true) == (32, 11, 1))
        #expect(LaunchGeometry.expandGrid(units: 3, outWidth: 100, vectorized: false) == (3, 1, 1))
        // 8-wide row kernels: 4 rank rows per shrink block, 256 outputs per expand block (rank over warps).
        let shrink = LaunchGeometry.shrinkLaunch(path: .rows, vectorized: true, units: 32, maxRank: 64)
        #expect(shrink.grid == (32, 16, 1) && shrink.block == 256)
        let shrinkOdd = LaunchGeometry.shrinkLaunch(path: .rows, vectorized: true, units: 3, maxRank: 5)
        #expect(shrinkOdd.grid == (3, 2, 1) && shrinkOdd.block == 256)
        let shrinkSegments = LaunchGeometry.shrinkLaunch(path: .segments, vectorized: true, units: 4, maxRank: 64)
        #expect(shrinkSegments.grid == (4, 8, 1) && shrinkSegments.block == 256)
        let expand = LaunchGeometry.expandLaunch(path: .rows, vectorized: true, units: 128, outWidth: 4096)
        #expect(expand.grid == (128, 16, 1) && expand.block == 256)
        let expandTail = LaunchGeometry.expandLaunch(path: .rows, vectorized: true, units: 2, outWidth: 160)
        #expect(expandTail.grid == (2, 1, 1) && expandTail.block == 256)
        let expandScalar = LaunchGeometry.expandLaunch(path: .rows, vectorized: false, units: 3, outWidth: 100)
        #expect(expandScalar.grid == (3, 1, 1) && expandScalar.block == 128)
        let expandSegments = LaunchGeometry.expandLaunch(path: .segments, vectorized: true, units: 4, outWidth: 4096)
        #expect(expandSegments.grid == (4, 4, 1) && expandSegments.block == 128)
        #expect(LaunchGeometry.elementwiseBlocks(count: 10, multiprocessors: 132) == 1)
        #expect(LaunchGeometry.elementwiseBlocks(count: 1 << 30, multiprocessors: 132) == 1056)
    }

    /// Oracle: the size classes waste at most 25 % and are at least 256 bytes.
    @Test func allocatorSizeClasses() {
        #expect(DeviceMemoryCache.sizeClass(1) == 256)
        #expect(DeviceMemoryCache.sizeClass(256) == 256)
        #expect(DeviceMemoryCache.sizeClass(1000) == 1024)
        #expect(DeviceMemoryCache.sizeClass(5000) == 5120)
        for bytes in stride(from: 1, to: 10_000_000, by: 7919) {
            let size = DeviceMemoryCache.sizeClass(bytes)
            #expect(size >= bytes && (size <= 256 || Double(size) <= Double(bytes) * 1.25 + 1))
        }
    }

    /// Oracle: IEEE bf16 = upper half of f32, round to nearest even; NaN stays NaN; ±inf, ±0 exact.
    @Test func bfloat16Rounding() {
        #expect(BFloat16.bits(1.0) == 0x3F80)
        #expect(BFloat16.bits(-2.0) == 0xC000)
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1.0).
        #expect(BFloat16.bits(1 + 0x1p-8) == 0x3F80)
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to even (1 + 2^-6 → 0x3F82).
        #expect(BFloat16.bits(1 + 3 * 0x1p-8) == 0x3F82)
        #expect(BFloat16.bits(1 + 0x1p-8 + 0x1p-20) == 0x3F81)
        #expect(BFloat16.float(BFloat16.bits(.infinity)) == .infinity)
        #expect(BFloat16.float(BFloat16.bits(-0.0)).sign == .minus)
        #expect(BFloat16.float(BFloat16.bits(.nan)).isNaN)
        #expect(BFloat16.rounded(3.0e38) == .infinity || BFloat16.rounded(3.0e38) > 3.0e38 * 0.99)
        for value: Float in [0.1, -7.25, 1e-20, 65504, 3.14159] {
            #expect(abs(BFloat16.rounded(value) - value) <= abs(value) * 0x1p-8)
        }
    }

    /// Oracle: the packed buffer holds each array at its offset, in order; the shape counts by hand.
    @Test func stepPacking() {
        let step = StepBatch(sequences: [
            (tokens: [5, 6, 7], startPosition: 0, pageTable: [PageIndex(3), PageIndex(4)], allLogits: false),
            (tokens: [9], startPosition: 300, pageTable: [PageIndex(8)], allLogits: true),
        ])
        let widths = ProjectionWidths(hiddenSize: 8, queryWidth: 8, kvWidth: 8, intermediateSize: 16)
        let ranks = [[2, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 3]]
        let layout = AdapterStreamLayout(ranks: ranks, widths: widths)
        let slot = AdapterBatch.Slot(layout: layout, scalings: [[0.5, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 2]], pages: [PageIndex(10)])
        let adapters = AdapterBatch(tokenSlots: [0, 0, 0, -1], slots: [slot], layerCount: 2)
        let (words, offsets, shape) = StepLayout.pack(step: step, adapters: adapters)
        #expect(offsets.tokens == 0 && offsets.positions == 4 && offsets.tokenSequence == 8 && offsets.pageTables == 12)
        #expect(Array(words[offsets.positions..<offsets.positions + 4]) == [0, 1, 2, 300])
        #expect(Array(words[offsets.pageTables..<offsets.pageTables + 4]) == [3, 4, 8, UInt32(bitPattern: -1)])
        #expect(Array(words[offsets.logitRows..<offsets.tokenSlots]) == [2, 3])
        #expect(words[offsets.scalings] == Float(0.5).bitPattern)
        #expect(Array(words[offsets.tiles..<offsets.tiles + 3]) == [0, 3, 0])
        #expect(offsets.wordCount == words.count)
        #expect(shape.tokenCount == 4 && shape.sequenceCount == 2 && shape.pageTableStride == 2)
        #expect(shape.logitRowCount == 2 && shape.slotCount == 1 && shape.maxRank == 3 && shape.tileCount == 1)
        #expect(shape.adapterTokenCount == 3 && shape.lengthBucketCount == 2 && !shape.isDecode)
        #expect(shape.targets == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(shape.streamOffsetsAligned)
    }

    /// Oracle: offsets by hand: a k projection of width 6 moves every later A/Bᵀ off a multiple of 8,
    /// so the 8-wide LoRA kernels must not run (they would load misaligned 16-byte vectors).
    @Test func misalignedStreamOffsetsAreDetected() {
        let widths = ProjectionWidths(hiddenSize: 8, queryWidth: 8, kvWidth: 6, intermediateSize: 16)
        let layout = AdapterStreamLayout(ranks: [[1, 1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0]], widths: widths)
        // q: A at 0, Bᵀ at 8; k: A at 16, Bᵀ at 24 (width 6) → layer 1's q starts at 30.
        #expect(layout.entry(layer: 1, module: .q)?.aOffset == 30)
        let slot = AdapterBatch.Slot(layout: layout, scalings: Array(repeating: Array(repeating: 1, count: 7), count: 2), pages: [PageIndex(0)])
        let adapters = AdapterBatch(tokenSlots: [0], slots: [slot], layerCount: 2)
        let step = StepBatch(sequences: [(tokens: [1], startPosition: 0, pageTable: [PageIndex(1), PageIndex(2)], allLogits: false)])
        #expect(!StepLayout.pack(step: step, adapters: adapters).shape.streamOffsetsAligned)
    }

    /// Oracle: gemv.cu's contract (bf16, 1…16 rows, k % 8 == 0) and its compiled row capacities.
    @Test func matmulPathPicksGemvForFewBf16Rows() {
        #expect(LaunchGeometry.matmulPath(rows: 1, k: 4096, n: 4096, bf16: true, maxRows: 8) == .gemv)
        #expect(LaunchGeometry.matmulPath(rows: 8, k: 4096, n: 32000, bf16: true, maxRows: 8) == .gemv)
        #expect(LaunchGeometry.matmulPath(rows: 9, k: 4096, n: 4096, bf16: true, maxRows: 8) == .cublas)
        #expect(LaunchGeometry.matmulPath(rows: 12, k: 4096, n: 4096, bf16: true, maxRows: 16) == .gemv)
        #expect(LaunchGeometry.matmulPath(rows: 17, k: 4096, n: 4096, bf16: true, maxRows: 16) == .cublas)
        #expect(LaunchGeometry.matmulPath(rows: 1, k: 100, n: 60, bf16: true, maxRows: 8) == .cublas)
        #expect(LaunchGeometry.matmulPath(rows: 1, k: 4096, n: 4096, bf16: false, maxRows: 8) == .cublas)
        #expect([1, 2, 3, 5, 8, 9, 16].map { LaunchGeometry.gemvCapacity(rows: $0) } == [1, 2, 4, 8, 8, 16, 16])
        #expect(LaunchGeometry.gemvCapacity(rows: 17) == nil)
        #expect(LaunchGeometry.gemvGrid(n: 4101).0 == 1026)
    }

    /// Oracle: the tiles by hand: a 37-token prefill chunk is cut 16 + 16 + 5, a 3-token run and decode
    /// tokens stay with the per-token kernel, and a run breaks where the sequence or the position jumps.
    @Test func attentionTilesCoverPrefillRunsOnly() {
        // seq 0: 37 prompt tokens at 0…36; seq 1: one decode token at 90; seq 2: 3 tokens at 10…12;
        // seq 3: 4 tokens at 5…8; seq 4: decode at 7.
        var positions: [Int32] = Array(0..<37)
        var sequences = [Int32](repeating: 0, count: 37)
        positions += [90, 10, 11, 12, 5, 6, 7, 8, 7]
        sequences += [1, 2, 2, 2, 3, 3, 3, 3, 4]
        let (tiles, single) = LaunchGeometry.attentionTiles(positions: positions, tokenSequence: sequences)
        #expect(tiles == [[0, 16, 0, 0], [16, 16, 0, 16], [32, 5, 0, 32], [41, 4, 3, 5]])
        #expect(single == Array(repeating: 0, count: 37) + [1, 1, 1, 1, 0, 0, 0, 0, 1])
        // Every token is computed by exactly one kernel.
        var covered = single
        for tile in tiles { for t in Int(tile[0])..<Int(tile[0] + tile[1]) { covered[t] += 1 } }
        #expect(covered.allSatisfy { $0 == 1 })
        // A decode-only step has no tiles.
        #expect(LaunchGeometry.attentionTiles(positions: [4, 9, 2], tokenSequence: [0, 1, 2]).tiles.isEmpty)
        #expect(LaunchGeometry.attentionTilesApply(headDim: 128, kvWidth: 1024))
        #expect(LaunchGeometry.attentionTilesApply(headDim: 64, kvWidth: 192))
        #expect(!LaunchGeometry.attentionTilesApply(headDim: 96, kvWidth: 768))
        #expect(!LaunchGeometry.attentionTilesApply(headDim: 66, kvWidth: 66))
    }
}
