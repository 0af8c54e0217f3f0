"""Bounded load test of `slora serve` (issue 4 item 7): 3 rounds of 200 concurrent streaming requests over
20 adapter names, about a fifth of the clients disconnecting mid-stream. The pool is small on purpose
(8 MiB ≈ 1024 pages ≈ 125 requests' worth of KV), so steps preempt requests and evict adapters.

After every round: /health is 200, no request is running or waiting, the pool holds only resident
adapters (kv_cache_usage_perc is the same after each round), and the server's resident memory (VmRSS)
does not keep growing. At the end every adapter is unloaded and the pool must be exactly empty: every
page is back in the free list.

Usage: python load_test.py --slora .build/debug/slora
Made with: httpx (asyncio), tokenizers 0.23.3 (see slora_fixture.py).
"""

import argparse
import asyncio
import json
import random
import sys
import time

import httpx

from slora_fixture import ADAPTERS, ADAPTER_NAMES, Server, make_model_dir

CLIENTS = 200
ADAPTER_COUNT = 20
ROUNDS = 3
POOL_MIB = 8


async def one_client(http, rng, adapter, disconnect):
    """One streaming completion; returns 'ok', 'disconnected', or an error string."""
    body = {
        "model": adapter, "prompt": [rng.randrange(3, 256) for _ in range(rng.randrange(4, 24))],
        "max_tokens": rng.randrange(8, 32), "temperature": 0.7, "seed": rng.randrange(1 << 30), "stream": True,
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
    deadline = time.time() + 120
    while time.time() < deadline:
        running = server.metric("vllm:num_requests_running")
        waiting = server.metric("vllm:num_requests_waiting")
        if running == 0 and waiting == 0:
            return True
        time.sleep(0.1)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slora", required=True, help="the slora binary")
    args = parser.parse_args()
    model_dir, _ = make_model_dir()
    adapter_args = []
    for i in range(ADAPTER_COUNT):
        adapter_args += ["--adapter", f"a{i:02d}={ADAPTERS / ADAPTER_NAMES[i % len(ADAPTER_NAMES)]}"]
    server = Server(args.slora, model_dir, [*adapter_args, "--pool-memory", POOL_MIB], "load")
    failures = []
    rows = []
    try:
        rss_start = server.rss_kib()
        usages = []
        for round_index in range(ROUNDS):
            started = time.time()
            plan, results = asyncio.run(run_round(server, round_index))
            seconds = time.time() - started
            disconnects = sum(1 for _, cut in plan if cut)
            bad = [r for r in results if r not in ("ok", "disconnected")]
            idle = wait_idle(server)
            healthy = server.metric("vllm:num_requests_running") == 0 and \
                httpx.get(server.base + "/health", timeout=10).status_code == 200
            usage = server.metric("vllm:kv_cache_usage_perc")
            usages.append(usage)
            rss = server.rss_kib()
            rows.append((round_index + 1, CLIENTS, ADAPTER_COUNT, disconnects, results.count("ok"), len(bad),
                         f"{seconds:.1f}", f"{usage:.6f}", rss))
            if bad:
                failures.append(f"round {round_index + 1}: {len(bad)} failed requests, e.g. {bad[:3]}")
            if not (idle and healthy):
                failures.append(f"round {round_index + 1}: not idle and healthy afterwards")
        if len(set(usages)) != 1:
            failures.append(f"pool usage differs between rounds (KV pages leaked?): {usages}")
        rss_growth = rows[-1][-1] - rows[0][-1]
        if rss_growth > max(16 * 1024, rows[0][-1] // 10):
            failures.append(f"resident memory grew by {rss_growth} KiB from round 1 to round {ROUNDS}")
        for i in range(ADAPTER_COUNT):
            r = httpx.post(server.base + "/v1/unload_lora_adapter", json={"lora_name": f"a{i:02d}"}, timeout=30)
            if r.status_code != 200:
                failures.append(f"unload a{i:02d}: {r.status_code}")
        wait_idle(server)
        final_usage = None
        for _ in range(100):  # the engine frees retired adapters' pages on its next step
            final_usage = server.metric("vllm:kv_cache_usage_perc")
            if final_usage == 0:
                break
            time.sleep(0.05)
        if final_usage != 0:
            failures.append(f"pages still in use after every request ended and every adapter was unloaded: {final_usage}")
        status = server.stop()
        if status != 0:
            failures.append(f"exit status {status} after SIGTERM")
    finally:
        server.kill()
    print(f"RSS at start: {rss_start} KiB; pool {POOL_MIB} MiB")
    print("| round | requests | adapters | disconnects | completed | failed | seconds | pool usage after | RSS after (KiB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")
    print(f"pool usage after unloading every adapter: {final_usage} (pages leaked: {'0' if final_usage == 0 else 'some'})")
    for f in failures:
        print("FAIL " + f)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
