// The Llama forward pass over one mixed step (prefill chunks and decode tokens of many sequences,
// each with its own adapter or none), expressed in backend ops. Names no device.
// port of the math in transformers' modeling_llama.py (LlamaForCausalLM) and PEFT's lora.Linear.

import Adapters
import Backend
import Checkpoint
import MemoryPool

/// A Llama-family model bound to a backend.
public final class LlamaModel<B: ComputeBackend> {
    public let config: LlamaConfiguration
    public let backend: B
    public let weights: LlamaWeights<B>
    public let geometry: PageGeometry
    /// [headDim / 2] RoPE inverse frequencies (scaling applied), f32 as HF uses them.
    let inverseFrequencies: B.Tensor

    public init(config: LlamaConfiguration, weights: LlamaWeights<B>, backend: B, tokensPerPage: Int = 16) {
        self.config = config
        self.backend = backend
        self.weights = weights
        self.geometry = PageGeometry(
            layerCount: config.layerCount, kvWidth: config.kvHeadCount * config.headDim, tokensPerPage: tokensPerPage)
        inverseFrequencies = backend.upload(config.ropeInverseFrequencies().map { Float($0) })
    }

    /// Loads the weights of `config` from `source` onto `backend`.
    public convenience init(
        config: LlamaConfiguration, source: any LlamaWeightSource, backend: B, tokensPerPage: Int = 16
    ) throws {
        let weights = try LlamaWeights.load(config: config, from: source, on: backend)
        self.init(config: config, weights: weights, backend: backend, tokensPerPage: tokensPerPage)
    }

    public var projectionWidths: ProjectionWidths { config.projectionWidths }

    /// Runs one step and returns the logits of `step.logitRows`, `[logitRows.count, V]`.
    ///
    /// Writes this step's K/V into `pool` first, so tokens later in a prefill chunk see earlier ones.
    public func forward(step: StepBatch, adapters: AdapterBatch, pool: B.Tensor) -> B.Tensor {
        let c = config
        let t = step.tokenCount
        let h = c.hiddenSize
        let qWidth = c.headCount * c.headDim
        let kvWidth = c.kvHeadCount * c.headDim
        let i = c.intermediateSize
        let b = backend
        let prepared = b.prepare(step: step, adapters: adapters)
        let eps = Float(c.rmsNormEps)

        let x = b.makeTensor(count: t * h)  // [T, H] residual stream
        let normed = b.makeTensor(count: t * h)  // [T, H]
        let q = b.makeTensor(count: t * qWidth)  // [T, Q]
        let k = b.makeTensor(count: t * kvWidth)  // [T, KV]
        let v = b.makeTensor(count: t * kvWidth)  // [T, KV]
        let attention = b.makeTensor(count: t * qWidth)  // [T, Q]
        let delta = b.makeTensor(count: t * h)  // [T, H] a sublayer's output
        let gate = b.makeTensor(count: t * i)  // [T, I]
        let up = b.makeTensor(count: t * i)  // [T, I]
        let u = b.makeTensor(count: t * max(adapters.maxRank, 1))  // [T, R] LoRA shrink output

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
            b.siluMul(gate: gate, up: up, count: t * i, out: gate)
            project(gate, w.down, l, .down, delta)
        }
        b.addRMSNorm(residual: x, delta: delta, weight: weights.finalNorm, eps: eps, rows: t, width: h, out: normed)
        let rows = step.logitRows.count
        let selected = b.makeTensor(count: rows * h)  // [rows, H]
        b.gatherLogitRows(normed, width: h, step: prepared, out: selected)
        let logits = b.makeTensor(count: rows * c.vocabularySize)  // [rows, V]
        b.matmul(selected, rows: rows, weight: weights.lmHead, out: logits)
        return logits
    }
}
