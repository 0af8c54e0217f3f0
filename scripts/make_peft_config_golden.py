#!/usr/bin/env python3
"""Golden PEFT LoRA adapter for slora's AdaptersTests (PEFTAdapterConfig / LoRAAdapter).

Builds a tiny random LlamaForCausalLM (explicit head_dim so q/kv/hidden/intermediate widths all differ), wraps it
with a LoraConfig that exercises rank_pattern, alpha_pattern, use_rslora, exclude_modules and "all-linear", and
saves the adapter with PEFT's own save_pretrained. Oracle data in peft_golden.json comes from PEFT's LoraLayer
objects (r, lora_alpha, scaling per module), LoraLayer.get_delta_weight for a few modules, and hashlib's SHA-256
of adapter_config.json + adapter_model.safetensors bytes.

Made with: /opt/fixenv/bin/python (peft 0.21.2, transformers 5.24.0, torch 2.15.0, safetensors 0.8.0).
Run:       /opt/fixenv/bin/python scripts/make_peft_config_golden.py   (from the repo root)
Writes:    Tests/Fixtures/peft-pattern/{adapter_config.json, adapter_model.safetensors, base_config.json,
           peft_golden.json}
"""
import hashlib
import json
import os

import peft
import torch
import transformers
from peft import LoraConfig, get_peft_model
from peft.tuners.lora import LoraLayer
from transformers import LlamaConfig, LlamaForCausalLM

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "peft-pattern")
DELTA_MODULES = ["model.layers.1.self_attn.q_proj", "model.layers.0.mlp.down_proj", "model.layers.1.self_attn.v_proj",
                 "model.layers.0.self_attn.o_proj"]


def main():
    torch.manual_seed(0)
    base_config = LlamaConfig(vocab_size=32, hidden_size=16, intermediate_size=20, num_hidden_layers=2,
                              num_attention_heads=4, num_key_value_heads=2, head_dim=6,
                              max_position_embeddings=64, rope_theta=10000.0)
    model = LlamaForCausalLM(base_config)
    lora_config = LoraConfig(
        r=4, lora_alpha=8, use_rslora=True, target_modules="all-linear", exclude_modules=["layers.0.mlp.up_proj"],
        rank_pattern={"down_proj": 2, "layers.1.self_attn.q_proj": 3},
        alpha_pattern={"v_proj": 16, "layers.0.mlp.gate_proj": 5},
        init_lora_weights=False, task_type="CAUSAL_LM", lora_dropout=0.0,
    )
    peft_model = get_peft_model(model, lora_config)
    os.makedirs(OUT, exist_ok=True)
    peft_model.save_pretrained(OUT)
    readme = os.path.join(OUT, "README.md")  # PEFT's generated model card: not needed
    if os.path.exists(readme):
        os.remove(readme)
    with open(os.path.join(OUT, "base_config.json"), "w") as f:
        f.write(base_config.to_json_string())

    modules = {}
    deltas = {}
    prefix = "base_model.model."
    for name, module in peft_model.named_modules():
        if not isinstance(module, LoraLayer):
            continue
        path = name[len(prefix):] if name.startswith(prefix) else name
        modules[path] = {"r": module.r["default"], "lora_alpha": module.lora_alpha["default"],
                         "scaling": module.scaling["default"]}
        if path in DELTA_MODULES:
            delta = module.get_delta_weight("default").detach().to(torch.float64)  # [out, in]
            deltas[path] = {"shape": list(delta.shape), "values": [float(x) for x in delta.flatten().tolist()]}
    content = b""
    for file in ["adapter_config.json", "adapter_model.safetensors"]:  # LoRAAdapter.contentHash order
        with open(os.path.join(OUT, file), "rb") as f:
            content += f.read()
    golden = {"peft": peft.__version__, "transformers": transformers.__version__, "torch": torch.__version__,
              "modules": modules, "delta_weights": deltas, "content_sha256": hashlib.sha256(content).hexdigest()}
    with open(os.path.join(OUT, "peft_golden.json"), "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
    for file in sorted(os.listdir(OUT)):
        print(file, os.path.getsize(os.path.join(OUT, file)))


if __name__ == "__main__":
    main()
