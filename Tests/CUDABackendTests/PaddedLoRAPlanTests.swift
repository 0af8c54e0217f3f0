// The padded-bmm LoRA path's host arithmetic (LaunchGeometry+PaddedLoRA.swift): token chunks under the
// scratch budget, the scratch layout, scratch growth, and the path's name in reports and options.

@testable import CUDABackend
import Testing

@Suite("Padded-bmm LoRA plan")
struct PaddedLoRAPlanTests {
    /// Oracle: invariants of a chunking: the chunks are consecutive, cover 0..<T exactly, each holds at
    /// most chunkTokens (only the last fewer), and the scratch fits the budget whenever one token does.
    @Test(arguments: [
        (1, 8, 4096, 2), (32, 64, 11008, 2), (512, 64, 11008, 2), (512, 64, 11008, 4), (300, 3, 100, 4),
        (7, 128, 4096, 2), (1000, 64, 14336, 2),
    ])
    func chunksCoverTheTokensWithinBudget(tokens: Int, maxRank: Int, width: Int, elementBytes: Int) {
        let plan = LaunchGeometry.paddedLoRAPlan(tokenCount: tokens, maxRank: maxRank, width: width, elementBytes: elementBytes)
        var next = 0
        for (i, chunk) in plan.chunks.enumerated() {
            #expect(chunk.lowerBound == next)
            #expect(chunk.count >= 1 && chunk.count <= plan.chunkTokens)
            if i < plan.chunks.count - 1 { #expect(chunk.count == plan.chunkTokens) }
            next = chunk.upperBound
        }
        #expect(next == tokens)
        #expect(plan.byteCount <= LaunchGeometry.paddedScratchBudget)
        // The padded rows of a whole chunk lie before the coefficients, which are aligned.
        #expect(plan.coefficientOffset >= plan.chunkTokens * maxRank * width * elementBytes)
        #expect(plan.coefficientOffset % LaunchGeometry.paddedAlignment == 0)
        #expect(plan.byteCount == plan.coefficientOffset + plan.chunkTokens * maxRank * elementBytes)
    }

    /// Oracle: hand arithmetic. Llama-7B down (in 11008), rank 64, bf16: 64 · 11009 · 2 = 1,409,152 bytes a
    /// token; (256 MiB − 256) / that = 190 tokens a chunk, so 512 tokens take chunks of 190, 190, 132.
    @Test func llamaDownProjectionChunks() {
        let plan = LaunchGeometry.paddedLoRAPlan(tokenCount: 512, maxRank: 64, width: 11008, elementBytes: 2)
        #expect(plan.chunkTokens == 190)
        #expect(plan.chunks == [0..<190, 190..<380, 380..<512])
        // A decode batch that fits goes in one chunk of exactly its tokens.
        let small = LaunchGeometry.paddedLoRAPlan(tokenCount: 32, maxRank: 16, width: 4096, elementBytes: 2)
        #expect(small.chunkTokens == 32 && small.chunks == [0..<32])
        #expect(small.coefficientOffset == 32 * 16 * 4096 * 2)
        #expect(small.byteCount == 32 * 16 * 4096 * 2 + 32 * 16 * 2)
    }

    /// Oracle: a token larger than the budget still runs, one token per chunk; no tokens, no chunks.
    @Test func edgeCases() {
        let huge = LaunchGeometry.paddedLoRAPlan(tokenCount: 3, maxRank: 64, width: 4096, elementBytes: 4, budgetBytes: 1000)
        #expect(huge.chunkTokens == 1 && huge.chunks == [0..<1, 1..<2, 2..<3])
        #expect(huge.byteCount > 1000)
        let empty = LaunchGeometry.paddedLoRAPlan(tokenCount: 0, maxRank: 8, width: 64, elementBytes: 2)
        #expect(empty.chunks.isEmpty)
    }

    /// Oracle: the growth rule: unchanged when it fits, at least doubled (capped at the budget) otherwise,
    /// and never below what is needed.
    @Test func scratchGrowth() {
        #expect(LaunchGeometry.paddedScratchGrowth(current: 100, needed: 50) == 100)
        #expect(LaunchGeometry.paddedScratchGrowth(current: 0, needed: 4096) == 4096)
        #expect(LaunchGeometry.paddedScratchGrowth(current: 1 << 20, needed: (1 << 20) + 1) == 2 << 20)
        #expect(LaunchGeometry.paddedScratchGrowth(current: 200 << 20, needed: 201 << 20) == 256 << 20)
        #expect(LaunchGeometry.paddedScratchGrowth(current: 200 << 20, needed: 300 << 20) == 300 << 20)
    }

    /// Oracle: the gather's grid is one block per (token, padded rank row).
    @Test func gatherGrid() {
        #expect(LaunchGeometry.paddedGatherGrid(chunkTokens: 190, maxRank: 64) == (190, 64, 1))
    }

    /// Oracle: the CLI and report spelling of the path (`--lora-kernels padded-bmm`); never chosen
    /// automatically.
    @Test func pathName() {
        #expect(LaunchGeometry.LoRAPath.paddedBMM.rawValue == "padded-bmm")
        #expect(LaunchGeometry.LoRAPath(rawValue: "padded-bmm") == .paddedBMM)
        for tiles in [0, 1, 10] {
            for vectorized in [false, true] {
                #expect(LaunchGeometry.loraPath(adapterTokens: 64, tileCount: tiles, vectorized: vectorized) != .paddedBMM)
            }
        }
    }
}
