// The device seam: every op the Llama model and the LoRA path need, over whole batches held in
// backend-owned buffers. The model calls these and names no device. Each op documents its
// semantics as a reference loop; the CPU backend is exactly that loop.

import MemoryPool

/// A compute device that runs the batched forward pass.
///
/// Buffers (`Tensor`, `Indices`, `Weight`) are owned by the backend and live on its device; the
/// host sees data only through `upload*` and `download`. One step uploads its `StepBatch` and
/// `AdapterBatch` once (`prepare`), runs every layer, and downloads only logits or sampled ids.
/// Letters: T = tokenCount, H = hiddenSize, Q = headCount·headDim, KV = kvHeadCount·headDim,
/// I = intermediateSize, V = vocabularySize, R = max rank in the step, E = elementsPerPage.
public protocol ComputeBackend: AnyObject {
    /// A flat buffer of activations (f32 on the CPU).
    associatedtype Tensor
    /// A matrix `[rows, cols]` of model weights in the backend's storage format.
    associatedtype Weight
    /// A step's batch data as the device reads it.
    associatedtype PreparedStep
    /// A host copy of an adapter stream kept ready for fast loads into the pool (page-locked and in the
    /// storage type on a GPU; the stream itself on the CPU).
    associatedtype HostAdapter = [Float]

    var name: String { get }

    // MARK: - Memory

    /// A zeroed `.full` (f32) buffer of `count` elements.
    func makeTensor(count: Int) -> Tensor
    /// A zeroed buffer of `count` elements in `precision` (see `TensorPrecision`).
    func makeTensor(count: Int, precision: TensorPrecision) -> Tensor
    /// A `.full` tensor holding `values`.
    func upload(_ values: [Float]) -> Tensor
    /// A tensor in `precision` holding `values` (rounded to the storage type when `.compact`).
    func upload(_ values: [Float], precision: TensorPrecision) -> Tensor
    /// The first `count` elements as f32 (waits for queued work).
    func download(_ tensor: Tensor, count: Int) -> [Float]
    /// `values` is `[rows, cols]` row-major.
    func makeWeight(_ values: [Float], rows: Int, cols: Int) -> Weight
    /// A weight the backend may keep block-quantized (less memory, faster matmul).
    /// Semantics: equal to `makeWeight(matrix.dequantized(), rows: matrix.rows, cols: matrix.cols)`; a
    /// backend's `matmul` on it may round differently (e.g. quantize activations), within the bound it
    /// documents. The default implementation is exactly that dequantize-then-`makeWeight`.
    func makeWeight(quantized matrix: QuantizedMatrix) -> Weight
    /// The unified pool: `pageCount · geometry.elementsPerPage` zeroed elements.
    func makePool(pageCount: Int, geometry: PageGeometry) -> Tensor
    /// Copies an adapter stream into its pool pages.
    /// Semantics: `for e in stream.indices { pool[pages[e / E] · E + e % E] = stream[e] }`
    func writeAdapter(_ stream: [Float], pages: [PageIndex], pool: Tensor, geometry: PageGeometry)
    /// The host copy `loadAdapter` reads: made once per stream, kept while the adapter is registered.
    /// Semantics: holds `stream` (rounded to the storage type where the pool rounds).
    func makeHostAdapter(_ stream: [Float]) -> HostAdapter
    /// Copies a host adapter into its pool pages, possibly asynchronously (a GPU copies on its own stream).
    /// Semantics: `writeAdapter(stream, pages:, pool:, geometry:)`.
    /// Ordering: every op queued after this call that reads the pool sees the stream, and `adapter` may be
    /// dropped as soon as the call returns. With `overlappingCurrentStep == false` the copy also comes after
    /// all work queued before the call (exactly like `writeAdapter`). With `true` it may run concurrently with
    /// the step most recently begun by `runStep` (or `prepare`) — the caller guarantees that step neither
    /// reads nor writes `pages` — and comes after all work queued before that step. The engine uses `true`
    /// to load the adapters of queued requests while the running step computes.
    func loadAdapter(
        _ adapter: HostAdapter, pages: [PageIndex], pool: Tensor, geometry: PageGeometry, overlappingCurrentStep: Bool)
    /// Uploads one step's batch data.
    func prepare(step: StepBatch, adapters: AdapterBatch) -> PreparedStep
    /// Runs one step's ops: `body(prepare(step:adapters:))`. A backend may record the ops the body
    /// queues the first time a step shape repeats under the same `reuseKey` and replay them after that
    /// (CUDA graphs), so `body` must queue the same ops for equal shapes and `reuseKey` must change
    /// whenever a buffer `body` uses is reallocated. nil never replays. The default runs `body`.
    func runStep(step: StepBatch, adapters: AdapterBatch, reuseKey: AnyHashable?, _ body: (PreparedStep) -> Tensor) -> Tensor

    // MARK: - Ops
    // Precision of each tensor argument (`TensorPrecision`): `.full` unless marked `.compact` below.
    // embed out full · rmsNorm/addRMSNorm x, residual, delta, weight full; out compact · add full ·
    // matmul x compact, out full · rope x full · writeKV k, v full · attention q full, out compact ·
    // siluMul gate, up full, out compact · loraShrink x compact, u full · loraExpand u, y full ·
    // gatherLogitRows x, out compact · sample logits full. The pool and weights are the backend's own.

    /// Semantics: `for t in 0..<T, c in 0..<H { out[t, c] = table[tokens[t], c] }`
    func embed(step: PreparedStep, table: Weight, out: Tensor)
    /// Semantics: `for t { r = 1 / sqrt(mean_c(x[t, c]²) + eps); out[t, c] = weight[c] · (x[t, c] · r) }`
    func rmsNorm(_ x: Tensor, weight: Tensor, eps: Float, rows: Int, width: Int, out: Tensor)
    /// Residual add fused with the next norm.
    /// Semantics: `residual[t, c] += delta[t, c]`, then `out = rmsNorm(residual)` as above.
    func addRMSNorm(residual: Tensor, delta: Tensor, weight: Tensor, eps: Float, rows: Int, width: Int, out: Tensor)
    /// Semantics: `for t, c { x[t, c] += delta[t, c] }` over `count = rows · width` elements.
    func add(_ x: Tensor, _ delta: Tensor, count: Int)
    /// Semantics: `for r in 0..<rows, o in 0..<W.rows { out[r, o] = Σ_i x[r, i] · W[o, i] }` (y = x·Wᵀ).
    func matmul(_ x: Tensor, rows: Int, weight: Weight, out: Tensor)
    /// Rotate-half RoPE in place (HF layout: element j pairs with j + d/2).
    /// Semantics: `for t, h, j < d/2 { θ = positions[t] · invFreq[j]; (a, b) = (x[t,h,j], x[t,h,j+d/2]);`
    /// `x[t,h,j] = a·cos θ − b·sin θ; x[t,h,j+d/2] = b·cos θ + a·sin θ }`, x is `[T, headCount, d]`.
    func rope(_ x: Tensor, step: PreparedStep, headCount: Int, headDim: Int, inverseFrequencies: Tensor)
    /// Stores this step's K and V rows in the pool.
    /// Semantics: `for t, c < KV { pool[kvOffset(seq(t), layer, pos(t), K, column: c)] = k[t, c]; same for V }`
    func writeKV(k: Tensor, v: Tensor, pool: Tensor, geometry: PageGeometry, layer: Int, step: PreparedStep)
    /// Causal GQA attention reading K/V through the page tables.
    /// Semantics: `for t, h { g = h / (headCount / kvHeadCount); s[p] = scale · q[t,h,:]·K(seq(t), p, g)`
    /// `for p in 0...pos(t); w = softmax(s); out[t,h,:] = Σ_p w[p] · V(seq(t), p, g) }`
    func attention(
        q: Tensor, pool: Tensor, geometry: PageGeometry, layer: Int, step: PreparedStep,
        headCount: Int, kvHeadCount: Int, headDim: Int, scale: Float, out: Tensor)
    /// Semantics: `for i in 0..<count { out[i] = silu(gate[i]) · up[i] }`, silu(x) = x / (1 + e^−x).
    func siluMul(gate: Tensor, up: Tensor, count: Int, out: Tensor)
    /// LoRA shrink (MBGMM/MBGMV first half), gathering A rows from pool pages; no padding to a max rank.
    /// Semantics: `for t with a = slot(t) ≥ 0, (r, offA) = desc(a, layer, module), j < r {`
    /// `u[t, j] = Σ_i x[t, i] · stream(a)[offA + j·inWidth + i] }`; u is `[T, R]`, other entries unspecified.
    func loraShrink(
        _ x: Tensor, inWidth: Int, pool: Tensor, geometry: PageGeometry, step: PreparedStep,
        layer: Int, module: LoRAModule, u: Tensor)
    /// LoRA expand (second half), accumulating into the base projection's output.
    /// Semantics: `for t with a = slot(t) ≥ 0, (r, offB, s) = desc(a, layer, module), o < outWidth {`
    /// `y[t, o] += s · Σ_{j<r} u[t, j] · stream(a)[offB + j·outWidth + o] }`
    func loraExpand(
        _ u: Tensor, outWidth: Int, pool: Tensor, geometry: PageGeometry, step: PreparedStep,
        layer: Int, module: LoRAModule, y: Tensor)
    /// Semantics: `for i in 0..<logitRows.count, c < width { out[i, c] = x[logitRows[i], c] }`
    func gatherLogitRows(_ x: Tensor, width: Int, step: PreparedStep, out: Tensor)
    /// Picks one token per row of `logits` `[rows.count, V]` (see `SamplingRow`); only ids come back.
    func sample(_ logits: Tensor, vocabularySize: Int, rows: [SamplingRow]) -> [Int32]
}

extension ComputeBackend where HostAdapter == [Float] {
    /// Synchronous backends: the stream itself.
    public func makeHostAdapter(_ stream: [Float]) -> [Float] { stream }

    /// Synchronous backends: `writeAdapter` (trivially meets both orderings).
    public func loadAdapter(
        _ adapter: [Float], pages: [PageIndex], pool: Tensor, geometry: PageGeometry, overlappingCurrentStep: Bool
    ) {
        writeAdapter(adapter, pages: pages, pool: pool, geometry: geometry)
    }
}

extension ComputeBackend {
    /// Backends with one element type: precision is ignored.
    public func makeTensor(count: Int, precision: TensorPrecision) -> Tensor { makeTensor(count: count) }

    public func upload(_ values: [Float], precision: TensorPrecision) -> Tensor { upload(values) }

    public func runStep(
        step: StepBatch, adapters: AdapterBatch, reuseKey: AnyHashable?, _ body: (PreparedStep) -> Tensor
    ) -> Tensor {
        body(prepare(step: step, adapters: adapters))
    }

    /// Dequantizes to f32 (backends without quantized kernels).
    public func makeWeight(quantized matrix: QuantizedMatrix) -> Weight {
        makeWeight(matrix.dequantized(), rows: matrix.rows, cols: matrix.cols)
    }
}
