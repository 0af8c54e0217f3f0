// Which element type a backend stores an activation tensor in. The seam names two roles; each op's
// documentation in ComputeBackend says which role each of its tensor arguments has.

/// The precision role of an activation tensor.
///
/// - `full`: f32 on every backend. The residual stream, projection outputs (LoRA expand accumulates
///   into them), q/k/v before the pool, the LoRA shrink output, logits, norm weights and RoPE tables.
/// - `compact`: the backend's storage type (bf16 on CUDA, f32 on the CPU): what matmul and LoRA shrink
///   read (normed hidden states, attention output, SiLU·mul output, the gathered logit rows).
///
/// The CPU backend ignores the distinction (everything is f32).
public enum TensorPrecision: Sendable, Hashable {
    case full
    case compact
}
