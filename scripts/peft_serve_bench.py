#!/usr/bin/env python3
"""The peer side by side for `slora bench serve` (issue 6): HF transformers + PEFT serving the same workload.

Reads a trace written by `slora bench serve --write-trace FILE` (JSONL: arrival, adapter (null = base),
prompt_len, output_len), builds a Llama model with random bf16 weights directly on the device (LlamaConfig shaped
like huggyllama/llama-7b by default; no download), adds dummy LoRA adapters on q/k/v/o with the trace's ranks, and
replays the trace in real time through a simple FCFS batching loop, as S-LoRA's PEFT baseline does: whenever the
model is idle it takes up to --max-batch arrived requests in arrival order and runs one `generate` call with PEFT's
per-row mixed-adapter inference (`adapter_names=`), greedy, end-of-sequence ignored, max_new_tokens = the largest
output length in the batch. Each row's first token is timed at the end of the prefill step, its end at the step
where its own output length is reached (the generous, streaming view of a static batch).

Writes a JSON report of the same shape as `slora bench serve --output` (Sources/slora/ServeBenchReport.swift:
settings / summary / engine / requests), figures counted as Sources/Workload/ServeSummary.swift counts them.
A wall-clock limit (--max-seconds) stops the run: requests unfinished at the limit count as failed (not completed,
SLO missed), and the wall time is the limit, so throughput = completed / elapsed.

Adapters: PEFT keeps one module per adapter and its mixed-batch forward loops over the distinct adapters of a batch,
so creating n = 1000 adapters would only cost set-up time. By default at most --distinct (32) distinct adapters
are made per rank and adapter id i maps onto distinct adapter (i // ranks) mod distinct of its rank; a batch of
32 then holds at most 32 distinct adapters, as with 32 of n ≫ 32 ids. The report says so in its notes.

Versions used: torch 2.11 / transformers 5.17 / peft 0.21 on the GPU machine (tested on the CPU with torch 2.15,
transformers 5.24, peft 0.21.2 and --tiny).

    python3 scripts/peft_serve_bench.py --trace t.jsonl --output peft.json [--max-seconds 240] [--tiny --device cpu]
"""

import argparse
import json
import math
import os
import sys
import time

import torch

S1, S2, S4 = [8], [8, 16, 32, 64], [16, 32, 64]
RANK_SETS = {"S1": S1, "S2": S2, "S4": S4}


# MARK: - Arguments

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trace", required=True, help="JSONL trace from `slora bench serve --write-trace`")
    p.add_argument("--output", required=True, help="JSON report (ServeBenchReport shape)")
    p.add_argument("--rank-set", default="S1", choices=sorted(RANK_SETS), help="adapter i gets ranks[i mod count]")
    p.add_argument("--adapters", type=int, default=None, help="n (default: highest adapter id in the trace + 1)")
    p.add_argument("--distinct", type=int, default=32, help="most distinct PEFT adapters made per rank")
    p.add_argument("--max-batch", type=int, default=32, help="FCFS batch size (S-LoRA's PEFT baseline: 32)")
    p.add_argument("--max-seconds", type=float, default=240.0, help="wall-clock limit of the replay")
    p.add_argument("--slo", type=float, default=6.0, help="first-token deadline, seconds")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--tiny", action="store_true", help="a tiny Llama (2 layers, hidden 256) for testing on the CPU")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--per-request", action="store_true", help="include every request's outcome")
    p.add_argument("--rate", type=float, default=None, help="the workload's rate, for the report (default: from the trace)")
    p.add_argument("--cv", type=float, default=1.0, help="the workload's cv, for the report")
    p.add_argument("--alpha", type=float, default=1.0, help="the workload's α, for the report")
    p.add_argument("--workload-seed", type=int, default=42, help="the workload's seed, for the report")
    return p.parse_args(argv)


def read_trace(path):
    requests = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            if r.get("prompt_len", 0) < 1 or r.get("output_len", 0) < 1 or r.get("arrival", -1) < 0:
                raise SystemExit(f"{path}:{number}: bad request {line}")
            requests.append({"arrival": float(r["arrival"]), "adapter": r.get("adapter"),
                             "prompt_len": int(r["prompt_len"]), "output_len": int(r["output_len"])})
    requests.sort(key=lambda r: r["arrival"])
    for i, r in enumerate(requests):
        r["index"] = i
    return requests


# MARK: - Model and adapters

def llama_config(tiny):
    from transformers import LlamaConfig
    if tiny:
        return LlamaConfig(vocab_size=1000, hidden_size=256, intermediate_size=688, num_hidden_layers=2,
                           num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=2048,
                           rms_norm_eps=1e-6)
    # huggyllama/llama-7b's config.json
    return LlamaConfig(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                       num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=2048,
                       rms_norm_eps=1e-6, hidden_act="silu", bos_token_id=1, eos_token_id=2, pad_token_id=0)


def build_model(args, adapter_ranks):
    """Random bf16 (f32 on the CPU) Llama made on the device, wrapped by PEFT with the distinct adapters.

    Returns (model, name_of_adapter_id: dict id -> PEFT adapter name, distinct count)."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    dtype = torch.bfloat16 if args.device.startswith("cuda") else torch.float32
    config = llama_config(args.tiny)
    torch.manual_seed(args.seed)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(args.device):
            model = LlamaForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    model.eval()
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    model.generation_config.bos_token_id = None

    # Distinct adapters: per rank, ids of that rank in order, folded onto `distinct` names.
    names = {}
    made = []  # (name, rank)
    per_rank_count = {}
    for adapter_id, rank in sorted(adapter_ranks.items()):
        k = per_rank_count.get(rank, 0)
        per_rank_count[rank] = k + 1
        slot = k % max(1, args.distinct)
        name = f"r{rank}_{slot}"
        if slot == k:
            made.append((name, rank))
        names[adapter_id] = name
    if not made:
        return model, names, 0
    targets = ["q_proj", "k_proj", "v_proj", "o_proj"]
    peft_model = None
    for name, rank in made:
        cfg = LoraConfig(r=rank, lora_alpha=rank, target_modules=targets, lora_dropout=0.0, bias="none",
                         init_lora_weights=False)
        if peft_model is None:
            peft_model = get_peft_model(model, cfg, adapter_name=name)
        else:
            peft_model.add_adapter(name, cfg)
    # S-LoRA's dummy LoRA values: (rand*2-1)*1e-3 (slora-and-peers.md §1.8).
    with torch.no_grad():
        for pname, param in peft_model.named_parameters():
            if "lora_" in pname:
                param.copy_((torch.rand_like(param, dtype=torch.float32) * 2 - 1).to(param.dtype) * 1e-3)
    peft_model.eval()
    return peft_model, names, len(made)


# MARK: - Serving loop

class StepClock:
    """StoppingCriteria: records the time of every decode step and stops each row at its own output length,
    and every row at the deadline."""

    def __init__(self, prompt_width, output_lens, deadline, sync):
        self.prompt_width = prompt_width
        self.output_lens = output_lens
        self.deadline = deadline
        self.sync = sync
        self.times = []  # times[k] = when token k+1 of every row exists
        self.hit_deadline = False

    def __call__(self, input_ids, scores, **kwargs):
        if self.sync:
            torch.cuda.synchronize()
        now = time.perf_counter()
        self.times.append(now)
        generated = input_ids.shape[1] - self.prompt_width
        done = torch.tensor([generated >= n for n in self.output_lens], device=input_ids.device)
        if now >= self.deadline:
            self.hit_deadline = True
            done = torch.ones_like(done)
        return done


def serve(args, model, names, requests):
    from transformers import StoppingCriteriaList

    device = args.device
    sync = device.startswith("cuda")
    generator = torch.Generator().manual_seed(args.seed + 0x5EED)
    vocab = model.config.vocab_size
    prompts = [torch.randint(3, vocab, (r["prompt_len"],), generator=generator) for r in requests]

    from peft import PeftModel
    is_peft = isinstance(model, PeftModel)
    outcomes = [None] * len(requests)
    origin = time.perf_counter() + 0.02
    deadline = origin + args.max_seconds
    next_index = 0
    batches = 0
    batch_sizes = []
    steps = 0
    while next_index < len(requests):
        now = time.perf_counter()
        if now >= deadline:
            break
        due = origin + requests[next_index]["arrival"]
        if due > now:
            time.sleep(min(due - now, deadline - now))
            continue
        # FCFS: every arrived request, up to max_batch, in arrival order.
        batch = []
        while next_index < len(requests) and len(batch) < args.max_batch \
                and origin + requests[next_index]["arrival"] <= now:
            batch.append(requests[next_index])
            next_index += 1
        width = max(r["prompt_len"] for r in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)  # [batch, width], left padded
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, r in enumerate(batch):
            ids[row, width - r["prompt_len"]:] = prompts[r["index"]]
            mask[row, width - r["prompt_len"]:] = 1
        output_lens = [r["output_len"] for r in batch]
        clock = StepClock(width, output_lens, deadline, sync)
        kwargs = {}
        if is_peft:
            kwargs["adapter_names"] = [names[r["adapter"]] if r["adapter"] is not None else "__base__" for r in batch]
        with torch.inference_mode():
            model.generate(input_ids=ids.to(device), attention_mask=mask.to(device), do_sample=False,
                           max_new_tokens=max(output_lens), min_new_tokens=1,
                           stopping_criteria=StoppingCriteriaList([clock]), **kwargs)
        batches += 1
        batch_sizes.append(len(batch))
        steps += len(clock.times)
        for r in batch:
            got = min(len(clock.times), r["output_len"])
            first = clock.times[0] - origin if clock.times else None
            finished = (clock.times[got - 1] - origin) if got > 0 else time.perf_counter() - origin
            complete = got >= r["output_len"]
            # Latency counts from the client's send, the arrival: the wait in the FCFS queue is part of it.
            outcomes[r["index"]] = outcome(r, r["arrival"], r["arrival"], first, finished, got,
                                           "completed" if complete else "failed",
                                           None if complete else f"stopped by the {args.max_seconds:g} s limit after {got} tokens")
    end = time.perf_counter() - origin
    unsent = 0
    for r in requests:
        if outcomes[r["index"]] is None:
            unsent += 1
            at = min(r["arrival"], end)
            outcomes[r["index"]] = outcome(r, r["arrival"], at, None, at, 0, "failed",
                                           f"not started by the {args.max_seconds:g} s limit")
    limited = any(o["status"] != "completed" for o in outcomes)
    wall = args.max_seconds if limited else max(o["finished"] for o in outcomes) if outcomes else 0.0
    # Every generated token, unfinished rows too (the raw decoding rate; the summary counts completed ones).
    all_tokens = sum(o["generatedTokens"] for o in outcomes)
    stats = {"allGeneratedTokensPerSecond": all_tokens / wall if wall > 0 else 0.0, "batches": batches, "decodeSteps": steps, "meanBatch": (sum(batch_sizes) / batches) if batches else 0,
             "unstartedAtLimit": unsent, "stoppedByLimit": limited}
    return outcomes, wall, stats


def outcome(r, scheduled, sent, first, finished, generated, status, error):
    o = {"index": r["index"], "promptLength": r["prompt_len"], "outputLength": r["output_len"], "scheduled": scheduled,
         "sent": sent, "finished": finished, "generatedTokens": generated, "status": status}
    if r["adapter"] is not None:
        o["adapter"] = r["adapter"]
    if first is not None:
        o["firstToken"] = first
    if error is not None:
        o["error"] = error
    return o


# MARK: - Summary (as Sources/Workload/ServeSummary.swift)

def mean(values):
    return sum(values) / len(values) if values else 0.0


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = p / 100 * (len(sorted_values) - 1)
    low = int(math.floor(rank))
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def summarize(outcomes, slo, wall):
    completed = [o for o in outcomes if o["status"] == "completed"]
    first = sorted(o["firstToken"] - o["sent"] for o in completed if "firstToken" in o)

    def ttft(o):
        return o["firstToken"] - o["sent"] if "firstToken" in o else None

    rewards = []
    met = 0
    for o in outcomes:
        t = ttft(o)
        if o["status"] == "completed" and t is not None and t < slo:
            rewards.append(1 - (t / slo) ** 2)
            met += 1
        else:
            rewards.append(0.0)
    return {
        "requestCount": len(outcomes), "completedCount": len(completed),
        "abortedCount": sum(o["status"] == "aborted" for o in outcomes),
        "failedCount": sum(o["status"] == "failed" for o in outcomes),
        "wallSeconds": wall,
        "requestsPerSecond": len(completed) / wall if wall > 0 else 0.0,
        "generatedTokensPerSecond": sum(o["generatedTokens"] for o in completed) / wall if wall > 0 else 0.0,
        "averageLatency": mean([o["finished"] - o["sent"] for o in completed]),
        "averageLatencyPerOutputToken": mean([(o["finished"] - o["sent"]) / max(1, o["generatedTokens"]) for o in completed]),
        "firstTokenAverage": mean(first), "firstTokenP50": percentile(first, 50),
        "firstTokenP90": percentile(first, 90), "firstTokenP99": percentile(first, 99),
        "slo": slo, "sloAttainment": met / len(outcomes) if outcomes else 0.0,
        "userSatisfaction": mean(rewards),
        "maxSendLag": max((o["sent"] - o["scheduled"] for o in outcomes), default=0.0),
    }


# MARK: - Main

def main(argv=None):
    args = parse_args(argv)
    requests = read_trace(args.trace)
    if not requests:
        raise SystemExit(f"{args.trace}: no requests")
    ranks = RANK_SETS[args.rank_set]
    highest = max((r["adapter"] for r in requests if r["adapter"] is not None), default=-1)
    n = max(args.adapters or 0, highest + 1)
    used = sorted({r["adapter"] for r in requests if r["adapter"] is not None})
    adapter_ranks = {i: ranks[i % len(ranks)] for i in used}

    start = time.perf_counter()
    model, names, distinct = build_model(args, adapter_ranks)
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    init_seconds = time.perf_counter() - start
    print(f"model + {distinct} distinct adapters for {len(used)} used ids (n {n}) in {init_seconds:.1f} s; "
          f"{len(requests)} requests; limit {args.max_seconds:g} s", file=sys.stderr, flush=True)

    outcomes, wall, stats = serve(args, model, names, requests)
    summary = summarize(outcomes, args.slo, wall)

    duration = max(r["arrival"] for r in requests)
    rate = args.rate if args.rate else (len(requests) / duration if duration > 0 else 0.0)
    prompts = [r["prompt_len"] for r in requests]
    outputs = [r["output_len"] for r in requests]
    import peft
    import transformers
    device_name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"
    notes = [
        f"HF transformers {transformers.__version__} + PEFT {peft.__version__} (torch {torch.__version__}) on {device_name}: "
        f"generate() with per-row adapter_names (mixed-adapter batches), FCFS batches of up to {args.max_batch}, "
        "greedy, end-of-sequence ignored",
        f"{distinct} distinct PEFT adapters (at most {args.distinct} per rank) for {len(used)} adapter ids of n {n}: "
        "id i of a rank maps onto distinct adapter (i-th id of that rank) mod the cap; dummy values (rand*2-1)*1e-3 "
        "on q/k/v/o",
        "first token at the end of the batch's prefill; a request ends at the step its own output length is reached "
        "(the batch itself runs to its longest output)",
    ]
    if stats["stoppedByLimit"]:
        notes.append(f"stopped by the wall-clock limit of {args.max_seconds:g} s: {summary['requestCount'] - summary['completedCount']} "
                     f"requests unfinished ({stats['unstartedAtLimit']} never started) count as failed; "
                     "throughput = completed / limit")
    report = {
        "settings": {
            "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
            "target": "peft", "device": args.device,
            "model": ("tiny" if args.tiny else "llama-7b") + f" random weights ({'bf16' if args.device.startswith('cuda') else 'f32'}), "
                     f"transformers {transformers.__version__} + peft {peft.__version__}",
            "workload": {"adapterCount": n, "alpha": args.alpha, "rate": rate, "cv": args.cv,
                         "duration": duration, "promptLengths": [min(prompts), max(prompts) + 1],
                         "outputLengths": [min(outputs), max(outputs) + 1], "rankSet": args.rank_set,
                         "seed": args.workload_seed},
            "trace": args.trace, "ablation": "peft", "scheduler": "fcfs", "slo": args.slo,
            "maxRunning": args.max_batch, "notes": notes,
        },
        "summary": summary,
        "peft": dict(stats, initSeconds=init_seconds, distinctAdapters=distinct, maxSeconds=args.max_seconds),
    }
    if args.per_request:
        report["requests"] = outcomes
    with open(args.output + ".tmp", "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
    os.replace(args.output + ".tmp", args.output)
    s = summary
    print("| requests | completed | failed | wall s | req/s | gen tok/s | avg latency s | avg first token s | p90 | SLO attainment |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {s['requestCount']} | {s['completedCount']} | {s['failedCount']} | {s['wallSeconds']:.1f} | "
          f"{s['requestsPerSecond']:.3f} | {s['generatedTokensPerSecond']:.1f} | {s['averageLatency']:.2f} | "
          f"{s['firstTokenAverage']:.2f} | {s['firstTokenP90']:.2f} | {s['sloAttainment']:.2f} |")
    print(f"peft: {stats['batches']} batches (mean {stats['meanBatch']:.1f}), {stats['decodeSteps']} steps, "
          f"{stats['allGeneratedTokensPerSecond']:.1f} tok/s counting unfinished rows")
    for note in notes:
        print("note:", note)


if __name__ == "__main__":
    main()
