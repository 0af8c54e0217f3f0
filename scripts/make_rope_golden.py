#!/usr/bin/env python3
"""Golden RoPE inverse frequencies for slora's CheckpointTests (LlamaConfiguration.ropeInverseFrequencies).

Oracle: transformers' own `LlamaRotaryEmbedding(config).inv_freq` (which calls `ROPE_INIT_FUNCTIONS[rope_type]`
from modeling_rope_utils, or `compute_default_rope_parameters` for "default"), on a LlamaConfig built from each
case's config.json dict; the script asserts it equals `ROPE_INIT_FUNCTIONS[rope_type]` where that exists. Also records the same formula evaluated in float64 with numpy (transformers
computes in torch float32), so the Swift test can check tightly against float64 and loosely against torch.

Made with: /opt/fixenv/bin/python (transformers 5.24.0, torch 2.15.0, numpy).
Run:       /opt/fixenv/bin/python scripts/make_rope_golden.py   (from the repo root)
Writes:    Tests/Fixtures/rope/rope_golden.json
"""
import json
import math
import os

import numpy as np
import torch
import transformers
from transformers import LlamaConfig
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

BASE = {"model_type": "llama", "vocab_size": 128, "intermediate_size": 64, "num_hidden_layers": 1}

CASES = {
    # Llama 3.1 8B: head_dim 128, v4-style rope_scaling.
    "llama31_8b_v4": dict(BASE, hidden_size=4096, num_attention_heads=32, num_key_value_heads=8,
                          max_position_embeddings=131072, rope_theta=500000.0,
                          rope_scaling={"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                        "original_max_position_embeddings": 8192, "rope_type": "llama3"}),
    # Llama 3.2 1B: head_dim 64, v5-style rope_parameters.
    "llama32_1b_v5": dict(BASE, hidden_size=2048, num_attention_heads=32, num_key_value_heads=8,
                          max_position_embeddings=131072,
                          rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 32.0,
                                           "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                           "original_max_position_embeddings": 8192}),
    # Explicit head_dim different from hidden/heads, llama3 with legacy `type` key.
    "explicit_head_dim_legacy_type": dict(BASE, hidden_size=64, num_attention_heads=4, head_dim=32,
                                          max_position_embeddings=4096, rope_theta=10000.0,
                                          rope_scaling={"type": "llama3", "factor": 4.0, "low_freq_factor": 1.0,
                                                        "high_freq_factor": 2.0,
                                                        "original_max_position_embeddings": 256}),
    "linear_v4": dict(BASE, hidden_size=256, num_attention_heads=4, max_position_embeddings=8192,
                      rope_theta=10000.0, rope_scaling={"rope_type": "linear", "factor": 4.0}),
    "default_v4": dict(BASE, hidden_size=256, num_attention_heads=4, max_position_embeddings=2048,
                       rope_theta=10000.0),
}


def scaling_of(cfg: dict) -> dict:
    params = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}
    return dict(params, rope_theta=params.get("rope_theta", cfg.get("rope_theta", 10000.0)),
                rope_type=params.get("rope_type", params.get("type", "default")))


def float64_formula(cfg: dict) -> list:
    """formats-and-api.md §C.2, in float64."""
    p = scaling_of(cfg)
    d = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    inv = 1.0 / (p["rope_theta"] ** (np.arange(0, d, 2, dtype=np.float64) / d))
    if p["rope_type"] == "linear":
        return list(inv / p["factor"])
    if p["rope_type"] != "llama3":
        return list(inv)
    ctx, lo, hi, f = p["original_max_position_embeddings"], p["low_freq_factor"], p["high_freq_factor"], p["factor"]
    out = []
    for x in inv:
        w = 2 * math.pi / x
        if w < ctx / hi:
            out.append(x)
        elif w > ctx / lo:
            out.append(x / f)
        else:
            s = (ctx / w - lo) / (hi - lo)
            out.append((1 - s) * x / f + s * x)
    return out


def main():
    golden = {"transformers": transformers.__version__, "torch": torch.__version__, "cases": {}}
    for name, cfg in CASES.items():
        config = LlamaConfig(**{k: v for k, v in cfg.items() if k != "model_type"})
        rope_type = scaling_of(cfg)["rope_type"]
        inv_freq = LlamaRotaryEmbedding(config=config).inv_freq
        if rope_type in ROPE_INIT_FUNCTIONS:
            direct, _attention_factor = ROPE_INIT_FUNCTIONS[rope_type](config, "cpu")
            assert torch.equal(direct, inv_freq), name
        golden["cases"][name] = {
            "config": cfg,
            "rope_type": rope_type,
            "inv_freq_torch_float32": [float(x) for x in inv_freq.tolist()],
            "inv_freq_float64": [float(x) for x in float64_formula(cfg)],
        }
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "rope", "rope_golden.json")
    with open(out, "w") as f:
        json.dump(golden, f, indent=1)
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
