#!/usr/bin/env python3
"""Greedy agreement of slora with transformers' GGUF loader on the demo model (issue 3, item 5).

Both read the same file (models/SmolLM2-135M-Instruct.Q4_1.gguf): transformers dequantizes it to f32
(its GGUF loader, via the `gguf` package) and runs its Llama; slora keeps the Q4_1 blocks and runs its CPU
backend. For each prompt (chat-templated, as a user would send it) we take the prompt ids from
transformers' tokenizer, check that `slora tokenize` gives the same ids for the rendered text, then
compare the first 16 greedy tokens. Where they part, we report the reference's gap between its top
two logits at that step: a gap within quantization noise explains a flip.

Usage: scripts/compare_demo_with_transformers.py [--slora .build/release/slora] [--out docs/agreement.json]
Versions used for the committed results: python 3.11, torch 2.15.0 (CPU), transformers 5.24.0, gguf.
"""
import argparse
import json
import os
import subprocess
import sys

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = [
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "Explain photosynthesis in one sentence.",
    "List three uses of a paperclip.",
    "What is 17 times 3?",
    "Who wrote Romeo and Juliet?",
    "Give me a tip for learning to code.",
]
STEPS = 16
# slora's CPU matmul modes on quantized weights: fast quantizes activations per block (integer dots),
# exact dequantizes the weight rows like transformers does.
MODES = ["fast", "exact"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--slora", default=".build/release/slora")
    ap.add_argument("--model", default="models/SmolLM2-135M-Instruct.Q4_1.gguf")
    ap.add_argument("--out", default="docs/agreement.json")
    args = ap.parse_args()
    directory, name = os.path.split(os.path.abspath(args.model))
    tok = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, torch_dtype=torch.float32)
    model.eval()
    rows = []
    for prompt in PROMPTS:
        text = tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True)
        ids = tok(text, add_special_tokens=False)["input_ids"]
        slora_ids = json.loads(subprocess.check_output(
            [args.slora, "tokenize", "--model", args.model, "--no-special-tokens", text]))
        # Reference: greedy, keeping each step's logits.
        with torch.no_grad():
            out = model.generate(torch.tensor([ids]), max_new_tokens=STEPS, do_sample=False,
                                 output_scores=True, return_dict_in_generate=True, pad_token_id=tok.eos_token_id)
        ref = out.sequences[0, len(ids):].tolist()
        gaps = []
        for s in out.scores:
            top = torch.topk(s[0].float(), 2).values.tolist()
            gaps.append(top[0] - top[1])
        row = {"prompt": prompt, "tokenizer_ids_equal": slora_ids == ids, "reference_tokens": len(ref),
               "reference_text": tok.decode(ref)}
        for mode in MODES:
            got = subprocess.check_output(
                [args.slora, "generate", "--model", args.model, "--device", "cpu", "--quantized-matmul", mode,
                 "--prompt-ids", ",".join(map(str, ids)), "--max-tokens", str(len(ref)), "--temperature", "0"]
            ).decode().strip()
            mine = [int(x) for x in got.split(",") if x]
            matched = 0
            while matched < min(len(ref), len(mine)) and ref[matched] == mine[matched]:
                matched += 1
            row[mode] = {
                "matched": matched, "text": tok.decode(mine),
                "reference_gap_at_first_difference": (gaps[matched] if matched < len(ref) else None),
            }
        row["smallest_reference_gap"] = min(gaps)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    result = {
        "reference": f"transformers {transformers.__version__} GGUF loader (dequantized to f32), torch {torch.__version__}",
        "model": args.model, "steps": STEPS, "rows": rows,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    def gap(v):
        return "-" if v is None else f"{v:.3f}"
    print("| prompt | prompt ids equal | matched (fast) | ref. top-2 gap at 1st difference (fast) "
          "| matched (exact) | ref. top-2 gap at 1st difference (exact) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        f, e = r["fast"], r["exact"]
        print(f"| {r['prompt']} | {r['tokenizer_ids_equal']} | {f['matched']} of {r['reference_tokens']} "
              f"| {gap(f['reference_gap_at_first_difference'])} | {e['matched']} of {r['reference_tokens']} "
              f"| {gap(e['reference_gap_at_first_difference'])} |")


if __name__ == "__main__":
    main()
