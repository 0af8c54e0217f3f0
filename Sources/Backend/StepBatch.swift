// The plain data that describes one forward step to a backend: which tokens, at which positions,
// of which sequences, and where each sequence's KV pages are. Built by the engine, read by kernels.

import MemoryPool

/// One step's token layout (host memory). Tokens of a sequence are contiguous and in position order.
///
/// A step mixes prefill chunks (many tokens of one sequence) and decode tokens (one token) of
/// different sequences. A token attends to positions `0...position` of its own sequence; the
/// K/V of earlier positions are already in the pool (written by earlier steps or earlier in this one).
public struct StepBatch: Sendable {
    /// [tokenCount] token ids to embed.
    public let tokens: [Int32]
    /// [tokenCount] absolute position of each token in its sequence.
    public let positions: [Int32]
    /// [tokenCount] index into the sequence arrays below.
    public let tokenSequence: [Int32]
    /// [sequenceCount, pageTableStride] KV page tables (PageGeometry order), padded with -1.
    public let pageTables: [Int32]
    /// Row length of `pageTables`.
    public let pageTableStride: Int
    /// [logitRowCount] token indices whose logits the step returns, in output order.
    public let logitRows: [Int32]

    public var tokenCount: Int { tokens.count }
    public var sequenceCount: Int { pageTableStride == 0 ? 0 : pageTables.count / pageTableStride }

    public init(
        tokens: [Int32], positions: [Int32], tokenSequence: [Int32],
        pageTables: [Int32], pageTableStride: Int, logitRows: [Int32]
    ) {
        precondition(tokens.count == positions.count && tokens.count == tokenSequence.count)
        precondition(pageTableStride > 0 && pageTables.count % pageTableStride == 0)
        self.tokens = tokens
        self.positions = positions
        self.tokenSequence = tokenSequence
        self.pageTables = pageTables
        self.pageTableStride = pageTableStride
        self.logitRows = logitRows
    }

    /// Builds a step from per-sequence pieces.
    /// - Parameters:
    ///   - sequences: for each sequence, the tokens of this step, the position of the first one,
    ///     its KV page table (covering every position up to the last new token) and whether the
    ///     step should return logits for every new token (`allLogits`) or the last only.
    public init(sequences: [(tokens: [Int32], startPosition: Int, pageTable: [PageIndex], allLogits: Bool)]) {
        var tokens: [Int32] = []
        var positions: [Int32] = []
        var tokenSequence: [Int32] = []
        var logitRows: [Int32] = []
        let stride = max(1, sequences.map(\.pageTable.count).max() ?? 1)
        var tables = [Int32](repeating: -1, count: stride * sequences.count)
        for (s, sequence) in sequences.enumerated() {
            precondition(!sequence.tokens.isEmpty, "a sequence in a step has at least one token")
            let first = tokens.count
            for (i, token) in sequence.tokens.enumerated() {
                tokens.append(token)
                positions.append(Int32(sequence.startPosition + i))
                tokenSequence.append(Int32(s))
            }
            if sequence.allLogits {
                logitRows.append(contentsOf: (first..<tokens.count).map { Int32($0) })
            } else {
                logitRows.append(Int32(tokens.count - 1))
            }
            for (i, page) in sequence.pageTable.enumerated() { tables[s * stride + i] = page.rawValue }
        }
        self.init(
            tokens: tokens, positions: positions, tokenSequence: tokenSequence,
            pageTables: tables, pageTableStride: stride, logitRows: logitRows)
    }
}
