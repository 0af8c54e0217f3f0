// One rank's place in a tensor-parallel group (Megatron-style, S-LoRA's scheme for adapters): which
// contiguous slice of heads / MLP rows it owns, and the projection widths its adapter streams and pool
// pages are laid out with. Pure arithmetic; the model (Llama) and the adapters (Adapters) slice by it.

/// Rank `rank` of `worldSize` ranks that split one model's attention heads and MLP rows.
///
/// Every split dimension is cut into `worldSize` equal contiguous chunks and rank `r` owns chunk `r`:
/// query heads, KV heads and intermediate rows (column-parallel q/k/v/gate/up outputs, row-parallel
/// o/down inputs). `.single` (rank 0 of 1) is the unsharded model.
public struct TensorParallelShard: Sendable, Hashable, CustomStringConvertible {
    public let rank: Int
    public let worldSize: Int

    /// The unsharded model.
    public static let single = TensorParallelShard(rank: 0, worldSize: 1)

    /// - Precondition: `0 <= rank < worldSize`.
    public init(rank: Int, worldSize: Int) {
        precondition(worldSize >= 1 && rank >= 0 && rank < worldSize, "rank \(rank) of \(worldSize)")
        self.rank = rank
        self.worldSize = worldSize
    }

    /// `true` when this is the whole model (no communication needed).
    public var isSingle: Bool { worldSize == 1 }

    /// The slice `[rank · count/N, (rank+1) · count/N)` of `count` items this rank owns.
    /// - Precondition: `count` is a multiple of `worldSize` (validated against the model config first).
    public func range(of count: Int) -> Range<Int> {
        precondition(count % worldSize == 0, "\(count) does not split over \(worldSize) ranks")
        let chunk = count / worldSize
        return (rank * chunk)..<((rank + 1) * chunk)
    }

    /// `count / worldSize`, the size of every rank's slice.
    public func local(_ count: Int) -> Int { range(of: count).count }

    public var description: String { "rank \(rank) of \(worldSize)" }
}

extension ProjectionWidths {
    /// The widths one rank of `worldSize` computes: `queryWidth`, `kvWidth` and `intermediateSize`
    /// divided by the world size, `hiddenSize` whole (the residual stream is replicated).
    ///
    /// These are also the row lengths of that rank's adapter shard: A of a column-parallel module
    /// (q/k/v/gate/up) reads the whole H, its Bᵀ writes the local slice; A of a row-parallel module
    /// (o/down) reads the local slice, its Bᵀ writes the whole H (`inputWidth` / `outputWidth`).
    public func sharded(worldSize: Int) -> ProjectionWidths {
        let shard = TensorParallelShard(rank: 0, worldSize: worldSize)
        return ProjectionWidths(
            hiddenSize: hiddenSize, queryWidth: shard.local(queryWidth), kvWidth: shard.local(kvWidth),
            intermediateSize: shard.local(intermediateSize))
    }
}

extension LoRAModule {
    /// `true` for the row-parallel projections (o, down: input split, output summed across ranks),
    /// `false` for the column-parallel ones (q, k, v, gate, up: output split, input replicated).
    public var isRowParallel: Bool { self == .o || self == .down }
}
