#!/usr/bin/env python3
"""Generate slora's golden Llama + LoRA fixtures (Tests/Fixtures/models/).

The oracle is HF transformers (eager attention, float32) + PEFT LoRA. For each tiny random Llama model it writes
  <model>/config.json, model.safetensors, generation_config.json      (transformers save_pretrained)
  <model>/adapters/<name>/adapter_config.json, adapter_model.safetensors (PEFT save_pretrained)
  <model>/golden.safetensors + golden.json                              (reference logits / greedy tokens)
See Tests/Fixtures/models/README.md for the schema.

Run:  /opt/fixenv/bin/python scripts/make_fixtures.py   (from the repo root or anywhere)
Made with: python 3.11.7, torch 2.15.0+cu132 (CPU), transformers 5.24.0, peft 0.21.2, safetensors 0.8.0,
numpy 2.4.6. Deterministic: seeded, single-threaded CPU; rerunning on the same stack gives identical files.
"""

from __future__ import annotations

import copy
import json
import math
import os
import platform
import re
import shutil
import sys
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")   # no network: PEFT otherwise probes the Hub for base_model_name_or_path
warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", message=".*(remote file|Could not find a config file).*")

import numpy as np
import safetensors
import torch
import transformers
import peft
from peft import LoraConfig, PeftModel, get_peft_model
from peft.tuners.lora import LoraLayer
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

SEED = 20240601
FORMAT_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "models"

VOCAB = 256
PROMPT_LEN = 7                      # mixed-batch prompts: 5 rows of equal length
DECODE_STEPS = 8
CONT_LENGTHS = [3, 5, 9, 12, 17]    # ragged prompts for the per-adapter continuations
CONT_NEW_TOKENS = 12
LORA_DELTA_RATIO = 0.15             # ||scaling * B @ A||_F / ||W||_F after rescaling B, per module
LINEAR_STD = 0.2                    # base linears; smaller (0.08) made the tied model just repeat its last token
EMBED_STD = 0.1                     # embeddings / lm_head (tied: the same matrix)
MIN_MARGIN = 5e-3                   # required top1 - top2 logit gap for every greedy choice recorded
EOS_TOKEN = 2                       # LlamaConfig default eos_token_id; fixtures avoid it (see pick_prompts)
ROW_ADAPTERS = [None, "r4-qv", "r8-attn", "r16-pattern", "r64-rslora"]

ALL7 = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

MODELS = {
    "mha-untied": dict(
        config=dict(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    num_key_value_heads=4, intermediate_size=128, tie_word_embeddings=False,
                    rope_theta=10000.0, rms_norm_eps=1e-5, max_position_embeddings=128),
        # config.json kept exactly as transformers 5 writes it ("rope_parameters", "dtype").
        legacy_config=False,
    ),
    "gqa-tied-llama3": dict(
        config=dict(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    num_key_value_heads=2, head_dim=32, intermediate_size=160, tie_word_embeddings=True,
                    rope_theta=500000.0,
                    rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                      original_max_position_embeddings=16),
                    rms_norm_eps=1e-5, max_position_embeddings=128),
        # config.json rewritten to the Hub's Llama-3 layout ("rope_theta" + "rope_scaling", "torch_dtype"),
        # verified to load back to identical rope frequencies.
        legacy_config=True,
    ),
}

ADAPTERS = {
    "r4-qv": dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]),
    "r8-attn": dict(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"]),
    "r16-pattern": dict(r=16, lora_alpha=16, target_modules=ALL7,
                        rank_pattern={"down_proj": 4, "layers.1.self_attn.k_proj": 2},
                        alpha_pattern={"up_proj": 32}),
    "r64-rslora": dict(r=64, lora_alpha=16, use_rslora=True, target_modules="all-linear"),
}


# MARK: - helpers

def log(*a):
    print(*a, flush=True)


def versions() -> dict:
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "safetensors": safetensors.__version__,
        "numpy": np.__version__,
    }


def dump_json(obj, path: Path):
    """Indented JSON, but arrays of scalars kept on one line (readable token lists)."""
    text = json.dumps(obj, indent=2, sort_keys=False)

    def collapse(m):
        one = json.dumps(json.loads(m.group(0)))
        return one if len(one) <= 160 else m.group(0)

    text = re.sub(r"\[\s*((?:-?[0-9.eE+-]+|null|true|false|\"[^\"\n]*\")(?:,\s*(?:-?[0-9.eE+-]+|null|true|false|\"[^\"\n]*\"))*)\s*\]",
                  collapse, text)
    path.write_text(text + "\n")


def margins(logits: torch.Tensor) -> torch.Tensor:
    """top1 - top2 over the last dim."""
    top = torch.topk(logits, 2, dim=-1).values
    return top[..., 0] - top[..., 1]


def reinit_base(model: LlamaForCausalLM, gen: torch.Generator):
    """Normal(0, LINEAR_STD) linears, Normal(0, EMBED_STD) embeddings/lm_head, norm weights 1 + Normal(0, 0.1)."""
    with torch.no_grad():
        for name, p in model.named_parameters():   # tied lm_head is not listed separately
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            elif "embed_tokens" in name or "lm_head" in name:
                p.copy_(EMBED_STD * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(LINEAR_STD * torch.randn(p.shape, generator=gen))


def rewrite_config_legacy(path: Path):
    """transformers-5 'rope_parameters' -> Hub-style top-level rope_theta + rope_scaling; dtype -> torch_dtype."""
    cfg = json.loads(path.read_text())
    rp = cfg.pop("rope_parameters")
    out = {}
    for k, v in cfg.items():
        if k == "dtype":
            out["torch_dtype"] = v
        else:
            out[k] = v
    out["rope_theta"] = rp["rope_theta"]
    scaling = {k: v for k, v in rp.items() if k != "rope_theta"}
    out["rope_scaling"] = scaling if scaling.get("rope_type", "default") != "default" else None
    out = dict(sorted(out.items()))
    path.write_text(json.dumps(out, indent=2) + "\n")


def load_base(mdir: Path) -> LlamaForCausalLM:
    m = LlamaForCausalLM.from_pretrained(mdir, dtype=torch.float32, attn_implementation="eager")
    m.eval()
    return m


# MARK: - building

def build_model(name: str, spec: dict, mdir: Path) -> LlamaForCausalLM:
    cfg = LlamaConfig(**spec["config"], attn_implementation="eager")
    torch.manual_seed(SEED)
    model = LlamaForCausalLM(cfg).to(torch.float32).eval()
    gen = torch.Generator().manual_seed(SEED + sum(map(ord, name)))
    reinit_base(model, gen)
    model.save_pretrained(mdir, safe_serialization=True)
    ref_inv_freq = model.model.rotary_emb.inv_freq.clone()
    if spec["legacy_config"]:
        rewrite_config_legacy(mdir / "config.json")
    loaded = load_base(mdir)
    assert torch.equal(loaded.model.rotary_emb.inv_freq, ref_inv_freq), "rope frequencies changed on reload"
    for (n1, p1), (n2, p2) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert n1 == n2 and torch.equal(p1, p2), f"weight {n1} changed on reload"
    if cfg.tie_word_embeddings:
        assert loaded.lm_head.weight.data_ptr() == loaded.model.embed_tokens.weight.data_ptr()
    return loaded


def build_adapter(base: LlamaForCausalLM, model_name: str, aname: str, spec: dict, adir: Path, k: int):
    torch.manual_seed(SEED + 1000 * (k + 1) + sum(map(ord, model_name)))
    cfg = LoraConfig(task_type="CAUSAL_LM", init_lora_weights=False, lora_dropout=0.0, bias="none", **spec)
    pm = get_peft_model(copy.deepcopy(base), cfg)
    pm.peft_config["default"].base_model_name_or_path = model_name
    with torch.no_grad():
        for mod in pm.modules():
            if isinstance(mod, LoraLayer) and "default" in mod.lora_A:
                W = mod.get_base_layer().weight
                A = mod.lora_A["default"].weight          # [r, in]
                B = mod.lora_B["default"].weight          # [out, r]
                delta = mod.scaling["default"] * (B @ A)  # [out, in]
                B.mul_(LORA_DELTA_RATIO * W.norm() / delta.norm())
    pm.save_pretrained(adir, safe_serialization=True)
    readme = adir / "README.md"
    if readme.exists():
        readme.unlink()
    # PEFT stores target_modules from a Python set: order depends on PYTHONHASHSEED. Sort it for reproducibility.
    acfg_path = adir / "adapter_config.json"
    acfg = json.loads(acfg_path.read_text())
    if isinstance(acfg.get("target_modules"), list):
        acfg["target_modules"] = sorted(acfg["target_modules"])
    acfg_path.write_text(json.dumps(acfg, indent=2, sort_keys=True))


def lora_module_table(pm: PeftModel, aname: str) -> dict:
    """module path (no 'base_model.model.' prefix) -> r, alpha, scaling as PEFT resolved them."""
    table = {}
    for mname, mod in pm.named_modules():
        if isinstance(mod, LoraLayer) and aname in mod.lora_A:
            key = mname.removeprefix("base_model.model.")
            table[key] = {"r": int(mod.r[aname]), "alpha": float(mod.lora_alpha[aname]),
                          "scaling": float(mod.scaling[aname])}
    return table


# MARK: - oracle runs

def run_mixed(pm: PeftModel, prompts: torch.Tensor, names: list[str]):
    """Prefill the batch, then DECODE_STEPS greedy steps through the KV cache, adapter_names on every call."""
    with torch.no_grad():
        out = pm(input_ids=prompts, use_cache=True, adapter_names=names)
        prefill = out.logits.float()                                  # [B, T, V]
        pkv = out.past_key_values
        tok = prefill[:, -1].argmax(-1)                               # [B]
        toks, steps = [], []
        for _ in range(DECODE_STEPS):
            toks.append(tok)
            out = pm(input_ids=tok[:, None], past_key_values=pkv, use_cache=True, adapter_names=names)
            pkv = out.past_key_values
            step = out.logits[:, -1].float()                          # [B, V]
            steps.append(step)
            tok = step.argmax(-1)
    return prefill, torch.stack(steps), torch.stack(toks, dim=1)     # [B,T,V], [S,B,V], [B,S]


def run_single(pm: PeftModel, adapter: str | None, prompt: torch.Tensor, fed: torch.Tensor):
    """One row alone with only its adapter active (or adapters disabled); feeds the given tokens."""
    def go():
        with torch.no_grad():
            out = pm(input_ids=prompt[None], use_cache=True)
            pre = out.logits[0].float()
            pkv = out.past_key_values
            steps = []
            for t in fed.tolist():
                out = pm(input_ids=torch.tensor([[t]]), past_key_values=pkv, use_cache=True)
                pkv = out.past_key_values
                steps.append(out.logits[0, -1].float())
        return pre, torch.stack(steps)
    if adapter is None:
        with pm.disable_adapter():
            return go()
    pm.set_adapter(adapter)
    return go()


def run_continuation(pm: PeftModel, adapter: str | None, prompt: torch.Tensor):
    """generate() greedy; returns new ids and the min top1-top2 margin from a full re-forward (cache cross-check)."""
    def go():
        with torch.no_grad():
            ids = pm.generate(input_ids=prompt[None], attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                              max_new_tokens=CONT_NEW_TOKENS, min_new_tokens=CONT_NEW_TOKENS, do_sample=False,
                              eos_token_id=None, pad_token_id=0, temperature=None, top_p=None, top_k=None)
            new = ids[0, len(prompt):]
            full = pm(input_ids=ids[:, :-1]).logits[0].float()       # [T+11, V]
            pred = full[len(prompt) - 1:]                             # logits predicting each new token
            assert torch.equal(pred.argmax(-1), new), "generate() disagrees with full-forward argmax"
            return new, float(margins(pred).min())
    if adapter is None:
        with pm.disable_adapter():
            return go()
    pm.set_adapter(adapter)
    return go()


def pick_prompts(pm: PeftModel, gen: torch.Generator):
    """Draw prompts until every recorded greedy choice has margin >= MIN_MARGIN, no EOS is produced, and every
    adapter's greedy tokens differ from the base model's on the same prompt (mixed batch and continuation)."""
    names = [a if a is not None else "__base__" for a in ROW_ADAPTERS]
    for attempt in range(500):
        prompts = torch.randint(3, VOCAB, (len(ROW_ADAPTERS), PROMPT_LEN), generator=gen)
        prefill, dec, toks = run_mixed(pm, prompts, names)
        m = min(float(margins(prefill[:, -1]).min()), float(margins(dec[:-1]).min()))
        if m < MIN_MARGIN or (toks == EOS_TOKEN).any():
            continue
        _, _, base_toks = run_mixed(pm, prompts, ["__base__"] * len(names))
        if any(torch.equal(base_toks[i], toks[i]) for i in range(1, len(names))):
            continue
        conts = []
        ok = True
        for a, L in zip(ROW_ADAPTERS, CONT_LENGTHS):
            p = torch.randint(3, VOCAB, (L,), generator=gen)
            new, cm = run_continuation(pm, a, p)
            if cm < MIN_MARGIN or (new == EOS_TOKEN).any():
                ok = False
                break
            if a is not None and torch.equal(run_continuation(pm, None, p)[0], new):
                ok = False
                break
            conts.append((a, p, new, cm))
        if ok:
            return attempt, names, prompts, prefill, dec, toks, m, conts
    raise RuntimeError("could not find prompts with clear greedy margins")


# MARK: - main

def make_model(mname: str, spec: dict):
    mdir = ROOT / mname
    if mdir.exists():
        shutil.rmtree(mdir)
    mdir.mkdir(parents=True)
    base = build_model(mname, spec, mdir)
    for k, (aname, aspec) in enumerate(ADAPTERS.items()):
        build_adapter(base, mname, aname, aspec, mdir / "adapters" / aname, k)

    # Reload everything from disk: the oracle sees exactly the files the Swift side loads.
    base = load_base(mdir)
    anames = list(ADAPTERS)
    pm = PeftModel.from_pretrained(base, mdir / "adapters" / anames[0], adapter_name=anames[0])
    for a in anames[1:]:
        pm.load_adapter(mdir / "adapters" / a, adapter_name=a)
    pm.eval()
    tables = {a: lora_module_table(pm, a) for a in anames}

    gen = torch.Generator().manual_seed(SEED + 7 + sum(map(ord, mname)))
    attempt, names, prompts, prefill, dec, toks, margin, conts = pick_prompts(pm, gen)

    # Sanity: each mixed-batch row equals that row run alone with only its adapter.
    worst = 0.0
    for i, a in enumerate(ROW_ADAPTERS):
        pre1, dec1 = run_single(pm, a, prompts[i], toks[i])
        d = max(float((pre1 - prefill[i]).abs().max()), float((dec1 - dec[:, i]).abs().max()))
        worst = max(worst, d)
        log(f"  [{mname}] row {i} ({a or 'base'}): mixed vs alone max|diff| = {d:.3e}")
    assert worst < 1e-4, f"mixed batch disagrees with single-adapter runs ({worst})"

    # Summary: how much adapters change things.
    base_toks = toks[0]
    maxlogit = max(float(prefill.abs().max()), float(dec.abs().max()))
    log(f"  [{mname}] prompt attempt {attempt}; max|logit| = {maxlogit:.3f}; min greedy margin = {margin:.4f}")
    for i, a in enumerate(ROW_ADAPTERS[1:], start=1):
        # Same prompt through base for a fair comparison.
        with pm.disable_adapter(), torch.no_grad():
            bl = pm(input_ids=prompts[i:i + 1]).logits[0].float()
        rel = float((prefill[i] - bl).norm() / bl.norm())
        _, _, btoks = run_mixed(pm, prompts[i:i + 1], ["__base__"])
        ndiff = int((btoks[0] != toks[i]).sum())
        log(f"  [{mname}] {a:12s}: prefill logits rel change vs base {rel:.2f}; "
            f"decode tokens differing from base {ndiff}/{DECODE_STEPS}")
    base_cont = {}
    for a, p, new, cm in conts:
        if a is None:
            continue
        bnew, _ = run_continuation(pm, None, p)
        base_cont[a] = int((bnew != new).sum())
    log(f"  [{mname}] continuation tokens differing from base (same prompt): "
        + ", ".join(f"{a or 'base'}={n}/{CONT_NEW_TOKENS}" for a, n in base_cont.items()))

    # Write golden files.
    save_file({
        "prompts": prompts.to(torch.int32).contiguous(),
        "prefill_logits": prefill.contiguous(),
        "decode_logits": dec.contiguous(),
        "decode_tokens": toks.to(torch.int32).contiguous(),
    }, str(mdir / "golden.safetensors"), metadata={"format": "pt"})

    cfg = json.loads((mdir / "config.json").read_text())
    golden = {
        "format_version": FORMAT_VERSION,
        "model": mname,
        "seed": SEED,
        "versions": versions(),
        "oracle": "transformers LlamaForCausalLM (attn_implementation=eager, float32, CPU) + PEFT LoRA",
        "config_layout": "hub-legacy (rope_theta + rope_scaling, torch_dtype)" if spec["legacy_config"]
                         else "transformers-5 (rope_parameters, dtype)",
        "vocab_size": cfg["vocab_size"],
        "adapters": anames,
        "adapter_modules": tables,
        "mixed_batch": {
            "tensors_file": "golden.safetensors",
            "row_adapters": list(ROW_ADAPTERS),
            "peft_adapter_names": names,
            "prompt_length": PROMPT_LEN,
            "decode_steps": DECODE_STEPS,
            "prompts": prompts.tolist(),
            "decode_tokens": toks.tolist(),
            "tensors": {
                "prompts": {"dtype": "I32", "shape": list(prompts.shape)},
                "prefill_logits": {"dtype": "F32", "shape": list(prefill.shape)},
                "decode_logits": {"dtype": "F32", "shape": list(dec.shape)},
                "decode_tokens": {"dtype": "I32", "shape": list(toks.shape)},
            },
            "semantics": [
                "prefill_logits[b, t] = logits after prompts[b, 0...t] (position t); [b, T-1] predicts decode_tokens[b, 0].",
                "decode_tokens[b, 0] = argmax(prefill_logits[b, T-1]).",
                "Step s (0..S-1) feeds decode_tokens[b, s] at position T+s through the KV cache; decode_logits[s, b] "
                "are the logits of that forward.",
                "decode_tokens[b, s+1] = argmax(decode_logits[s, b]) for s < S-1; argmax(decode_logits[S-1, b]) "
                "is the next token, not recorded.",
                "Rows run together in one batch; each row uses only its own adapter (null = base model).",
            ],
            "min_greedy_margin": round(margin, 6),
        },
        "continuations": [
            {"adapter": a, "prompt": p.tolist(), "generated": new.tolist(), "min_greedy_margin": round(cm, 6)}
            for a, p, new, cm in conts
        ],
        "continuations_semantics": (
            f"generate(max_new_tokens={CONT_NEW_TOKENS}, do_sample=False) greedy, one prompt alone with only that "
            "adapter active (null = adapters disabled); EOS stopping disabled (no EOS id appears anyway). "
            "'generated' excludes the prompt."),
        "eos_token_id": EOS_TOKEN,
        "tolerance_hint": {"logits_abs": 1e-4},
    }
    dump_json(golden, mdir / "golden.json")


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    log("versions:", versions())
    ROOT.mkdir(parents=True, exist_ok=True)
    for mname, spec in MODELS.items():
        log(f"== {mname}")
        make_model(mname, spec)
    total = sum(f.stat().st_size for f in ROOT.rglob("*") if f.is_file())
    log(f"total fixture size under {ROOT}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
