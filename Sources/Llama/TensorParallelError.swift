// Why a model cannot be split over a tensor-parallel group as asked: a dimension that does not divide
// over the ranks, or a collective whose group disagrees with the weights' shard.

/// A tensor-parallel configuration slora cannot run.
public enum TensorParallelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `field` (a config.json name) is `value`, which `worldSize` ranks cannot split evenly.
    case indivisible(field: String, value: Int, worldSize: Int)
    /// The collective is rank `collectiveRank` of `collectiveWorldSize`, the weights hold `weightsShard`.
    case shardMismatch(weightsShard: String, collectiveRank: Int, collectiveWorldSize: Int)

    public var description: String {
        switch self {
        case .indivisible(let field, let value, let worldSize):
            "\(field) = \(value) does not split over \(worldSize) tensor-parallel ranks; "
                + "HINT: use a world size that divides the head counts and intermediate_size"
        case .shardMismatch(let weightsShard, let rank, let worldSize):
            "the weights hold \(weightsShard) but the collective is rank \(rank) of \(worldSize)"
        }
    }
}
