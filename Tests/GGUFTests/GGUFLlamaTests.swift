// The llama view of a GGUF file: hyper-parameters, GGUF↔HF tensor names, and the inverse of llama.cpp's q/k
// row permutation, checked against llama_tiny.gguf (written and permuted by scripts/make_gguf_golden.py).

import GGUF
import Testing

@Suite struct GGUFLlamaTests {
    /// Oracle: the values make_gguf_golden.py wrote with GGUFWriter (llama_tiny.json lists them as gguf-py read them).
    @Test func readsHyperparameters() throws {
        let file = try GGUFFixture.open("llama_tiny.gguf")
        let hp = try GGUFLlamaHyperparameters(file: file)
        #expect(hp == GGUFLlamaHyperparameters(
            hiddenSize: 16, layerCount: 1, headCount: 4, kvHeadCount: 2, headDim: 4, intermediateSize: 24,
            contextLength: 128, ropeDimensionCount: 4, ropeTheta: 50_000, rmsNormEpsilon: 1e-5, vocabSize: 10,
            ropeScalingType: "linear", ropeScalingFactor: 2, ropeScalingOriginalContextLength: 64,
            tiedEmbeddings: false))
        try hp.validateTensorShapes(in: file)
    }

    /// Oracle: llama.cpp's convert_hf_to_gguf.py LlamaModel.permute, applied with numpy in make_gguf_golden.py to
    /// HF-order weights stored in llama_tiny.json; unpermuting the GGUF tensor restores them exactly, and
    /// permuting them reproduces the GGUF tensor.
    @Test(arguments: [("attn_q", "q_proj"), ("attn_k", "k_proj")])
    func unpermuteRestoresHFRowOrder(gguf: String, hf: String) throws {
        let file = try GGUFFixture.open("llama_tiny.gguf")
        let hp = try GGUFLlamaHyperparameters(file: file)
        let expected = try GGUFFixture.expected("llama_tiny.json")
        let hfWeights = try #require(expected.hfOrder?["model.layers.0.self_attn.\(hf).weight"]).asFloats
        let name = "blk.0.\(gguf).weight"
        let info = try file.tensor(name)
        let heads = gguf == "attn_q" ? hp.headCount : hp.kvHeadCount
        let stored = try file.floats(name)
        #expect(stored != hfWeights)  // the permutation is not the identity here
        let (rows, cols) = (info.rowCount, info.rowLength)
        #expect(GGUFLlamaLayout.unpermuteQK(stored, rows: rows, cols: cols, headCount: heads) == hfWeights)
        #expect(GGUFLlamaLayout.permuteQK(hfWeights, rows: rows, cols: cols, headCount: heads) == stored)

        // Rows move whole, so raw bytes can be unpermuted without dequantizing (cols = bytes per row).
        let raw = Array(try file.rawData(name))
        let restoredRaw = GGUFLlamaLayout.unpermuteQK(raw, rows: rows, cols: info.rowByteCount, headCount: heads)
        let restoredFromRaw = restoredRaw.withUnsafeBytes { bytes in
            [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, count in
                info.type.dequantize(bytes, into: buffer)
                count = info.elementCount
            }
        }
        #expect(restoredFromRaw == hfWeights)
    }

    /// Oracle: the permutation formula by hand for one head of 4 rows (headDim 4, half 2):
    /// GGUF rows [0, 1, 2, 3] hold HF rows [0, 2, 1, 3].
    @Test func permutationOfOneHeadByHand() {
        let hf: [Float] = [0, 1, 2, 3]
        #expect(GGUFLlamaLayout.permuteQK(hf, rows: 4, cols: 1, headCount: 1) == [0, 2, 1, 3])
        #expect((0..<4).map { GGUFLlamaLayout.hfRow(forGGUFRow: $0, rows: 4, headCount: 1) } == [0, 2, 1, 3])
        let sixRows: [Float] = [0, 1, 2, 3, 4, 5]  // headDim 6: GGUF 2i + j ← HF 3j + i
        #expect(GGUFLlamaLayout.permuteQK(sixRows, rows: 6, cols: 1, headCount: 1) == [0, 3, 1, 4, 2, 5])
    }

    /// Oracle: gguf-py tensor_mapping.py (MODEL_TENSOR ↔ HF llama names).
    @Test func mapsTensorNamesBothWays() {
        let pairs = [
            ("token_embd.weight", "model.embed_tokens.weight"),
            ("output_norm.weight", "model.norm.weight"),
            ("output.weight", "lm_head.weight"),
            ("blk.0.attn_q.weight", "model.layers.0.self_attn.q_proj.weight"),
            ("blk.12.attn_k.weight", "model.layers.12.self_attn.k_proj.weight"),
            ("blk.3.attn_v.weight", "model.layers.3.self_attn.v_proj.weight"),
            ("blk.3.attn_output.weight", "model.layers.3.self_attn.o_proj.weight"),
            ("blk.3.attn_norm.weight", "model.layers.3.input_layernorm.weight"),
            ("blk.3.ffn_gate.weight", "model.layers.3.mlp.gate_proj.weight"),
            ("blk.3.ffn_up.weight", "model.layers.3.mlp.up_proj.weight"),
            ("blk.3.ffn_down.weight", "model.layers.3.mlp.down_proj.weight"),
            ("blk.29.ffn_norm.weight", "model.layers.29.post_attention_layernorm.weight"),
            ("blk.0.attn_q.bias", "model.layers.0.self_attn.q_proj.bias"),
        ]
        for (gguf, hf) in pairs {
            #expect(GGUFLlamaLayout.hfName(forGGUFName: gguf) == hf)
            #expect(GGUFLlamaLayout.ggufName(forHFName: hf) == gguf)
        }
        for unknown in ["rope_freqs.weight", "blk.x.attn_q.weight", "blk.01.attn_q.weight", "blk.0.attn_qq.weight",
                        "token_embd", "blk.-1.attn_q.weight"] {
            #expect(GGUFLlamaLayout.hfName(forGGUFName: unknown) == nil, "\(unknown)")
        }
        #expect(GGUFLlamaLayout.ggufName(forHFName: "model.layers.0.self_attn.rotary_emb.inv_freq") == nil)
    }

    /// Oracle: GGUF llama key requirements (docs/gguf.md); inconsistent or missing values throw with the key.
    @Test func rejectsMissingOrInconsistentHyperparameters() throws {
        func file(_ keys: [(String, UInt32)], architecture: String = "llama") throws -> GGUFFile {
            var b = GGUFBytesBuilder(kvCount: UInt64(keys.count + 2))
            b.keyString("general.architecture", architecture)
            for (key, value) in keys { b.keyU32(key, value) }
            b.key("llama.attention.layer_norm_rms_epsilon", type: .float32)
            b.f32(1e-5)
            return try b.open()
        }
        let base: [(String, UInt32)] = [
            ("llama.embedding_length", 16), ("llama.block_count", 1), ("llama.attention.head_count", 4),
            ("llama.feed_forward_length", 24), ("llama.context_length", 32), ("llama.vocab_size", 10),
        ]
        let ok = try GGUFLlamaHyperparameters(file: file(base))
        #expect(ok.kvHeadCount == 4 && ok.headDim == 4 && ok.ropeTheta == 10_000 && ok.ropeDimensionCount == 4)
        #expect(ok.tiedEmbeddings)
        #expect(throws: GGUFError.missingKey(file: "built.gguf", key: "llama.embedding_length")) {
            try GGUFLlamaHyperparameters(file: file(Array(base.dropFirst())))
        }
        #expect(throws: GGUFError.unsupportedArchitecture(file: "built.gguf", architecture: "qwen2")) {
            try GGUFLlamaHyperparameters(file: file(base, architecture: "qwen2"))
        }
        #expect(throws: GGUFError.invalidHyperparameter(
            file: "built.gguf", key: "llama.attention.head_count_kv",
            reason: "3 must be positive and divide head_count 4")) {
            try GGUFLlamaHyperparameters(file: file(base + [("llama.attention.head_count_kv", 3)]))
        }
        #expect(throws: GGUFError.invalidHyperparameter(
            file: "built.gguf", key: "llama.embedding_length", reason: "18 is not divisible by head_count 4")) {
            try GGUFLlamaHyperparameters(file: file([("llama.embedding_length", 18)] + base.dropFirst()))
        }
        #expect(throws: GGUFError.tensorNotFound(file: "built.gguf", tensor: "blk.0.attn_k.weight")) {
            try ok.validateTensorShapes(in: file(base))
        }
    }
}
