#!/usr/bin/env python3
"""Mid-size reference for slora's CUDA backend: a random GQA Llama (>= 1B parameters, bf16) with 8 PEFT
LoRA adapters of mixed ranks, and HF transformers + PEFT logits for ONE mixed batch (a base row and one
row per adapter), prefill and teacher-forced decode, in float32 and in bfloat16, on the GPU.

    python3 scripts/gpu_reference.py --out DIR            # on the GPU machine (~1 min)
    python3 scripts/gpu_reference.py --out DIR --small --device cpu   # a tiny model, to test the script

Writes DIR/model (config.json + model.safetensors, bf16), DIR/adapters/a0..a7 (PEFT save format, bf16),
DIR/golden.safetensors and DIR/golden.json (schema in golden.json["tensors"]), and DIR/torch_lora.json:
a padded torch gather + bmm LoRA (shrink + expand of one 4096-wide projection) timed on the shapes of
issue 5, for comparison with slora's kernels. slora's `gpu-check midsize --reference DIR` compares.

The float32 run is the oracle (bf16 weights upcast exactly); the bfloat16 run shows how far HF's own
bf16 path is from it, the natural scale of bf16 error. Decode feeds the float32 run's greedy tokens to
both, so the two see the same inputs.
Versions used on the GPU machine: torch 2.11, transformers 5.17, peft 0.21, safetensors 0.8 (recorded in
golden.json). Tested here (CPU, --small) with torch 2.15, transformers 5.24, peft 0.21.2.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
import transformers
import peft
import safetensors
from peft import LoraConfig, PeftModel, get_peft_model, get_peft_model_state_dict
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

SEED = 20251129
PROMPT_LEN = 24
DECODE_STEPS = 6
DELTA_RATIO = 0.1  # ||scaling * B @ A||_F / ||W||_F per module after rescaling B

MID = dict(vocab_size=32000, hidden_size=2048, intermediate_size=5632, num_hidden_layers=22,
           num_attention_heads=32, num_key_value_heads=4, max_position_embeddings=2048, rms_norm_eps=1e-5,
           rope_theta=10000.0, tie_word_embeddings=False)
SMALL = dict(vocab_size=1000, hidden_size=256, intermediate_size=512, num_hidden_layers=2, num_attention_heads=8,
             num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5, rope_theta=10000.0,
             tie_word_embeddings=False)

ATTN = ["q_proj", "k_proj", "v_proj", "o_proj"]
ALL7 = ATTN + ["gate_proj", "up_proj", "down_proj"]
# (rank, alpha, targets, rslora): mixed ranks 8–64, different target sets.
ADAPTERS = [
    (8, 16, ["q_proj", "v_proj"], False),
    (16, 16, ATTN, False),
    (32, 64, ALL7, False),
    (64, 32, ALL7, True),
    (8, 8, ["gate_proj", "up_proj", "down_proj"], False),
    (16, 32, ["q_proj", "k_proj", "v_proj", "o_proj", "down_proj"], False),
    (32, 32, ["v_proj", "o_proj", "up_proj"], True),
    (64, 128, ATTN, False),
]


def log(*a):
    print("[gpu_reference]", *a, flush=True)


def versions() -> dict:
    return {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__,
            "safetensors": safetensors.__version__}


def build(out: Path, spec: dict, device: str):
    """Random bf16 base saved to out/model; 8 random adapters saved to out/adapters/a<i>."""
    cfg = LlamaConfig(**spec, attn_implementation="eager")
    torch.manual_seed(SEED)
    with torch.device(device):
        model = LlamaForCausalLM(cfg)
    model = model.to(torch.bfloat16).eval()
    params = sum(p.numel() for p in model.parameters())
    log(f"base: {params / 1e9:.3f} B parameters")
    model.save_pretrained(out / "model", safe_serialization=True)

    pm = None
    for i, (r, alpha, targets, rslora) in enumerate(ADAPTERS):
        name = f"a{i}"
        lcfg = LoraConfig(r=r, lora_alpha=alpha, target_modules=targets, lora_dropout=0.0, bias="none",
                          use_rslora=rslora, init_lora_weights=False, task_type="CAUSAL_LM")
        torch.manual_seed(SEED + 100 + i)
        if pm is None:
            pm = get_peft_model(model, lcfg, adapter_name=name)
        else:
            pm.add_adapter(name, lcfg)
    with torch.no_grad():
        for module in pm.modules():
            if not hasattr(module, "lora_A"):
                continue
            for name in module.lora_A:
                W = module.get_base_layer().weight.float()
                A = module.lora_A[name].weight.float()
                B = module.lora_B[name].weight.float()
                delta = module.scaling[name] * (B @ A)
                module.lora_B[name].weight.copy_((B * (DELTA_RATIO * W.norm() / delta.norm())).to(torch.bfloat16))
    for i in range(len(ADAPTERS)):
        name = f"a{i}"
        adir = out / "adapters" / name
        adir.mkdir(parents=True, exist_ok=True)
        state = get_peft_model_state_dict(pm, adapter_name=name)
        save_file({k: v.contiguous().to(torch.bfloat16).cpu() for k, v in state.items()}, str(adir / "adapter_model.safetensors"),
                  metadata={"format": "pt"})
        pm.peft_config[name].save_pretrained(str(adir))
    del pm, model
    return params


def load(out: Path, dtype, device: str):
    base = LlamaForCausalLM.from_pretrained(out / "model", dtype=dtype, attn_implementation="eager").to(device).eval()
    pm = PeftModel.from_pretrained(base, out / "adapters" / "a0", adapter_name="a0")
    for i in range(1, len(ADAPTERS)):
        pm.load_adapter(out / "adapters" / f"a{i}", adapter_name=f"a{i}")
    return pm.eval()


def run(pm, prompts, names, decode_tokens=None):
    """Prefill the mixed batch, then DECODE_STEPS steps through the KV cache feeding `decode_tokens`
    (or the greedy choice when None). Returns prefill [R, L, V], decode [S, R, V], fed tokens [R, S]."""
    with torch.no_grad():
        out = pm(input_ids=prompts, use_cache=True, adapter_names=names)
        prefill = out.logits.float()
        pkv = out.past_key_values
        tok = prefill[:, -1].argmax(-1)
        fed, steps = [], []
        for s in range(DECODE_STEPS):
            if decode_tokens is not None:
                tok = decode_tokens[:, s]
            fed.append(tok)
            out = pm(input_ids=tok[:, None], past_key_values=pkv, use_cache=True, adapter_names=names)
            pkv = out.past_key_values
            step = out.logits[:, -1].float()
            steps.append(step)
            tok = step.argmax(-1)
    return prefill, torch.stack(steps), torch.stack(fed, dim=1)


def time_torch_lora(device: str) -> list[dict]:
    """Padded gather + bmm LoRA for one 4096 → 4096 projection (shrink + expand), CUDA events."""
    if device != "cuda":
        return []
    shapes = [("batch 32, 32 adapters, rank 8", 32, [8]), ("batch 32, mixed ranks 8-64", 32, [8, 16, 32, 64]),
              ("batch 128, 128 adapters, rank 8", 128, [8]), ("batch 128, mixed ranks 8-64", 128, [8, 16, 32, 64])]
    results = []
    for name, batch, ranks in shapes:
        rmax = max(ranks)
        A = torch.randn(batch, rmax, 4096, device=device, dtype=torch.bfloat16) * 1e-3
        B = torch.randn(batch, 4096, rmax, device=device, dtype=torch.bfloat16) * 1e-3
        x = torch.randn(batch, 4096, device=device, dtype=torch.bfloat16)
        y = torch.zeros(batch, 4096, device=device, dtype=torch.bfloat16)
        index = torch.arange(batch, device=device)

        def step():
            u = torch.bmm(x[:, None, :], A[index].transpose(1, 2))   # [B, 1, rmax]
            y.add_(torch.bmm(u, B[index].transpose(1, 2))[:, 0])     # [B, 4096]

        for _ in range(10):
            step()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(200):
            step()
        end.record()
        torch.cuda.synchronize()
        us = start.elapsed_time(end) * 1000 / 200
        results.append({"shape": name, "torchUs": us})
        log(f"torch gather+bmm {name}: {us:.1f} us")
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--small", action="store_true", help="a tiny model (for testing the script)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    spec = SMALL if args.small else MID
    params = build(out, spec, args.device)
    log(f"built in {time.time() - t0:.1f} s")

    gen = torch.Generator().manual_seed(SEED + 1)
    rows = len(ADAPTERS) + 1
    prompts = torch.randint(3, spec["vocab_size"], (rows, PROMPT_LEN), generator=gen).to(args.device)
    names = ["__base__"] + [f"a{i}" for i in range(len(ADAPTERS))]

    pm = load(out, torch.float32, args.device)
    pre32, dec32, fed = run(pm, prompts, names)
    del pm
    if args.device == "cuda":
        torch.cuda.empty_cache()
    pm = load(out, torch.bfloat16, args.device)
    pre16, dec16, _ = run(pm, prompts, names, decode_tokens=fed)
    del pm
    rel = lambda a, b: float((a - b).abs().max() / b.abs().max())
    log(f"HF bf16 vs f32: prefill {rel(pre16, pre32):.3e}, decode {rel(dec16, dec32):.3e}")

    tensors = {
        "prompts": prompts.int().cpu(), "decode_tokens": fed.int().cpu(),
        "prefill_f32": pre32.cpu().contiguous(), "decode_f32": dec32.cpu().contiguous(),
        "prefill_bf16": pre16.cpu().contiguous(), "decode_bf16": dec16.cpu().contiguous(),
    }
    save_file(tensors, str(out / "golden.safetensors"), metadata={"format": "pt"})
    golden = {
        "format_version": 1, "seed": SEED, "versions": versions(), "device": args.device, "parameters": params,
        "config": spec, "row_adapters": [None] + [f"a{i}" for i in range(len(ADAPTERS))],
        "adapters": [{"name": f"a{i}", "r": r, "alpha": a, "targets": t, "rslora": s} for i, (r, a, t, s) in enumerate(ADAPTERS)],
        "prompt_length": PROMPT_LEN, "decode_steps": DECODE_STEPS,
        "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape)} for k, v in tensors.items()},
        "semantics": [
            "prefill_*[r, t] = logits at prompt position t of row r (one mixed batch, PEFT adapter_names)",
            "decode_*[s, r] = logits after feeding decode_tokens[r, s] at position prompt_length + s",
            "decode_tokens = greedy choices of the float32 run (fed to both runs)",
            "*_f32: weights (bf16 on disk) upcast to float32, eager attention; *_bf16: HF in bfloat16",
        ],
        "hf_bf16_vs_f32": {"prefill": rel(pre16, pre32), "decode": rel(dec16, dec32)},
        "seconds": time.time() - t0,
    }
    (out / "golden.json").write_text(json.dumps(golden, indent=1))
    (out / "torch_lora.json").write_text(json.dumps(time_torch_lora(args.device), indent=1))
    log(f"done in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
