"""End-to-end test of `slora serve` with the official `openai` Python client (issue 4 item 7).

Starts the real binary on loopback with the tiny fixture model, its four PEFT adapters and a byte-level
tokenizer (slora_fixture.py), then checks: /v1/models lineage; completions for the base model and every
adapter equal HF's greedy continuations (golden.json, decoded by HF `tokenizers`) and the engine's offline
greedy output for the same adapter (`slora generate --lora DIR`); streaming with usage
equals non-streaming; chat equals a completion of the rendered template; adapter load/unload during
traffic (good requests never fail, bad loads change nothing, requests using an adapter unloaded mid-stream
finish while new ones get 404, a reloaded name serves the new weights);
a table of bad inputs, each with its status and error type; SIGTERM drain (new requests refused,
in-flight ones finish, exit 0).

Usage: python test_openai_e2e.py --slora .build/debug/slora [--results DIR]   (DIR gets bad-inputs.md)
Made with: openai 3.57.0, httpx 0.28.1, tokenizers 0.23.3 (requirements.txt).
"""

import argparse
import json
import shutil
import subprocess
import signal
import sys
import tempfile
import threading
from pathlib import Path

import httpx
import openai

from slora_fixture import ADAPTER_NAMES, ADAPTERS, API_KEY, FIXTURE, Server, golden, make_model_dir

FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        FAILURES.append(what)


def make_adapter_root():
    """A temporary --adapter-root: copies of the fixture adapters, an invalid one, and a symlink out."""
    root = Path(tempfile.mkdtemp(prefix="slora-e2e-adapters-"))
    for name in ADAPTER_NAMES:
        shutil.copytree(ADAPTERS / name, root / name)
    (root / "junk").mkdir()
    (root / "junk" / "adapter_config.json").write_text("this is not json")
    (root / "escape").symlink_to(FIXTURE)
    return root


def complete(client, model, prompt, max_tokens=12, **extra):
    return client.completions.create(
        model=model, prompt=prompt, max_tokens=max_tokens, temperature=0, extra_body={"ignore_eos": True, **extra})


# MARK: - Cases

def test_models(client, base):
    models = client.models.list().data
    check([m.id for m in models] == [base, *ADAPTER_NAMES], f"/v1/models lists base then adapters: {[m.id for m in models]}")
    check(all(getattr(m, "parent", None) == base for m in models[1:]), "adapters have the base model as parent")


def test_golden_completions(client, base, tok):
    for adapter, prompt, generated in golden():
        name = adapter or base
        r = complete(client, name, prompt)
        expected = tok.decode(generated, skip_special_tokens=True)
        check(r.choices[0].text == expected, f"completion via '{name}' equals HF greedy output")
        check(r.usage.prompt_tokens == len(prompt) and r.usage.completion_tokens == 12, f"usage of '{name}'")
        check(r.choices[0].finish_reason == "length", f"finish_reason of '{name}' is length")


def test_offline_equality(client, base, tok, binary):
    """Adapter routing: each adapter's greedy completion over HTTP equals `slora generate` for that adapter."""
    for adapter, prompt, _ in golden():
        command = [str(binary), "generate", "--model", str(FIXTURE), "--device", "cpu", "--max-tokens", "12",
                   "--prompt-ids", ",".join(map(str, prompt))]
        if adapter:
            command += ["--lora", str(ADAPTERS / adapter)]
        run = subprocess.run(command, capture_output=True, text=True, timeout=300)
        ids = [int(t) for t in run.stdout.strip().split(",") if t] if run.returncode == 0 else None
        r = complete(client, adapter or base, prompt, ignore_eos=False)
        offline = tok.decode(ids, skip_special_tokens=True) if ids is not None else f"<generate failed: {run.stderr[-200:]}>"
        check(r.choices[0].text == offline, f"completion via '{adapter or base}' equals `slora generate` offline ({ids})")


def test_streaming(client, tok):
    adapter, prompt, generated = golden()[2]
    stream = client.completions.create(
        model=adapter, prompt=prompt, max_tokens=12, temperature=0, stream=True,
        stream_options={"include_usage": True}, extra_body={"ignore_eos": True})
    text, usage, finish = "", None, None
    for chunk in stream:
        for choice in chunk.choices:
            text += choice.text
            finish = choice.finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    check(text == tok.decode(generated, skip_special_tokens=True), "streamed text equals HF greedy output")
    check(usage is not None and usage.completion_tokens == 12, "stream_options.include_usage sends usage")
    check(finish == "length", "streamed finish_reason")


def test_chat(client):
    messages = [{"role": "user", "content": "Hello there"}]
    for model in ["r8-attn", "r16-pattern"]:
        chat = client.chat.completions.create(
            model=model, messages=messages, max_tokens=10, temperature=0, extra_body={"ignore_eos": True})
        plain = complete(client, model, "user: Hello there\nassistant:", max_tokens=10)
        check(chat.choices[0].message.content == plain.choices[0].text, f"chat via '{model}' equals the rendered prompt")
        streamed = client.chat.completions.create(
            model=model, messages=messages, max_tokens=10, temperature=0, stream=True, extra_body={"ignore_eos": True})
        text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
        check(text == chat.choices[0].message.content, f"streamed chat via '{model}' equals non-streamed")


def unload_while_streaming(client, http, name, prompt):
    """Starts 4 long streams on `name`, unloads it once each has its first token; returns their finish reasons."""
    finishes, started = [], [threading.Event() for _ in range(4)]

    def stream(first):
        finish = None
        for chunk in client.completions.create(
                model=name, prompt=prompt, max_tokens=60, temperature=0, stream=True, extra_body={"ignore_eos": True}):
            first.set()
            for choice in chunk.choices:
                finish = choice.finish_reason or finish
        finishes.append(finish)

    threads = [threading.Thread(target=stream, args=(e,)) for e in started]
    for t in threads:
        t.start()
    for e in started:
        e.wait(timeout=120)
    check(http.post("/unload_lora_adapter", json={"lora_name": name}).status_code == 200, "unload during traffic")
    for t in threads:
        t.join()
    return finishes


def test_load_unload_during_traffic(client, server, tok):
    cases = {a: (p, tok.decode(g, skip_special_tokens=True)) for a, p, g in golden() if a}
    http = httpx.Client(base_url=server.base + "/v1", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60)
    stop = threading.Event()
    results = []

    def traffic():
        prompt, expected = cases["r4-qv"]
        while not stop.is_set():
            try:
                results.append(complete(client, "r4-qv", prompt).choices[0].text == expected)
            except Exception as error:  # any failure of a good request is a test failure
                results.append(f"{type(error).__name__}: {error}")

    workers = [threading.Thread(target=traffic) for _ in range(4)]
    for w in workers:
        w.start()
    statuses = []
    for i in range(10):
        statuses.append(http.post("/load_lora_adapter", json={"lora_name": f"gone{i}", "lora_path": f"missing{i}"}).status_code == 404)
        statuses.append(http.post("/load_lora_adapter", json={"lora_name": f"junk{i}", "lora_path": "junk"}).status_code == 400)
        statuses.append(http.post("/load_lora_adapter", json={"lora_name": f"out{i}", "lora_path": "escape"}).status_code == 400)
    check(all(statuses), "bad loads during traffic: 404 / 400 each")
    r = http.post("/load_lora_adapter", json={"lora_name": "extra", "lora_path": "r8-attn"})
    check(r.status_code == 200 and "success" in r.text.lower(), f"load during traffic: {r.status_code} {r.text}")
    prompt, expected = cases["r8-attn"]
    check(complete(client, "extra", prompt).choices[0].text == expected, "a loaded adapter serves its golden output")
    in_use = unload_while_streaming(client, http, "extra", prompt)
    check(in_use == ["length"] * 4, f"requests using an adapter unloaded mid-stream finish: {in_use}")
    try:
        complete(client, "extra", prompt)
        check(False, "an unloaded adapter answers 404")
    except openai.NotFoundError:
        check(True, "an unloaded adapter answers 404")
    check(http.post("/load_lora_adapter", json={"lora_name": "extra", "lora_path": "r16-pattern"}).status_code == 200,
          "reload the name with other weights")
    prompt, expected = cases["r16-pattern"]
    check(complete(client, "extra", prompt).choices[0].text == expected, "the reloaded name serves the new weights")
    http.post("/unload_lora_adapter", json={"lora_name": "extra"})
    stop.set()
    for w in workers:
        w.join()
    bad = [r for r in results if r is not True]
    check(len(results) > 0 and not bad, f"{len(results)} good requests during load/unload, failures: {bad[:3]}")


def bad_input_table(base):
    long_prompt = [5] * 130
    return [
        # (case, path, body (dict, or str for raw bytes), headers, status, error type)
        ("malformed JSON", "/completions", "{not json", None, 400, "invalid_request_error"),
        ("body is an array", "/completions", "[1, 2]", None, 400, "invalid_request_error"),
        ("missing prompt", "/completions", {"model": base}, None, 400, "invalid_request_error"),
        ("unknown model", "/completions", {"model": "nope", "prompt": [5]}, None, 404, "not_found_error"),
        ("n = 2", "/completions", {"model": base, "prompt": [5], "n": 2}, None, 400, "invalid_request_error"),
        ("max_tokens = 0", "/completions", {"model": base, "prompt": [5], "max_tokens": 0}, None, 400, "invalid_request_error"),
        ("max_tokens negative", "/completions", {"model": base, "prompt": [5], "max_tokens": -5}, None, 400, "invalid_request_error"),
        ("temperature < 0", "/completions", {"model": base, "prompt": [5], "temperature": -1}, None, 400, "invalid_request_error"),
        ("temperature > 2", "/completions", {"model": base, "prompt": [5], "temperature": 3}, None, 400, "invalid_request_error"),
        ("top_p = 0", "/completions", {"model": base, "prompt": [5], "top_p": 0}, None, 400, "invalid_request_error"),
        ("top_p > 1", "/completions", {"model": base, "prompt": [5], "top_p": 1.5}, None, 400, "invalid_request_error"),
        ("logprobs > 20", "/completions", {"model": base, "prompt": [5], "logprobs": 21}, None, 400, "invalid_request_error"),
        ("prompt longer than the context", "/completions", {"model": base, "prompt": long_prompt}, None, 400, "invalid_request_error"),
        ("prompt + max_tokens > context", "/completions", {"model": base, "prompt": long_prompt[:100], "max_tokens": 50}, None, 400, "invalid_request_error"),
        ("token id out of vocabulary", "/completions", {"model": base, "prompt": [5, 300]}, None, 400, "invalid_request_error"),
        ("negative token id", "/completions", {"model": base, "prompt": [5, -1]}, None, 400, "invalid_request_error"),
        ("empty prompt", "/completions", {"model": base, "prompt": ""}, None, 400, "invalid_request_error"),
        ("stream is not a bool", "/completions", {"model": base, "prompt": [5], "stream": "yes"}, None, 400, "invalid_request_error"),
        ("stop is a number", "/completions", {"model": base, "prompt": [5], "stop": 7}, None, 400, "invalid_request_error"),
        ("chat without messages", "/chat/completions", {"model": base, "messages": []}, None, 400, "invalid_request_error"),
        ("chat with an unknown role", "/chat/completions", {"model": base, "messages": [{"role": "robot", "content": "hi"}]}, None, 400, "invalid_request_error"),
        ("chat messages not a list", "/chat/completions", {"model": base, "messages": "hi"}, None, 400, "invalid_request_error"),
        ("no API key", "/completions", {"model": base, "prompt": [5]}, {}, 401, "authentication_error"),
        ("wrong API key", "/completions", {"model": base, "prompt": [5]}, {"Authorization": "Bearer wrong"}, 401, "authentication_error"),
        ("load without lora_path", "/load_lora_adapter", {"lora_name": "x"}, None, 400, "invalid_request_error"),
        ("load a served name", "/load_lora_adapter", {"lora_name": "r4-qv", "lora_path": "r4-qv"}, None, 400, "invalid_request_error"),
        ("load under the base name", "/load_lora_adapter", {"lora_name": base, "lora_path": "r4-qv"}, None, 400, "invalid_request_error"),
        ("load a missing path", "/load_lora_adapter", {"lora_name": "x", "lora_path": "missing"}, None, 404, "not_found_error"),
        ("load with ..", "/load_lora_adapter", {"lora_name": "x", "lora_path": "../r4-qv"}, None, 400, "invalid_request_error"),
        ("load through a symlink out", "/load_lora_adapter", {"lora_name": "x", "lora_path": "escape"}, None, 400, "invalid_request_error"),
        ("load an absolute path outside", "/load_lora_adapter", {"lora_name": "x", "lora_path": str(FIXTURE)}, None, 400, "invalid_request_error"),
        ("load invalid adapter_config.json", "/load_lora_adapter", {"lora_name": "x", "lora_path": "junk"}, None, 400, "invalid_request_error"),
        ("unload an unknown name", "/unload_lora_adapter", {"lora_name": "nope"}, None, 404, "not_found_error"),
    ]


def test_bad_inputs(server, base, results):
    auth = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    rows = []
    for case, path, body, headers, status, error_type in bad_input_table(base):
        h = dict(auth) if headers is None else {"Content-Type": "application/json", **headers}
        content = body if isinstance(body, str) else None
        r = httpx.post(server.base + "/v1" + path, headers=h, content=content, json=None if content else body, timeout=30)
        try:
            found_type = r.json()["error"]["type"]
        except Exception:
            found_type = f"<not the error envelope: {r.text[:60]!r}>"
        ok = r.status_code == status and found_type == error_type
        rows.append((case, status, error_type, r.status_code, found_type, ok))
        check(ok, f"bad input '{case}': expected {status} {error_type}, got {r.status_code} {found_type}")
    r = httpx.get(server.base + "/v1/models/nope", headers=auth)
    check(r.status_code == 404, "GET /v1/models/<unknown> is 404")
    inputs = {case: (path, body, headers) for case, path, body, headers, *_ in bad_input_table(base)}
    lines = [f"{len(rows)} bad inputs sent to the running server with httpx (the model is `{base}`, API key set), each",
             "expecting an HTTP status and the `error.type` of the OpenAI error envelope.", "",
             "| # | case | request | expected status | expected error type | result |", "|---|---|---|---|---|---|"]
    for i, (case, status, error_type, got, found, ok) in enumerate(rows, 1):
        path, body, headers = inputs[case]
        shown = (body if isinstance(body, str) else json.dumps(body)).replace(str(FIXTURE.parents[2]), "<repo>")
        if len(shown) > 70:
            shown = shown[:67] + "..."
        auth = "" if headers is None else " (" + (", ".join(f"{k}: {v}" for k, v in headers.items()) or "no Authorization") + ")"
        shown = shown.replace("|", "\\|")
        result = f"{got} {found} " + ("pass" if ok else "FAIL")
        lines.append(f"| {i} | {case} | `POST /v1{path}` `{shown}`{auth} | {status} | {error_type} | {result} |")
    table = "\n".join(lines)
    print("\n" + table + "\n")
    if results:
        Path(results).mkdir(parents=True, exist_ok=True)
        (Path(results) / "bad-inputs.md").write_text(table + "\n")


def test_sigterm_drain(server, client):
    finishes = []
    started = [threading.Event() for _ in range(16)]

    def long_stream(first_chunk):
        stream = client.completions.create(
            model="r4-qv", prompt=[5, 6, 7], max_tokens=100, temperature=0, stream=True,
            extra_body={"ignore_eos": True})
        finish = None
        for chunk in stream:
            first_chunk.set()
            for choice in chunk.choices:
                finish = choice.finish_reason or finish
        finishes.append(finish)

    threads = [threading.Thread(target=long_stream, args=(event,)) for event in started]
    for t in threads:
        t.start()
    for event in started:  # every request is in flight (its first token arrived) before the signal
        event.wait(timeout=120)
    server.process.send_signal(signal.SIGTERM)
    try:
        r = httpx.post(server.base + "/v1/completions", headers={"Authorization": f"Bearer {API_KEY}"},
                       json={"prompt": [5], "max_tokens": 1}, timeout=10)
        check(r.status_code == 503, f"a request after SIGTERM is refused: {r.status_code}")
    except httpx.TransportError:
        check(True, "a request after SIGTERM is refused (connection closed)")
    for t in threads:
        t.join()
    check(finishes == ["length"] * 16, f"in-flight requests finish after SIGTERM: {finishes}")
    status = server.process.wait(timeout=60)
    check(status == 0, f"exit status after SIGTERM is 0 (got {status})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slora", required=True, help="the slora binary")
    parser.add_argument("--results", help="folder to write bad-inputs.md into")
    args = parser.parse_args()
    model_dir, tok = make_model_dir()
    adapter_root = make_adapter_root()
    adapter_args = []
    for name in ADAPTER_NAMES:
        adapter_args += ["--adapter", f"{name}={adapter_root / name}"]
    server = Server(
        args.slora, model_dir,
        [*adapter_args, "--adapter-root", adapter_root, "--api-key", API_KEY, "--shutdown-timeout", 60], "e2e")
    base = model_dir.name
    client = openai.OpenAI(base_url=server.base + "/v1", api_key=API_KEY, max_retries=0, timeout=120)
    try:
        test_models(client, base)
        test_golden_completions(client, base, tok)
        test_offline_equality(client, base, tok, args.slora)
        test_streaming(client, tok)
        test_chat(client)
        test_load_unload_during_traffic(client, server, tok)
        test_bad_inputs(server, base, args.results)
        test_sigterm_drain(server, client)
    finally:
        server.kill()
    print(f"\n{len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
