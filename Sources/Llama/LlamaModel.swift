// The Llama forward pass over one mixed step (prefill chunks and decode tokens of many sequences,
// each with its own adapter or none), expressed in backend ops. Names no device. Under tensor
// parallelism one LlamaModel is one rank: it runs its head / MLP slice and all-reduces through a Collective.
// port of the math in transformers' modeling_llama.py (LlamaForCausalLM) and PEFT's lora.Linear.

import Adapters
import Backend
import Checkpoint
import Foundation
import MemoryPool

/// A Llama-family model bound to a backend, or one tensor-parallel rank of it.
///
/// Tensor parallelism (Megatron-style, S-LoRA's scheme for adapters; `weights.shard` is rank r of N):
/// - Column-parallel q/k/v (the rank's headCount/N query and kvHeadCount/N KV heads) and gate/up (its
///   I/N MLP rows) read the replicated normed hidden state and write the rank's slice; RoPE, the K/V
///   write, attention and SiLU·mul run on the slice with no communication. Their adapters keep A whole
///   and Bᵀ's slice columns (`LoRAAdapter.shard`), so LoRA adds no communication either.
/// - Row-parallel o and down read the slice and write a partial `[T, H]` sum. The adapter's partial
///   (A's slice columns, Bᵀ whole) is added into that same partial sum, then ONE all-reduce per
///   sublayer sums base + LoRA together: 2 all-reduces of `[T, H]` per layer, the LoRA communication
///   fused into the base model's.
/// - Embedding, norms and lm_head are replicated, so every rank ends with the same full logits.
/// Each rank has its own pool (K/V of its heads, its adapter shards; `geometry.kvWidth` is the local
/// KV width) with page tables identical to every other rank's, so one `StepBatch` and one
/// `AdapterBatch` (built from the sharded layouts, identical on all ranks) drive every rank.
public final class LlamaModel<B: ComputeBackend> {
    public let config: LlamaConfiguration
    public let backend: B
    public let weights: LlamaWeights<B>
    /// The pool geometry of this rank (`kvWidth` = kvHeadCount/N · headDim).
    public let geometry: PageGeometry
    /// This rank's communication with the other ranks; nil for a single-rank model.
    public let collective: (any Collective<B.Tensor>)?
    /// [headDim / 2] RoPE inverse frequencies (scaling applied), f32 as HF uses them.
    let inverseFrequencies: B.Tensor
    /// Activation buffers reused across steps.
    let scratch = LlamaScratch<B>()
    /// The pool of the previous step and a counter bumped when it changes (part of runStep's reuse key).
    private var replayPool: B.Tensor?
    private var replayEpoch = 0
    /// Unique per model object (an address could be reused by a later model).
    private let instanceID = UUID()

    /// - Parameters:
    ///   - ropeFrequencyFactors: `[headDim / 2]` divisors applied to the inverse frequencies of
    ///     `config` (llama.cpp's `rope_freqs`, how GGUF stores Llama-3 scaling); nil = none.
    ///   - collective: this rank's endpoint when `weights` hold a shard of several ranks (its rank and
    ///     world size must be the shard's); nil for a single rank.
    public init(
        config: LlamaConfiguration, weights: LlamaWeights<B>, backend: B, tokensPerPage: Int = 16,
        ropeFrequencyFactors: [Float]? = nil, collective: (any Collective<B.Tensor>)? = nil
    ) {
        let shard = weights.shard
        precondition(
            shard.isSingle
                || (collective.map { $0.rank == shard.rank && $0.worldSize == shard.worldSize } ?? false),
            "\(shard) needs a collective of the same rank and world size")
        self.config = config
        self.backend = backend
        self.weights = weights
        self.collective = shard.isSingle ? nil : collective
        // Whole K/V rows per page slot (the default layout): on the H200 the per-token attention kernel
        // read them faster than head-major pages (decode 256 × ctx 400: 22.8 vs 25.6 ms per step,
        // docs/benchmarks/2026-11-29-h200-profile/README.md).
        self.geometry = PageGeometry(
            layerCount: config.layerCount, kvWidth: shard.local(config.kvHeadCount) * config.headDim,
            tokensPerPage: tokensPerPage)
        var frequencies = config.ropeInverseFrequencies()
        if let factors = ropeFrequencyFactors {
            precondition(factors.count == frequencies.count, "need \(frequencies.count) RoPE frequency factors")
            for i in frequencies.indices { frequencies[i] /= Double(factors[i]) }
        }
        inverseFrequencies = backend.upload(frequencies.map { Float($0) })
    }

    /// Loads the weights of `config` from `source` onto `backend` (quantized where the source and
    /// `keepQuantized` allow), with the source's RoPE frequency factors if it has any. With a
    /// `collective`, loads only the slice of rank `collective.rank` of `collective.worldSize`
    /// (throws `TensorParallelError` when the config does not split that way).
    public convenience init(
        config: LlamaConfiguration, source: any LlamaWeightSource, backend: B, tokensPerPage: Int = 16,
        keepQuantized: Bool = true, collective: (any Collective<B.Tensor>)? = nil
    ) throws {
        let shard = collective.map { TensorParallelShard(rank: $0.rank, worldSize: $0.worldSize) } ?? .single
        let weights = try LlamaWeights.load(
            config: config, from: source, on: backend, keepQuantized: keepQuantized, shard: shard)
        self.init(
            config: config, weights: weights, backend: backend, tokensPerPage: tokensPerPage,
            ropeFrequencyFactors: try source.ropeFrequencyFactors(), collective: collective)
    }

    /// This rank's slice of the model (`.single` without tensor parallelism).
    public var shard: TensorParallelShard { weights.shard }

    /// The widths this rank computes, which are also the widths its adapter streams are laid out with
    /// (`LoRAAdapter.shard(model.shard)`); the config's own widths for a single rank.
    public var projectionWidths: ProjectionWidths { config.projectionWidths.sharded(worldSize: shard.worldSize) }

    /// Runs one step and returns the logits of `step.logitRows`, `[logitRows.count, V]`.
    ///
    /// Writes this step's K/V into `pool` first, so tokens later in a prefill chunk see earlier ones.
    /// The returned tensor is the model's scratch: read it before the next `forward` call.
    public func forward(step: StepBatch, adapters: AdapterBatch, pool: B.Tensor) -> B.Tensor {
        let rows = step.logitRows.count
        scratch.reserve(
            tokens: step.tokenCount, rank: adapters.maxRank, logitRows: rows, config: config, widths: projectionWidths,
            backend: backend)
        // A backend may replay this step's ops (CUDA graphs) while the scratch buffers and the pool stay
        // the same objects: the key changes when either does. Holding the pool keeps its identity unique.
        if replayPool.map({ ($0 as AnyObject) !== (pool as AnyObject) }) ?? true {
            replayPool = pool
            replayEpoch += 1
        }
        let reuseKey: AnyHashable = [AnyHashable(instanceID), AnyHashable(replayEpoch), AnyHashable(scratch.generation)]
        return backend.runStep(step: step, adapters: adapters, reuseKey: reuseKey) { prepared in
            layers(step: step, adapters: adapters, prepared: prepared, pool: pool)
        }
    }

    /// The ops of one step on prepared batch data (the body `runStep` may record).
    private func layers(step: StepBatch, adapters: AdapterBatch, prepared: B.PreparedStep, pool: B.Tensor) -> B.Tensor {
        let c = config
        let t = step.tokenCount
        let h = c.hiddenSize
        let i = shard.local(c.intermediateSize)  // this rank's MLP rows
        let headCount = shard.local(c.headCount)  // this rank's query heads
        let kvHeadCount = shard.local(c.kvHeadCount)  // this rank's KV heads
        let b = backend
        let eps = Float(c.rmsNormEps)
        let rows = step.logitRows.count
        let x: B.Tensor = scratch.x  // [T, H] residual stream
        let normed: B.Tensor = scratch.normed  // [T, H]
        // Q, KV and I below are this rank's slices (Q/N, KV/N, I/N under tensor parallelism).
        let q: B.Tensor = scratch.q  // [T, Q]
        let k: B.Tensor = scratch.k  // [T, KV]
        let v: B.Tensor = scratch.v  // [T, KV]
        let attention: B.Tensor = scratch.attention  // [T, Q]
        let delta: B.Tensor = scratch.delta  // [T, H] a sublayer's output (a partial sum before all-reduce)
        let gate: B.Tensor = scratch.gate  // [T, I]
        let up: B.Tensor = scratch.up  // [T, I]
        let activated: B.Tensor = scratch.activated  // [T, I] compact: the down projection's input
        let u: B.Tensor = scratch.u  // [T, R] LoRA shrink output (row stride adapters.maxRank)
        let widths = projectionWidths

        /// y = x·Wᵀ plus, for tokens with an adapter targeting (layer, module), s·B·(A·x).
        func project(_ input: B.Tensor, _ weight: B.Weight, _ layer: Int, _ module: LoRAModule, _ out: B.Tensor) {
            b.matmul(input, rows: t, weight: weight, out: out)
            guard adapters.targets(layer: layer, module: module) else { return }
            b.loraShrink(
                input, inWidth: widths.inputWidth(module), pool: pool, geometry: geometry, step: prepared,
                layer: layer, module: module, u: u)
            b.loraExpand(
                u, outWidth: widths.outputWidth(module), pool: pool, geometry: geometry, step: prepared,
                layer: layer, module: module, y: out)
        }

        b.embed(step: prepared, table: weights.embedding, out: x)
        for (l, w) in weights.layers.enumerated() {
            if l == 0 {
                b.rmsNorm(x, weight: w.attentionNorm, eps: eps, rows: t, width: h, out: normed)
            } else {
                b.addRMSNorm(residual: x, delta: delta, weight: w.attentionNorm, eps: eps, rows: t, width: h, out: normed)
            }
            project(normed, w.q, l, .q, q)
            project(normed, w.k, l, .k, k)
            project(normed, w.v, l, .v, v)
            b.rope(q, step: prepared, headCount: headCount, headDim: c.headDim, inverseFrequencies: inverseFrequencies)
            b.rope(k, step: prepared, headCount: kvHeadCount, headDim: c.headDim, inverseFrequencies: inverseFrequencies)
            b.writeKV(k: k, v: v, pool: pool, geometry: geometry, layer: l, step: prepared)
            b.attention(
                q: q, pool: pool, geometry: geometry, layer: l, step: prepared, headCount: headCount,
                kvHeadCount: kvHeadCount, headDim: c.headDim, scale: 1 / Float(c.headDim).squareRoot(),
                out: attention)
            project(attention, w.o, l, .o, delta)
            collective?.allReduceSum(delta, count: t * h)  // base + LoRA partial sums of o, fused
            b.addRMSNorm(residual: x, delta: delta, weight: w.mlpNorm, eps: eps, rows: t, width: h, out: normed)
            project(normed, w.gate, l, .gate, gate)
            project(normed, w.up, l, .up, up)
            b.siluMul(gate: gate, up: up, count: t * i, out: activated)
            project(activated, w.down, l, .down, delta)
            collective?.allReduceSum(delta, count: t * h)  // base + LoRA partial sums of down, fused
        }
        b.addRMSNorm(residual: x, delta: delta, weight: weights.finalNorm, eps: eps, rows: t, width: h, out: normed)
        let selected: B.Tensor = scratch.selected  // [rows, H]
        b.gatherLogitRows(normed, width: h, step: prepared, out: selected)
        let logits: B.Tensor = scratch.logits  // [rows, V]
        b.matmul(selected, rows: rows, weight: weights.lmHead, out: logits)
        return logits
    }
}
