"""Bounded load test of `slora serve` (issue 4 item 7): 3 rounds of 200 concurrent streaming requests over
20 adapter names, about a fifth of the clients disconnecting mid-stream. The pool is small on purpose
(4 MiB = 512 pages, less than the 20 adapters and 200 requests' KV together), so steps preempt requests
and evict adapters.

After every round: /health is 200, no request is live, the pool holds only resident adapters' pages
(slora:pool_pages_used = slora:pool_adapter_pages on /metrics: no KV page leaked), and the server's
resident memory (VmRSS) does not keep growing (after round 3 at most max(16 MiB, 10%) above after round 1).
At the end every adapter is unloaded and the pool must be exactly empty: every page is back in the free list.

Usage: python load_test.py --slora .build/debug/slora [--results DIR]   (DIR gets load-test.md)
Made with: httpx 0.28.1 (asyncio), tokenizers 0.23.3 (requirements.txt).
"""

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

import httpx

from slora_fixture import ADAPTERS, ADAPTER_NAMES, Server, make_model_dir

CLIENTS = 200
ADAPTER_COUNT = 20
ROUNDS = 3
POOL_MIB = 4


async def one_client(http, rng, adapter, disconnect):
    """One streaming completion; returns 'ok', 'disconnected', or an error string."""
    body = {
        "model": adapter, "prompt": [rng.randrange(3, 256) for _ in range(rng.randrange(4, 24))],
        # A client that leaves asks for many tokens, so its request is still generating when it goes.
        "max_tokens": 96 if disconnect else rng.randrange(8, 32), "temperature": 0.7, "seed": rng.randrange(1 << 30), "stream": True,
        "ignore_eos": True, "stream_options": {"include_usage": True},
    }
    events = 0
    finish, usage = None, None
    async with http.stream("POST", "/v1/completions", json=body) as response:
        if response.status_code != 200:
            return f"status {response.status_code}: {(await response.aread())[:100]!r}"
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            if line == "data: [DONE]":
                break
            events += 1
            chunk = json.loads(line[6:])
            if "error" in chunk:
                return f"error event {chunk['error']}"
            for choice in chunk["choices"]:
                finish = choice.get("finish_reason") or finish
            usage = chunk.get("usage") or usage
            if disconnect and events >= 2:
                return "disconnected"  # leaving the block closes the connection mid-stream
    if finish != "length" or not usage or usage["completion_tokens"] != body["max_tokens"]:
        return f"bad ending: finish {finish}, usage {usage}"
    return "ok"


async def run_round(server, seed):
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=CLIENTS + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=600) as http:
        plan = [(f"a{i % ADAPTER_COUNT:02d}", rng.random() < 0.2) for i in range(CLIENTS)]
        results = await asyncio.gather(
            *(one_client(http, random.Random(rng.random()), adapter, cut) for adapter, cut in plan))
    return plan, results


def wait_idle(server):
    """Waits until no request is live (running, waiting, or admitted and not yet ended)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        if (server.metric("vllm:num_requests_running") == 0 and server.metric("vllm:num_requests_waiting") == 0
                and server.metric("slora:live_requests") == 0):
            return True
        time.sleep(0.1)
    return False


def kv_pages_in_use(server):
    """Pool pages in use that no resident adapter holds: with no live request, KV pages not freed."""
    return int(server.metric("slora:pool_pages_used") - server.metric("slora:pool_adapter_pages"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slora", required=True, help="the slora binary")
    parser.add_argument("--results", help="folder to write load-test.md into")
    args = parser.parse_args()
    model_dir, _ = make_model_dir()
    adapter_args = []
    for i in range(ADAPTER_COUNT):
        adapter_args += ["--adapter", f"a{i:02d}={ADAPTERS / ADAPTER_NAMES[i % len(ADAPTER_NAMES)]}"]
    server = Server(args.slora, model_dir, [*adapter_args, "--pool-memory", POOL_MIB], "load")
    failures = []
    rows = []
    final_used = None
    try:
        total_pages = int(server.metric("slora:pool_pages_total"))
        for round_index in range(ROUNDS):
            rss_before = server.rss_kib()
            preempted_before = server.metric("vllm:num_preemptions_total")
            succeeded_before = server.metric_sum("vllm:request_success_total")
            started = time.time()
            plan, results = asyncio.run(run_round(server, round_index))
            seconds = time.time() - started
            disconnects = sum(1 for _, cut in plan if cut)
            bad = [r for r in results if r not in ("ok", "disconnected")]
            idle = wait_idle(server)
            healthy = httpx.get(server.base + "/health", timeout=10).status_code == 200
            leaked = kv_pages_in_use(server)
            adapter_pages = int(server.metric("slora:pool_adapter_pages"))
            preemptions = int(server.metric("vllm:num_preemptions_total") - preempted_before)
            cancelled = CLIENTS - int(server.metric_sum("vllm:request_success_total") - succeeded_before)
            rss_after = server.rss_kib()
            rows.append((round_index + 1, CLIENTS, len({a for a, _ in plan}), disconnects, results.count("ok"),
                         results.count("disconnected"), cancelled, len(bad), preemptions, f"{seconds:.1f}",
                         f"{adapter_pages}/{total_pages}", leaked, rss_before, rss_after))
            if bad:
                failures.append(f"round {round_index + 1}: {len(bad)} failed requests, e.g. {bad[:3]}")
            if not (idle and healthy):
                failures.append(f"round {round_index + 1}: not idle and healthy afterwards")
            if disconnects and cancelled == 0:
                failures.append(f"round {round_index + 1}: no disconnected request was cancelled by the server")
            if leaked != 0:
                failures.append(f"round {round_index + 1}: {leaked} KV pages not back in the free list")
        rss_growth = rows[-1][-1] - rows[0][-1]
        if rss_growth > max(16 * 1024, rows[0][-1] // 10):
            failures.append(f"resident memory grew by {rss_growth} KiB from round 1 to round {ROUNDS}")
        for i in range(ADAPTER_COUNT):
            r = httpx.post(server.base + "/v1/unload_lora_adapter", json={"lora_name": f"a{i:02d}"}, timeout=30)
            if r.status_code != 200:
                failures.append(f"unload a{i:02d}: {r.status_code}")
        wait_idle(server)
        for _ in range(100):  # the engine frees retired adapters' pages on its next step
            final_used = int(server.metric("slora:pool_pages_used"))
            if final_used == 0:
                break
            time.sleep(0.05)
        if final_used != 0:
            failures.append(f"{final_used} pages still in use after every request ended and every adapter was unloaded")
        status = server.stop()
        if status != 0:
            failures.append(f"exit status {status} after SIGTERM")
    finally:
        server.kill()
    lines = [
        f"{ROUNDS} rounds of {CLIENTS} concurrent streaming completions (random prompts of 4-23 tokens, 8-31 new "
        f"tokens, temperature 0.7) over {ADAPTER_COUNT} adapters on the tiny fixture model; a client picked with "
        "probability 1/5 asks for 96 tokens and disconnects after its second event. Pool: "
        f"{POOL_MIB} MiB = {total_pages} pages, so steps preempt requests and evict adapters.",
        "After each round: no request live, /health 200, pool pages in use other than resident adapters' = KV pages "
        "leaked (must be 0); RSS of the server process (VmRSS) before and after the round. \"cancelled by the server\" "
        "= requests that did not end in vllm:request_success_total (a client that left after its request's last "
        "token is not one).",
        "",
        "| round | requests | adapters | disconnects | completed | disconnected | cancelled by the server | failed "
        "| preemptions | seconds | adapter pages resident | KV pages leaked | RSS before (KiB) | RSS after (KiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    lines += [
        "",
        f"RSS growth from after round 1 to after round {ROUNDS}: {rows[-1][-1] - rows[0][-1]} KiB "
        f"(limit: max(16 MiB, 10%)) " if rows else "",
        f"After unloading all {ADAPTER_COUNT} adapters: {final_used} of {total_pages} pool pages in use "
        f"(pages leaked: {final_used}).",
        f"Result: {'pass' if not failures else 'FAIL: ' + '; '.join(failures)}.",
    ]
    report = "\n".join(lines)
    print("\n" + report + "\n")
    if args.results:
        Path(args.results).mkdir(parents=True, exist_ok=True)
        (Path(args.results) / "load-test.md").write_text(report + "\n")
    for f in failures:
        print("FAIL " + f)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
