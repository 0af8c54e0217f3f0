// Llama models loaded from GGUF (Tests/Fixtures/gguf-models, converted from the golden HF fixtures by
// scripts/make_gguf_fixture_models.py like llama.cpp's converter) against the same models loaded from
// their HF safetensors: configuration, logits, PEFT adapters on the GGUF base, quantized weights.

import Adapters
import Backend
import CPUBackend
import Checkpoint
import Foundation
import GGUF
import Llama
import MemoryPool
import Testing

extension FixtureModel {
    /// The fixture model `name` with its base weights from `gguf-models/<name>.<kind>.gguf` instead of
    /// safetensors (golden records as usual; its PEFT adapters unless `withAdapters` is false).
    init(
        _ name: String, gguf kind: String, mode: CPUBackend.QuantizedMatmulMode = .fast, keepQuantized: Bool = true,
        withAdapters: Bool = true
    ) throws {
        self.name = name
        directory = fixturesDirectory.appendingPathComponent("models/\(name)")
        let source = try GGUFWeightSource(url: fixturesDirectory.appendingPathComponent("gguf-models/\(name).\(kind).gguf"))
        config = try LlamaConfiguration(gguf: source.file)
        checkpoint = try ModelCheckpoint(directory: directory)
        backend = CPUBackend(threadCount: 1, quantizedMatmul: mode)
        model = try LlamaModel(config: config, source: source, backend: backend, tokensPerPage: 4, keepQuantized: keepQuantized)
        var adapters: [String: LoRAAdapter] = [:]
        for adapter in Self.adapterNames where withAdapters {
            adapters[adapter] = try LoRAAdapter.load(
                name: adapter, directory: directory.appendingPathComponent("adapters/\(adapter)"), base: config)
        }
        self.adapters = adapters
        golden = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("golden.json"))) as! [String: Any]
        goldenTensors = try SafeTensorsFile(url: directory.appendingPathComponent("golden.safetensors"))
    }

    /// The HF fixture model with every matrix rounded to f16 (RNE), as an F16 GGUF stores it.
    init(_ name: String, halfRounded: Bool) throws {
        let hf = try FixtureModel(name)
        let source = HalfRoundedSource(base: hf.checkpoint)
        self.name = name
        directory = hf.directory
        config = hf.config
        checkpoint = hf.checkpoint
        backend = hf.backend
        model = try LlamaModel(config: config, source: source, backend: backend, tokensPerPage: 4)
        adapters = hf.adapters
        golden = hf.golden
        goldenTensors = hf.goldenTensors
    }

    /// Prefill logits of the five golden prompts in one mixed batch, each row with its golden adapter
    /// (or, with `base`, all on the base model): `[5 · 7]` rows of `[V]`.
    func mixedPrefillLogits(base: Bool = false) -> [[Float]] {
        let prompts = self.prompts
        guard base else {
            let harness = PoolHarness(self)
            for p in prompts { _ = harness.addSequence(tokenCount: p.count) }
            return harness.step((0..<prompts.count).map { ($0, prompts[$0], 0, rowAdapters[$0]) }, allLogits: true)
        }
        // Base model only: no adapters need to be resident.
        let pool = PagePool(pageCount: 1024)
        let tables = prompts.enumerated().map { s, prompt in
            var table = SequencePageTable(geometry: model.geometry)
            _ = table.reserve(tokenCount: prompt.count, in: pool, owner: SequenceSlotID(s))
            return table.pages
        }
        let step = StepBatch(sequences: prompts.indices.map { (prompts[$0], 0, tables[$0], true) })
        let logits = model.forward(
            step: step, adapters: .none(tokenCount: step.tokenCount, layerCount: config.layerCount),
            pool: backend.makePool(pageCount: 1024, geometry: model.geometry))
        let vocab = config.vocabularySize
        let flat = backend.download(logits, count: step.logitRows.count * vocab)
        return (0..<step.logitRows.count).map { Array(flat[($0 * vocab)..<(($0 + 1) * vocab)]) }
    }
}

@Suite("GGUF models vs their HF checkpoints")
struct GGUFModelTests {
    static let models = ["mha-untied", "gqa-tied-llama3"]

    /// Worst max|Δ|/max|ref| over rows.
    static func worst(_ a: [[Float]], _ b: [[Float]]) -> Float {
        zip(a, b).map { relativeError($0, $1) }.max() ?? 0
    }

    /// Oracle: the HF `config.json` of the model the GGUF was converted from. Llama-3 scaling travels as
    /// `rope_freqs` divisors; divided into the plain frequencies they must give HF's llama3 frequencies.
    @Test(arguments: models)
    func configurationMatchesHFConfig(model: String) throws {
        let hf = try LlamaConfiguration(
            contentsOf: fixturesDirectory.appendingPathComponent("models/\(model)/config.json"))
        let source = try GGUFWeightSource(
            url: fixturesDirectory.appendingPathComponent("gguf-models/\(model).F16.gguf"))
        let gguf = try LlamaConfiguration(gguf: source.file)
        #expect(gguf.hiddenSize == hf.hiddenSize && gguf.intermediateSize == hf.intermediateSize)
        #expect(gguf.layerCount == hf.layerCount && gguf.headCount == hf.headCount)
        #expect(gguf.kvHeadCount == hf.kvHeadCount && gguf.headDim == hf.headDim)
        #expect(gguf.vocabularySize == hf.vocabularySize && gguf.tieWordEmbeddings == hf.tieWordEmbeddings)
        #expect(gguf.rmsNormEps == hf.rmsNormEps && gguf.ropeTheta == hf.ropeTheta)
        #expect(gguf.maxPositionEmbeddings == hf.maxPositionEmbeddings)
        #expect(gguf.bosTokenID == hf.bosTokenID && gguf.eosTokenIDs == hf.eosTokenIDs)
        let factors = try source.ropeFrequencyFactors()
        #expect((factors != nil) == (hf.ropeScaling != .none))
        let plain = gguf.ropeInverseFrequencies()
        let want = hf.ropeInverseFrequencies()
        for i in plain.indices {
            let got = plain[i] / Double(factors?[i] ?? 1)
            #expect(abs(got - want[i]) <= 1e-6 * want[i])
        }
    }

    /// Oracle: the HF checkpoint with its matrices rounded to f16 (what the F16 file holds), run by the
    /// HF path (itself within 1e-4 of transformers). Loading must change nothing else: measured 0 for
    /// mha-untied and ~1e-6 for gqa-tied-llama3 (its Llama-3 RoPE divisors are stored as f32).
    /// Against the unrounded checkpoint the f16 rounding alone (≤ 2⁻¹¹ per weight) shows: these random
    /// fixture weights amplify it to 1.4e-3 / 3.3e-3 of the logit range (an F32 GGUF made by the same
    /// script matched the checkpoint bit for bit / to 7e-7), so that comparison gets 1e-2.
    @Test(arguments: models)
    func f16LogitsEqualHFCheckpointLogits(model: String) throws {
        let gguf = try FixtureModel(model, gguf: "F16", withAdapters: false).mixedPrefillLogits(base: true)
        let rounded = try FixtureModel(model, halfRounded: true).mixedPrefillLogits(base: true)
        let hf = try FixtureModel(model).mixedPrefillLogits(base: true)
        let error = Self.worst(gguf, rounded)
        let roundingEffect = Self.worst(gguf, hf)
        print("[gguf] \(model) F16 base: vs f16-rounded HF \(error), vs HF \(roundingEffect)")
        #expect(error <= 1e-5)
        #expect(roundingEffect <= 1e-2)
    }

    /// Oracle: f16-rounded HF checkpoint + PEFT adapters, one mixed batch (a base row and four adapters
    /// of ranks 4–64, q/k included). The GGUF base has its q/k rows un-permuted to HF order, so PEFT
    /// `lora_B` must apply as saved, with no permutation: equal logits (≤ 1e-5) prove it, while each
    /// adapter moves the logits by far more (a mis-permuted q/k `lora_B` would show).
    @Test(arguments: models)
    func peftAdaptersOnGGUFBaseMatchHFBase(model: String) throws {
        let hfModel = try FixtureModel(model, halfRounded: true)
        let hf = hfModel.mixedPrefillLogits()
        let hfBase = hfModel.mixedPrefillLogits(base: true)
        let gguf = try FixtureModel(model, gguf: "F16").mixedPrefillLogits()
        let error = Self.worst(gguf, hf)
        let adapterEffect = Self.worst(Array(hf[7...]), Array(hfBase[7...]))
        print("[gguf] \(model) F16 + adapters: max|Δ|/max|ref| = \(error), adapter effect \(adapterEffect)")
        #expect(error <= 1e-5)
        #expect(adapterEffect >= 0.05)
    }

    /// Oracle: the HF checkpoint + adapters. Q8_0 moves each weight by up to half a block step
    /// (max|w|/254 ≈ 0.4% of the block's largest weight, RMS ≈ 35× f16's); the F16 test above shows
    /// these random fixtures amplify weight noise ~10× into the logits, so expect ~5–10% of the logit
    /// range (measured 6.1% / 8.0% exact). The fast path adds 8-bit activations, noise of the same size
    /// (measured 9.2% / 15.7%). 0.25 checks plumbing; the layout is checked exactly by the F16 and
    /// dequantization tests, the kernels by CPUBackendTests' per-output bound.
    @Test(arguments: models)
    func q8LogitsStayCloseToHFCheckpoint(model: String) throws {
        let hf = try FixtureModel(model).mixedPrefillLogits()
        for mode in [CPUBackend.QuantizedMatmulMode.exact, .fast] {
            let gguf = try FixtureModel(model, gguf: "Q8_0", mode: mode).mixedPrefillLogits()
            let error = Self.worst(gguf, hf)
            print("[gguf] \(model) Q8_0 (\(mode)) + adapters: max|Δ|/max|ref| = \(error)")
            #expect(error <= 0.25)
        }
    }

    /// Oracle: the model with every quantized matrix dequantized to f32 at load (`keepQuantized: false`).
    /// Kept quantized with the exact mode it must be bit-identical (Q8_0 and Q4_1, embedding and LM head
    /// included); the fast mode only adds activation-quantization noise (10-bit against Q4 weights,
    /// 8-bit against Q8_0; measured 5.3% / 7.3% of the logit range on these fixtures; ≤ 0.25 checks plumbing).
    @Test(arguments: ["mha-untied.Q4_1", "gqa-tied-llama3.Q8_0"])
    func weightsKeptQuantizedMatchDequantizedModel(file: String) throws {
        let parts = file.split(separator: ".").map(String.init)
        func logits(_ mode: CPUBackend.QuantizedMatmulMode, keepQuantized: Bool = true) throws -> [[Float]] {
            try FixtureModel(parts[0], gguf: parts[1], mode: mode, keepQuantized: keepQuantized, withAdapters: false)
                .mixedPrefillLogits(base: true)
        }
        let dense = try logits(.exact, keepQuantized: false)
        let exact = try logits(.exact)
        let fast = try logits(.fast)
        #expect(exact == dense)
        let error = Self.worst(fast, dense)
        print("[gguf] \(file) fast vs dequantized: max|Δ|/max|ref| = \(error)")
        #expect(error <= 0.25)
    }

    /// Oracle: the GGUF module's dequantizer (bit-exact with gguf-py). Every matrix handed over still
    /// quantized, q/k rows un-permuted on raw bytes, must dequantize to exactly `floats` of the same name.
    @Test(arguments: ["mha-untied.Q8_0", "mha-untied.Q4_1", "gqa-tied-llama3.Q8_0"])
    func quantizedMatricesDequantizeToTheirFloats(file: String) throws {
        let source = try GGUFWeightSource(url: fixturesDirectory.appendingPathComponent("gguf-models/\(file).gguf"))
        let hp = source.hyperparameters
        var checked = 0
        for ggufName in source.file.tensorNames {
            guard let name = GGUFLlamaLayout.hfName(forGGUFName: ggufName) else { continue }
            let shape = source.file.tensors[ggufName]!.shape
            guard let matrix = try source.quantized(name, shape: shape) else {
                #expect(shape.count == 1, "\(name) should be quantized")
                continue
            }
            #expect(matrix.dequantized() == (try source.floats(name, shape: shape)), "\(name)")
            checked += 1
        }
        #expect(checked == 1 + hp.layerCount * 7 + (hp.tiedEmbeddings ? 0 : 1))
    }

    /// Oracle: GGUF's typed errors. A wrong shape or an unknown tensor name is an error, not a trap.
    @Test func badNamesAndShapesThrow() throws {
        let source = try GGUFWeightSource(
            url: fixturesDirectory.appendingPathComponent("gguf-models/mha-untied.Q8_0.gguf"))
        #expect(throws: LlamaLoadError.self) { try source.floats("model.layers.0.self_attn.q_proj.weight", shape: [64, 63]) }
        #expect(throws: LlamaLoadError.self) { try source.quantized("model.layers.9.mlp.up_proj.weight", shape: [128, 64]) }
        #expect(!source.contains("model.layers.9.mlp.up_proj.weight"))
        #expect(source.contains("lm_head.weight"))
    }
}

/// An HF checkpoint whose matrices read back rounded to f16 (round to nearest even, as numpy's
/// `astype(float16)` in the converter); vectors (norms) stay f32 as in an F16 GGUF.
struct HalfRoundedSource: LlamaWeightSource {
    let base: ModelCheckpoint

    func floats(_ name: String, shape: [Int]) throws -> [Float] {
        let values = try base.floats(name, shape: shape)
        return shape.count == 2 ? values.map(Self.roundedToHalf) : values
    }

    func contains(_ name: String) -> Bool { base.contains(name) }

    /// `x` rounded to the nearest f16 value (ties to even); finite values below 65504 only.
    static func roundedToHalf(_ x: Float) -> Float {
        if abs(x) < 0x1p-14 { return (x * 0x1p24).rounded(.toNearestOrEven) * 0x1p-24 }  // f16 subnormals
        let bits = x.bitPattern
        let rounded = (bits &+ 0x0FFF &+ ((bits >> 13) & 1)) & ~UInt32(0x1FFF)
        return Float(bitPattern: rounded)
    }
}
