// Which Llama configurations split over N tensor-parallel ranks: every rank gets whole query heads,
// whole KV heads (a KV head is never replicated) and an equal share of the MLP rows.

import Checkpoint

extension LlamaConfiguration {
    /// Throws unless `num_attention_heads`, `num_key_value_heads` and `intermediate_size` are all
    /// multiples of `worldSize` (1 always passes).
    public func validateTensorParallel(worldSize: Int) throws(TensorParallelError) {
        guard worldSize > 1 else { return }
        let splits = [
            ("num_attention_heads", headCount), ("num_key_value_heads", kvHeadCount),
            ("intermediate_size", intermediateSize),
        ]
        for (field, value) in splits where value % worldSize != 0 {
            throw .indivisible(field: field, value: value, worldSize: worldSize)
        }
    }
}
