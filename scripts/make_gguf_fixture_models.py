#!/usr/bin/env python3
"""Converts the golden HF fixture models (Tests/Fixtures/models/<name>) to GGUF, the way llama.cpp's
convert_hf_to_gguf.py does for `LlamaModel`, into Tests/Fixtures/gguf-models/<name>.<TYPE>.gguf.

What is copied from the converter (facts, not code): llama-arch metadata keys; q/k rows permuted per head from
HF rotate-half order into Meta's interleaved order
    w.reshape(n_head, 2, rows // n_head // 2, cols).swapaxes(1, 2).reshape(rows, cols)   (n_head := n_kv for k_proj)
(`LlamaModel.permute`); llama3 rope scaling written as a `rope_freqs.weight` F32 tensor of per-frequency divisors
(`LlamaModel.generate_extra_tensors`); norms kept F32; `output.weight` omitted when embeddings are tied.
Matrices (embeddings included) are stored as F16, Q8_0 or Q4_1 (gguf-py `quants.quantize`, which mirrors ggml).

Run from the repo root (deterministic; rerunning gives byte-identical files):
    /opt/fixenv/bin/python scripts/make_gguf_fixture_models.py
Made with python 3.11.7, gguf 0.19.0, numpy 2.4.6, safetensors 0.8.0.
"""

import json
import math
import pathlib

import numpy as np
from safetensors.numpy import load_file

import gguf
from gguf import GGMLQuantizationType as QT
from gguf import quants

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = ROOT / "Tests" / "Fixtures" / "models"
OUT = ROOT / "Tests" / "Fixtures" / "gguf-models"

# (model, matrix type) pairs to write.
VARIANTS = [
    ("mha-untied", "F16"),
    ("mha-untied", "Q8_0"),
    ("mha-untied", "Q4_1"),
    ("gqa-tied-llama3", "F16"),
    ("gqa-tied-llama3", "Q8_0"),
]

BLOCK_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "input_layernorm": "attn_norm",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    "post_attention_layernorm": "ffn_norm",
}


def permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """HF rotate-half row order -> Meta interleaved row order, per head (llama.cpp LlamaModel.permute)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def rope_theta_and_scaling(config: dict):
    if "rope_parameters" in config:
        params = config["rope_parameters"]
        return float(params["rope_theta"]), (params if params.get("rope_type", "default") != "default" else None)
    return float(config.get("rope_theta", 10000.0)), config.get("rope_scaling")


def llama3_rope_factors(config: dict, head_dim: int, theta: float, scaling: dict) -> np.ndarray:
    """Per-frequency divisors as convert_hf_to_gguf.py computes them for rope_type llama3."""
    factor = scaling["factor"]
    low = scaling["low_freq_factor"]
    high = scaling["high_freq_factor"]
    old_context = scaling["original_max_position_embeddings"]
    low_wavelen = old_context / low
    high_wavelen = old_context / high
    freqs = 1.0 / (theta ** (np.arange(0, head_dim, 2, dtype=np.float32) / head_dim))
    factors = []
    for freq in freqs.tolist():
        wavelen = 2 * math.pi / freq
        if wavelen < high_wavelen:
            factors.append(1.0)
        elif wavelen > low_wavelen:
            factors.append(factor)
        else:
            smooth = (old_context / wavelen - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(factors, dtype=np.float32)


def add_matrix(writer: gguf.GGUFWriter, name: str, w: np.ndarray, kind: str) -> None:
    if kind == "F16":
        writer.add_tensor(name, w.astype(np.float16))
    else:
        qtype = QT[kind]
        writer.add_tensor(name, quants.quantize(w.astype(np.float32), qtype), raw_dtype=qtype)


def convert(model: str, kind: str) -> pathlib.Path:
    directory = MODELS / model
    config = json.loads((directory / "config.json").read_text())
    tensors = load_file(str(directory / "model.safetensors"))
    hidden = config["hidden_size"]
    n_head = config["num_attention_heads"]
    n_kv = config.get("num_key_value_heads", n_head)
    head_dim = config.get("head_dim") or hidden // n_head
    layers = config["num_hidden_layers"]
    theta, scaling = rope_theta_and_scaling(config)

    path = OUT / f"{model}.{kind}.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(f"{model} ({kind})")
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(hidden)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_rope_dimension_count(head_dim)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_kv)
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    writer.add_rope_freq_base(theta)
    if head_dim != hidden // n_head:
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
    writer.add_vocab_size(config["vocab_size"])
    writer.add_file_type({"F16": gguf.LlamaFileType.MOSTLY_F16, "Q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
                          "Q4_1": gguf.LlamaFileType.MOSTLY_Q4_1}[kind])
    writer.add_bos_token_id(config["bos_token_id"])
    writer.add_eos_token_id(config["eos_token_id"])
    if scaling is not None:
        rope_type = scaling.get("rope_type", scaling.get("type"))
        if rope_type == "llama3":
            writer.add_tensor("rope_freqs.weight", llama3_rope_factors(config, head_dim, theta, scaling))
        elif rope_type == "linear":
            writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
            writer.add_rope_scaling_factor(scaling["factor"])
        else:
            raise SystemExit(f"{model}: rope_type {rope_type} not handled")

    add_matrix(writer, "token_embd.weight", tensors["model.embed_tokens.weight"], kind)
    for layer in range(layers):
        for hf, gg in BLOCK_NAMES.items():
            w = tensors[f"model.layers.{layer}.{hf}.weight"]
            name = f"blk.{layer}.{gg}.weight"
            if hf == "self_attn.q_proj":
                w = permute(w, n_head)
            elif hf == "self_attn.k_proj":
                w = permute(w, n_kv)
            if w.ndim == 1:
                writer.add_tensor(name, w.astype(np.float32))
            else:
                add_matrix(writer, name, w, kind)
    writer.add_tensor("output_norm.weight", tensors["model.norm.weight"].astype(np.float32))
    if not config.get("tie_word_embeddings", False):
        add_matrix(writer, "output.weight", tensors["lm_head.weight"], kind)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for model, kind in VARIANTS:
        path = convert(model, kind)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
