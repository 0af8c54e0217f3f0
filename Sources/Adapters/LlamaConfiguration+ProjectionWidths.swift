// The bridge from a model's configuration (Checkpoint) to the projection widths the memory pool
// lays adapters out by (MemoryPool). Lives here because Adapters is the first module that sees both.

import Checkpoint
import MemoryPool

extension LlamaConfiguration {
    /// The widths of the seven projections: H, headCount·headDim, kvHeadCount·headDim, I.
    public var projectionWidths: ProjectionWidths {
        ProjectionWidths(
            hiddenSize: hiddenSize, queryWidth: queryWidth, kvWidth: kvWidth, intermediateSize: intermediateSize)
    }
}
