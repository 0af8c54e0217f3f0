#!/usr/bin/env python3
"""Write the golden GGUF fixtures for Tests/GGUFTests (Tests/Fixtures/gguf/).

Written against gguf-py 0.19.0 and numpy 2.4.6 (/opt/fixenv). The oracle for every expected value is gguf-py itself:
metadata as read back by `gguf.GGUFReader`, tensor floats from `gguf.quants.dequantize` of the bytes read back.

Outputs (all small, committed):
  all_types.gguf / .json   every metadata value type (incl. nested arrays) and tensors of F32, F16, BF16, Q8_0,
                           Q4_0, Q4_1 (quantized with gguf.quants.quantize) and Q4_K, Q6_K (gguf-py cannot quantize
                           K-quants, so random blocks are crafted byte by byte with sane f16 scales; dequantize is
                           the oracle)
  aligned64.gguf / .json   general.alignment = 64, a 3-D tensor and a 1-D tensor
  llama_tiny.gguf / .json  a 1-layer llama GGUF with hyper-parameters, rope-scaling keys and q/k rows permuted exactly
                           as llama.cpp's convert_hf_to_gguf.py does (LlamaModel.permute); the .json keeps the HF-order
                           originals so the Swift inverse permutation can be checked
  smollm2_demo.json        (only when models/SmolLM2-135M-Instruct.Q4_1.gguf exists: run scripts/fetch-demo-model)
                           the demo model's key metadata, every tensor's name/type/dims/offset and a few
                           dequantized rows

Usage: /opt/fixenv/bin/python scripts/make_gguf_golden.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as QT
from gguf import GGUFReader, GGUFValueType as VT, GGUFWriter

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "Tests" / "Fixtures" / "gguf"
DEMO_MODEL = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
RNG = np.random.default_rng(20250207)


# MARK: - reading back with the oracle

def value_json(value, vtype: VT, subtypes: list[VT]):
    """One metadata value as {"type": NAME, <int|float|bool|string|array>: ...}; ints as strings (64-bit exact)."""
    if vtype == VT.ARRAY:
        elem_type = subtypes[0]
        return {"type": "ARRAY", "elementType": elem_type.name,
                "array": [value_json(v, elem_type, subtypes[1:]) for v in value]}
    if vtype == VT.STRING:
        return {"type": "STRING", "string": value}
    if vtype == VT.BOOL:
        return {"type": "BOOL", "bool": bool(value)}
    if vtype in (VT.FLOAT32, VT.FLOAT64):
        return {"type": vtype.name, "float": float(value)}
    return {"type": vtype.name, "int": str(int(value))}


def field_json(field) -> dict:
    types = list(field.types)
    if types[0] == VT.ARRAY and len(types) > 2:
        # Nested arrays: gguf-py's ReaderField lists the element types depth-first but contents() only handles one
        # level, so rebuild the nesting from the raw parts (layout: key parts, type, [elem type, count, items...]).
        return nested_array_json(field)
    return value_json(field.contents(), types[0], types[1:])


def nested_array_json(field) -> dict:
    parts = field.parts

    # parts after key-len, key, value-type: elem type, count, then each element's parts in order.
    def parse(i: int, vtype: VT):
        if vtype == VT.ARRAY:
            elem_type = VT(int(parts[i][0]))
            count = int(parts[i + 1][0])
            i += 2
            items = []
            for _ in range(count):
                item, i = parse(i, elem_type)
                items.append(item)
            return {"type": "ARRAY", "elementType": elem_type.name, "array": items}, i
        if vtype == VT.STRING:
            return {"type": "STRING", "string": bytes(parts[i + 1]).decode("utf-8")}, i + 2
        scalar = parts[i][0]
        if vtype == VT.BOOL:
            return {"type": "BOOL", "bool": bool(scalar)}, i + 1
        if vtype in (VT.FLOAT32, VT.FLOAT64):
            return {"type": vtype.name, "float": float(scalar)}, i + 1
        return {"type": vtype.name, "int": str(int(scalar))}, i + 1

    value, end = parse(3, VT.ARRAY)
    assert end == len(parts), (field.name, end, len(parts))
    return value


def tensor_json(t, with_values: bool = True) -> dict:
    entry = {
        "name": t.name,
        "type": t.tensor_type.name,
        "ne": [int(d) for d in t.shape],                  # GGUF order: ne[0] is the contiguous axis
        "offset": int(t.data_offset),                     # absolute file offset
        "byteCount": int(t.n_bytes),
    }
    if with_values:
        values = gguf.quants.dequantize(np.asarray(t.data), t.tensor_type).astype(np.float32).reshape(-1)
        entry["values"] = [float(v) for v in values]
    return entry


def describe(path: Path, extra: dict | None = None) -> dict:
    reader = GGUFReader(path)
    metadata = {}
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue
        metadata[name] = field_json(field)
    doc = {
        "file": path.name,
        "version": int(reader.fields["GGUF.version"].contents()),
        "alignment": int(reader.alignment),
        "dataOffset": int(reader.data_offset),
        "metadata": metadata,
        "tensors": [tensor_json(t) for t in reader.tensors],
    }
    if extra:
        doc.update(extra)
    return doc


def write_json(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")


# MARK: - tensor payloads

def f16_bytes(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float16).view(np.uint8)


def crafted_q4_k(rows: int, blocks_per_row: int) -> np.ndarray:
    """Random Q4_K blocks {d f16, dmin f16, scales[12], qs[128]} with finite, modest d and dmin."""
    n = rows * blocks_per_row
    blocks = RNG.integers(0, 256, size=(n, 144), dtype=np.uint8)
    blocks[:, 0:2] = f16_bytes(RNG.uniform(-0.05, 0.05, size=n)).reshape(n, 2)
    blocks[:, 2:4] = f16_bytes(RNG.uniform(-0.05, 0.05, size=n)).reshape(n, 2)
    return blocks.reshape(rows, blocks_per_row * 144)


def crafted_q6_k(rows: int, blocks_per_row: int) -> np.ndarray:
    """Random Q6_K blocks {ql[128], qh[64], scales int8[16], d f16} with a finite, modest d."""
    n = rows * blocks_per_row
    blocks = RNG.integers(0, 256, size=(n, 210), dtype=np.uint8)
    blocks[:, 208:210] = f16_bytes(RNG.uniform(-0.01, 0.01, size=n)).reshape(n, 2)
    return blocks.reshape(rows, blocks_per_row * 210)


# MARK: - all_types.gguf

def write_all_types() -> None:
    path = OUT / "all_types.gguf"
    w = GGUFWriter(path, arch="test")
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4_000_000_000)
    w.add_int32("test.i32", -2_000_000_000)
    w.add_float32("test.f32", 3.14159)
    w.add_bool("test.bool_true", True)
    w.add_bool("test.bool_false", False)
    w.add_string("test.string", "héllo ✓ GGUF")
    w.add_key_value("test.empty_string", "", VT.STRING)  # add_string() skips empty strings
    w.add_uint64("test.u64", 2**63 + 5)
    w.add_int64("test.i64", -(2**62) - 7)
    w.add_float64("test.f64", 2.718281828459045)
    w.add_key_value("test.array.u8", [1, 2, 255], VT.ARRAY, sub_type=VT.UINT8)
    w.add_key_value("test.array.i8", [-128, 0, 127], VT.ARRAY, sub_type=VT.INT8)
    w.add_key_value("test.array.u16", [0, 65535], VT.ARRAY, sub_type=VT.UINT16)
    w.add_key_value("test.array.i16", [-32768, 32767], VT.ARRAY, sub_type=VT.INT16)
    w.add_key_value("test.array.u32", [0, 4_294_967_295], VT.ARRAY, sub_type=VT.UINT32)
    w.add_array("test.array.i32", [-5, 0, 7, 2_147_483_647])
    w.add_array("test.array.f32", [0.5, -1.25, 3.0e-5])
    w.add_key_value("test.array.u64", [0, 2**64 - 1], VT.ARRAY, sub_type=VT.UINT64)
    w.add_key_value("test.array.i64", [-(2**63), 2**63 - 1], VT.ARRAY, sub_type=VT.INT64)
    w.add_key_value("test.array.f64", [1.0e-300, -2.5], VT.ARRAY, sub_type=VT.FLOAT64)
    w.add_array("test.array.bool", [True, False, True])
    w.add_array("test.array.string", ["a", "bc", "", "déf"])
    w.add_key_value("test.array.nested_i32", [[1, 2], [3], [4, 5, 6]], VT.ARRAY)
    w.add_key_value("test.array.nested_string", [["x"], ["y", "z"]], VT.ARRAY)

    f32 = RNG.standard_normal((3, 5)).astype(np.float32)
    w.add_tensor("t.f32", f32)
    w.add_tensor("t.f16", gguf.quants.quantize(RNG.standard_normal((4, 8)).astype(np.float32), QT.F16))
    w.add_tensor("t.bf16", gguf.quants.quantize(RNG.standard_normal((2, 16)).astype(np.float32), QT.BF16),
                 raw_dtype=QT.BF16)
    for name, qtype in (("t.q8_0", QT.Q8_0), ("t.q4_0", QT.Q4_0), ("t.q4_1", QT.Q4_1)):
        data = (RNG.standard_normal((3, 64)) * 0.7).astype(np.float32)
        data[0, :3] = 0.0  # exact zeros inside a block
        data[2, 32:64] = 0.0  # an all-zero block (d = 0)
        w.add_tensor(name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
    w.add_tensor("t.q4_k", crafted_q4_k(rows=2, blocks_per_row=2), raw_dtype=QT.Q4_K)
    w.add_tensor("t.q6_k", crafted_q6_k(rows=2, blocks_per_row=2), raw_dtype=QT.Q6_K)
    w.add_tensor("t.vector", RNG.standard_normal(7).astype(np.float32))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    write_json(OUT / "all_types.json", describe(path))


# MARK: - aligned64.gguf

def write_aligned64() -> None:
    path = OUT / "aligned64.gguf"
    w = GGUFWriter(path, arch="test")
    w.add_custom_alignment(64)
    w.add_tensor("cube", RNG.standard_normal((2, 3, 4)).astype(np.float32))
    w.add_tensor("odd", RNG.standard_normal(5).astype(np.float32))
    w.add_tensor("q", gguf.quants.quantize(RNG.standard_normal((1, 32)).astype(np.float32), QT.Q8_0),
                 raw_dtype=QT.Q8_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    write_json(OUT / "aligned64.json", describe(path))


# MARK: - llama_tiny.gguf

def llama_permute(weights: np.ndarray, n_head: int, n_head_kv: int | None) -> np.ndarray:
    """Verbatim semantics of llama.cpp convert_hf_to_gguf.py LlamaModel.permute (HF rows -> GGUF rows)."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def write_llama_tiny() -> None:
    hidden, heads, kv_heads, ffn, vocab = 16, 4, 2, 24, 10
    head_dim = hidden // heads
    path = OUT / "llama_tiny.gguf"
    w = GGUFWriter(path, arch="llama")
    w.add_context_length(128)
    w.add_embedding_length(hidden)
    w.add_block_count(1)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_freq_base(50000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(head_dim)
    w.add_vocab_size(vocab)
    w.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
    w.add_rope_scaling_factor(2.0)
    w.add_rope_scaling_orig_ctx_len(64)
    w.add_token_list([f"tok{i}" for i in range(vocab)])

    def rand(*shape):
        return RNG.standard_normal(shape).astype(np.float32)

    q_hf = rand(heads * head_dim, hidden)       # HF q_proj.weight [out, in]
    k_hf = rand(kv_heads * head_dim, hidden)    # HF k_proj.weight [out, in]
    w.add_tensor("token_embd.weight", rand(vocab, hidden))
    w.add_tensor("blk.0.attn_norm.weight", rand(hidden))
    w.add_tensor("blk.0.attn_q.weight", llama_permute(q_hf, heads, heads))
    w.add_tensor("blk.0.attn_k.weight", llama_permute(k_hf, heads, kv_heads))
    w.add_tensor("blk.0.attn_v.weight", rand(kv_heads * head_dim, hidden))
    w.add_tensor("blk.0.attn_output.weight", rand(hidden, hidden))
    w.add_tensor("blk.0.ffn_norm.weight", rand(hidden))
    w.add_tensor("blk.0.ffn_gate.weight", rand(ffn, hidden))
    w.add_tensor("blk.0.ffn_up.weight", rand(ffn, hidden))
    w.add_tensor("blk.0.ffn_down.weight", rand(hidden, ffn))
    w.add_tensor("output_norm.weight", rand(hidden))
    w.add_tensor("output.weight", rand(vocab, hidden))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    # Round trip check on the Python side too: un-permuting with the inverse reshape gives HF back.
    def unpermute(x, n):
        return x.reshape(n, x.shape[0] // n // 2, 2, -1).swapaxes(1, 2).reshape(x.shape)

    assert np.array_equal(unpermute(llama_permute(q_hf, heads, heads), heads), q_hf)
    assert np.array_equal(unpermute(llama_permute(k_hf, heads, kv_heads), kv_heads), k_hf)
    write_json(OUT / "llama_tiny.json", describe(path, extra={
        "hfOrder": {
            "model.layers.0.self_attn.q_proj.weight": [float(v) for v in q_hf.reshape(-1)],
            "model.layers.0.self_attn.k_proj.weight": [float(v) for v in k_hf.reshape(-1)],
        },
    }))


# MARK: - demo model summary

def write_demo_summary() -> None:
    if not DEMO_MODEL.exists():
        print(f"skip smollm2_demo.json: {DEMO_MODEL} missing (run scripts/fetch-demo-model)")
        return
    reader = GGUFReader(DEMO_MODEL)
    metadata = {}
    arrays = {}
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue
        types = list(field.types)
        if types[0] == VT.ARRAY:
            contents = field.contents()
            arrays[name] = {"elementType": types[1].name, "count": len(contents),
                            "first": [value_json(v, types[1], []) for v in contents[:5]],
                            "last": [value_json(v, types[1], []) for v in contents[-3:]]}
        else:
            metadata[name] = field_json(field)
    tensors = [tensor_json(t, with_values=False) for t in reader.tensors]
    samples = {}
    for t in reader.tensors:
        if t.name in ("token_embd.weight", "blk.0.attn_q.weight", "blk.0.attn_norm.weight", "blk.29.ffn_down.weight"):
            row_elems = int(t.shape[0])
            rows = np.asarray(t.data).reshape(-1, np.asarray(t.data).shape[-1])[:2]
            values = gguf.quants.dequantize(rows, t.tensor_type).astype(np.float32).reshape(-1)[: 2 * row_elems]
            samples[t.name] = {"rows": 2 if len(t.shape) > 1 else 1, "values": [float(v) for v in values]}
    write_json(OUT / "smollm2_demo.json", {
        "file": DEMO_MODEL.name,
        "fileByteCount": DEMO_MODEL.stat().st_size,
        "version": int(reader.fields["GGUF.version"].contents()),
        "alignment": int(reader.alignment),
        "dataOffset": int(reader.data_offset),
        "metadata": metadata,
        "arrays": arrays,
        "tensors": tensors,
        "samples": samples,
    })


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_all_types()
    write_aligned64()
    write_llama_tiny()
    write_demo_summary()
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
