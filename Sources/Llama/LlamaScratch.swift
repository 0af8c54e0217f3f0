// The activation buffers of LlamaModel.forward, kept between steps: sized for the largest step seen
// (tokens, LoRA rank, logit rows) and reused, so a steady decode loop allocates no tensors.

import Backend
import Checkpoint
import MemoryPool

/// Backend buffers for one step's activations. Owned by one model; one forward at a time.
final class LlamaScratch<B: ComputeBackend> {
    private(set) var tokenCapacity = 0
    private(set) var rankCapacity = 0
    private(set) var logitRowCapacity = 0
    /// Bumped whenever a buffer is reallocated (a backend replaying recorded steps must not reuse them).
    private(set) var generation = 0

    private(set) var x: B.Tensor!  // [T, H] residual stream
    private(set) var normed: B.Tensor!  // [T, H]
    private(set) var q: B.Tensor!  // [T, Q]
    private(set) var k: B.Tensor!  // [T, KV]
    private(set) var v: B.Tensor!  // [T, KV]
    private(set) var attention: B.Tensor!  // [T, Q]
    private(set) var delta: B.Tensor!  // [T, H] a sublayer's output
    private(set) var gate: B.Tensor!  // [T, I]
    private(set) var up: B.Tensor!  // [T, I]
    private(set) var activated: B.Tensor!  // [T, I] silu(gate)·up, the down projection's input
    private(set) var u: B.Tensor!  // [T, R] LoRA shrink output
    private(set) var selected: B.Tensor!  // [rows, H] final hidden states of the logit rows
    private(set) var logits: B.Tensor!  // [rows, V]

    /// Grows the buffers (never shrinks) so a step of `tokens` tokens, max LoRA rank `rank` and
    /// `logitRows` logit rows fits. Buffer contents are not kept when they grow.
    /// - Parameter widths: the widths this rank computes (`config.projectionWidths` for one rank; the
    ///   tensor-parallel slice otherwise): q/k/v/attention/gate/up/activated are sized by them.
    func reserve(
        tokens: Int, rank: Int, logitRows: Int, config c: LlamaConfiguration, widths: ProjectionWidths, backend b: B
    ) {
        let rank = max(rank, 1)
        if tokens > tokenCapacity || (rank > rankCapacity && tokens > 0) {
            let t = max(tokens, tokenCapacity)
            let r = max(rank, rankCapacity)
            if tokens > tokenCapacity {
                // Precisions (TensorPrecision): matmul and LoRA-shrink inputs are compact, the rest f32.
                x = b.makeTensor(count: t * c.hiddenSize, precision: .full)
                normed = b.makeTensor(count: t * c.hiddenSize, precision: .compact)
                q = b.makeTensor(count: t * widths.queryWidth, precision: .full)
                k = b.makeTensor(count: t * widths.kvWidth, precision: .full)
                v = b.makeTensor(count: t * widths.kvWidth, precision: .full)
                attention = b.makeTensor(count: t * widths.queryWidth, precision: .compact)
                delta = b.makeTensor(count: t * c.hiddenSize, precision: .full)
                gate = b.makeTensor(count: t * widths.intermediateSize, precision: .full)
                up = b.makeTensor(count: t * widths.intermediateSize, precision: .full)
                activated = b.makeTensor(count: t * widths.intermediateSize, precision: .compact)
            }
            u = b.makeTensor(count: t * r, precision: .full)
            generation += 1
            tokenCapacity = t
            rankCapacity = r
        }
        if logitRows > logitRowCapacity {
            selected = b.makeTensor(count: logitRows * c.hiddenSize, precision: .compact)
            logits = b.makeTensor(count: logitRows * c.vocabularySize, precision: .full)
            logitRowCapacity = logitRows
            generation += 1
        }
    }
}
