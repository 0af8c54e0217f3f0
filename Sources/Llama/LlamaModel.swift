// The Llama forward pass over one mixed step (prefill chunks and decode tokens of many sequences,
// each with its own adapter or none), expressed in backend ops. Names no device.
// port of the math in transformers' modeling_llama.py (LlamaForCausalLM) and PEFT's lora.Linear.

import Adapters
import Backend
import Checkpoint
import Foundation
import MemoryPool

/// A Llama-family model bound to a backend.
public final class LlamaModel<B: ComputeBackend> {
    public let config: LlamaConfiguration
    public let backend: B
    public let weights: LlamaWeights<B>
    public let geometry: PageGeometry
    /// [headDim / 2] RoPE inverse frequencies (scaling applied), f32 as HF uses them.
    let inverseFrequencies: B.Tensor
    /// Activation buffers reused across steps.
    let scratch = LlamaScratch<B>()
    /// The pool of the previous step and a counter bumped when it changes (part of runStep's reuse key).
    private var replayPool: B.Tensor?
    private var replayEpoch = 0
    /// Unique per model object (an address could be reused by a later model).
    private let instanceID = UUID()

    /// - Parameter ropeFrequencyFactors: `[headDim / 2]` divisors applied to the inverse frequencies of
    ///   `config` (llama.cpp's `rope_freqs`, how GGUF stores Llama-3 scaling); nil = none.
    public init(
        config: LlamaConfiguration, weights: LlamaWeights<B>, backend: B, tokensPerPage: Int = 16,
        ropeFrequencyFactors: [Float]? = nil
    ) {
        self.config = config
        self.backend = backend
        self.weights = weights
        self.geometry = PageGeometry(
            layerCount: config.layerCount, kvWidth: config.kvHeadCount * config.headDim, tokensPerPage: tokensPerPage)
        var frequencies = config.ropeInverseFrequencies()
        if let factors = ropeFrequencyFactors {
            precondition(factors.count == frequencies.count, "need \(frequencies.count) RoPE frequency factors")
            for i in frequencies.indices { frequencies[i] /= Double(factors[i]) }
        }
        inverseFrequencies = backend.upload(frequencies.map { Float($0) })
    }

    /// Loads the weights of `config` from `source` onto `backend` (quantized where the source and
    /// `keepQuantized` allow), with the source's RoPE frequency factors if it has any.
    public convenience init(
        config: LlamaConfiguration, source: any LlamaWeightSource, backend: B, tokensPerPage: Int = 16,
        keepQuantized: Bool = true
    ) throws {
        let weights = try LlamaWeights.load(config: config, from: source, on: backend, keepQuantized: keepQuantized)
        self.init(
            config: config, weights: weights, backend: backend, tokensPerPage: tokensPerPage,
            ropeFrequencyFactors: try source.ropeFrequencyFactors())
    }

    public var projectionWidths: ProjectionWidths { config.projectionWidths }

    /// Runs one step and returns the logits of `step.logitRows`, `[logitRows.count, V]`.
    ///
    /// Writes this step's K/V into `pool` first, so tokens later in a prefill chunk see earlier ones.
    /// The returned tensor is the model's scratch: read it before the next `forward` call.
    public func forward(step: StepBatch, adapters: AdapterBatch, pool: B.Tensor) -> B.Tensor {
        let rows = step.logitRows.count
        scratch.reserve(tokens: step.tokenCount, rank: adapters.maxRank, logitRows: rows, config: config, backend: backend)
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
        let i = c.intermediateSize
        let b = backend
        let eps = Float(c.rmsNormEps)
        let rows = step.logitRows.count
        let x: B.Tensor = scratch.x  // [T, H] residual stream
        let normed: B.Tensor = scratch.normed  // [T, H]
        let q: B.Tensor = scratch.q  // [T, Q]
        let k: B.Tensor = scratch.k  // [T, KV]
        let v: B.Tensor = scratch.v  // [T, KV]
        let attention: B.Tensor = scratch.attention  // [T, Q]
        let delta: B.Tensor = scratch.delta  // [T, H] a sublayer's output
        let gate: B.Tensor = scratch.gate  // [T, I]
        let up: B.Tensor = scratch.up  // [T, I]
        let activated: B.Tensor = scratch.activated  // [T, I] compact: the down projection's input
        let u: B.Tensor = scratch.u  // [T, R] LoRA shrink output (row stride adapters.maxRank)

        /// y = x·Wᵀ plus, for tokens with an adapter targeting (layer, module), s·B·(A·x).
        func project(_ input: B.Tensor, _ weight: B.Weight, _ layer: Int, _ module: LoRAModule, _ out: B.Tensor) {
            b.matmul(input, rows: t, weight: weight, out: out)
            guard adapters.targets(layer: layer, module: module) else { return }
            let widths = projectionWidths
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
            b.rope(q, step: prepared, headCount: c.headCount, headDim: c.headDim, inverseFrequencies: inverseFrequencies)
            b.rope(k, step: prepared, headCount: c.kvHeadCount, headDim: c.headDim, inverseFrequencies: inverseFrequencies)
            b.writeKV(k: k, v: v, pool: pool, geometry: geometry, layer: l, step: prepared)
            b.attention(
                q: q, pool: pool, geometry: geometry, layer: l, step: prepared, headCount: c.headCount,
                kvHeadCount: c.kvHeadCount, headDim: c.headDim, scale: 1 / Float(c.headDim).squareRoot(),
                out: attention)
            project(attention, w.o, l, .o, delta)
            b.addRMSNorm(residual: x, delta: delta, weight: w.mlpNorm, eps: eps, rows: t, width: h, out: normed)
            project(normed, w.gate, l, .gate, gate)
            project(normed, w.up, l, .up, up)
            b.siluMul(gate: gate, up: up, count: t * i, out: activated)
            project(activated, w.down, l, .down, delta)
        }
        b.addRMSNorm(residual: x, delta: delta, weight: weights.finalNorm, eps: eps, rows: t, width: h, out: normed)
        let selected: B.Tensor = scratch.selected  // [rows, H]
        b.gatherLogitRows(normed, width: h, step: prepared, out: selected)
        let logits: B.Tensor = scratch.logits  // [rows, V]
        b.matmul(selected, rows: rows, weight: weights.lmHead, out: logits)
        return logits
    }
}
