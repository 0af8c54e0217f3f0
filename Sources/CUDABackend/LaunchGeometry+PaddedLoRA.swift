// Launch arithmetic of the padded-bmm LoRA path (lora_padded.cu + cuBLAS strided-batched GEMM), pure
// and unit-tested without a GPU: how a step's tokens are cut into chunks so the padded scratch stays
// under a budget, and where each region of that scratch lies.

extension LaunchGeometry {
    /// lora_padded.cu PAD_THREADS.
    public static let paddedThreads = 256
    /// Bytes of padded scratch one LoRA op aims to stay under (more only when one token alone needs more).
    public static let paddedScratchBudget = 256 << 20
    /// Byte alignment of the coefficient region (after the padded rows).
    public static let paddedAlignment = 256

    /// The scratch plan of one padded-bmm LoRA op over `tokenCount` tokens.
    public struct PaddedLoRAPlan: Equatable, Sendable {
        /// Tokens per chunk (the last chunk may hold fewer).
        public let chunkTokens: Int
        /// The chunks' token ranges, in order, covering `0..<tokenCount`.
        public let chunks: [Range<Int>]
        /// Byte offset of the coefficients `[chunkTokens, maxRank]` (storage type) after the padded rows
        /// `[chunkTokens, maxRank, width]` (storage type) at offset 0.
        public let coefficientOffset: Int
        /// Bytes of scratch the plan needs (padded rows, alignment gap, coefficients).
        public let byteCount: Int
    }

    /// Cuts `tokenCount` tokens into chunks of as many tokens as fit `budgetBytes` of scratch, each token
    /// taking `maxRank · (width + 1)` elements of `elementBytes` (its padded rows and its coefficients);
    /// at least 1 token per chunk, at most `tokenCount`.
    public static func paddedLoRAPlan(
        tokenCount: Int, maxRank: Int, width: Int, elementBytes: Int, budgetBytes: Int = paddedScratchBudget
    ) -> PaddedLoRAPlan {
        precondition(tokenCount >= 0 && maxRank > 0 && width > 0 && elementBytes > 0)
        let perToken = maxRank * (width + 1) * elementBytes
        let fitting = max(1, (budgetBytes - paddedAlignment) / perToken)
        let chunkTokens = max(1, min(tokenCount, fitting))
        let chunks = stride(from: 0, to: tokenCount, by: chunkTokens).map { $0..<min($0 + chunkTokens, tokenCount) }
        let padBytes = chunkTokens * maxRank * width * elementBytes
        let coefficientOffset = (padBytes + paddedAlignment - 1) / paddedAlignment * paddedAlignment
        return PaddedLoRAPlan(
            chunkTokens: chunkTokens, chunks: chunks, coefficientOffset: coefficientOffset,
            byteCount: coefficientOffset + chunkTokens * maxRank * elementBytes)
    }

    /// Grid of a padded gather over a chunk: one block per (token, padded rank row).
    public static func paddedGatherGrid(chunkTokens: Int, maxRank: Int) -> (Int, Int, Int) {
        (max(chunkTokens, 1), max(maxRank, 1), 1)
    }

    /// Size the scratch grows to when `needed` bytes do not fit in `current`: at least double (so a slowly
    /// growing batch reallocates rarely), no more than `max(needed, cap)`.
    public static func paddedScratchGrowth(current: Int, needed: Int, cap: Int = paddedScratchBudget) -> Int {
        guard needed > current else { return current }
        return max(needed, min(2 * current, cap))
    }
}
