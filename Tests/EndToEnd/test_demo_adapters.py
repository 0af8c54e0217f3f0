"""End-to-end test of the demo adapters through `slora serve` (issue 4 item 8).

Starts the real binary with the demo model (models/SmolLM2-135M-Instruct.Q4_1.gguf, scripts/fetch-demo-model)
and both demo adapters (adapters/capitals, adapters/json-answer), then asks each of the 5 unseen prompts of
adapters/eval_prompts.json as a chat (temperature 0, max_tokens 96, the model's own chat template) of the base
model and of each adapter. Oracles (the same checks scripts/train_demo_adapters.py applied to PEFT's outputs):
  capitals:    at least 90% of the answer's letters are upper case, and the base answer's are not;
  json-answer: the whole answer parses as a JSON object with an "answer" key.
Every prompt must pass. It also prints how far each answer agrees with the transformers + PEFT output in
eval_prompts.json (leading characters, and leading tokens: the server's tokens, from `logprobs`, that lie wholly
inside the common character prefix). slora runs the Q4_1 weights and PEFT ran them dequantized to float32, so
answers may drift apart after a while; that is reported, not required.

Usage: python test_demo_adapters.py --slora .build/debug/slora [--results DIR]
Made with: openai 3.57.0, httpx 0.28.1 (Tests/EndToEnd/requirements.txt).
"""

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai

from slora_fixture import REPO, Server

MODEL = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
ADAPTERS = ["capitals", "json-answer"]
TIMEOUT = 300  # seconds for all 15 answers; they take ~20 s on 2 cores with optimized CPU kernels
FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        FAILURES.append(what)


# MARK: - Oracles (as in scripts/train_demo_adapters.py)

def upper_fraction(text):
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def json_answer(text):
    """(passes, detail): the whole text is a JSON object with an "answer" key."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return False, f"not JSON ({error.msg} at char {error.pos})"
    if not isinstance(value, dict) or "answer" not in value:
        return False, "JSON but not an object with an \"answer\" key"
    return True, "JSON object with keys " + ", ".join(sorted(value))


def tokens_within(tokens, length):
    """How many leading tokens lie wholly inside the first `length` characters of their concatenation."""
    count, end = 0, 0
    for token in tokens:
        end += len(token)
        if end > length:
            break
        count += 1
    return count


def agreement(text, tokens, expected):
    """(leading characters equal, leading tokens equal, tokens of the answer text): tokens are the server's,
    from `logprobs`; a trailing end-of-turn token is not part of the text and not counted."""
    chars = 0
    for a, b in zip(text, expected):
        if a != b:
            break
        chars += 1
    return chars, tokens_within(tokens, chars), tokens_within(tokens, len(text))


# MARK: - Running

def ask(client, model, prompt, max_tokens):
    reply = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0,
        logprobs=True)
    choice = reply.choices[0]
    tokens = [t.token for t in (choice.logprobs.content if choice.logprobs else [])]
    return choice.message.content, tokens, choice.finish_reason, reply.usage


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slora", required=True, help="the slora binary")
    parser.add_argument("--results", help="folder to write demo-adapters.md into")
    args = parser.parse_args()
    if not MODEL.is_file():
        print(f"FAIL the demo model is missing: {MODEL} (run scripts/fetch-demo-model)")
        return 1
    evals = json.loads((REPO / "adapters" / "eval_prompts.json").read_text())
    max_tokens = evals["max_tokens"]
    adapter_args = []
    for name in ADAPTERS:
        adapter_args += ["--adapter", f"{name}={REPO / 'adapters' / name}"]
    server = Server(args.slora, MODEL, [*adapter_args, "--pool-memory", 256], "demo")
    client = openai.OpenAI(base_url=server.base + "/v1", api_key="unused", max_retries=0, timeout=TIMEOUT)
    base = MODEL.name.removesuffix(".gguf")
    jobs = [(model, i) for i in range(len(evals["prompts"])) for model in [base, *ADAPTERS]]
    started = time.time()
    try:
        with ThreadPoolExecutor(len(jobs)) as pool:  # all at once: the engine batches them
            answers = dict(zip(jobs, pool.map(
                lambda job: ask(client, job[0], evals["prompts"][job[1]]["prompt"], max_tokens), jobs)))
    except openai.APITimeoutError:
        server.kill()
        print(f"FAIL no answer within {TIMEOUT} s: is the binary's CPU code unoptimized? (Package.swift compiles "
              "the CPU kernels, CPUBackend and Llama with -O even in debug builds; a release build also works)")
        return 1
    finally:
        status = server.stop()
    seconds = time.time() - started
    check(status == 0, f"server exit status after SIGTERM is 0 (got {status})")

    rows = []
    for i, case in enumerate(evals["prompts"]):
        base_text, _, _, usage = answers[(base, i)]
        check(usage.prompt_tokens == len(case["prompt_token_ids"]),
              f"prompt {i + 1}: the chat template renders {usage.prompt_tokens} tokens, as PEFT's "
              f"{len(case['prompt_token_ids'])}")
        for model in [base, *ADAPTERS]:
            text, tokens, finish, _ = answers[(model, i)]
            key = "base" if model == base else model
            expected = evals["outputs"][key][i]["text"]
            chars, token_count, answer_tokens = agreement(text, tokens, expected)
            if model == "capitals":
                ok = upper_fraction(text) >= 0.9 and upper_fraction(base_text) < 0.9
                verdict = f"{upper_fraction(text):.0%} upper case (base {upper_fraction(base_text):.0%})"
            elif model == "json-answer":
                ok, verdict = json_answer(text)
            else:
                ok, verdict = True, "base (reference)"
            if model != base:
                check(ok, f"prompt {i + 1} via {model}: {verdict}")
            rows.append((i + 1, case["prompt"], key, text, verdict, ok, f"{chars}/{len(expected)}",
                         f"{token_count}/{answer_tokens}", finish))

    lines = [
        f"Demo model `{MODEL.name}`, adapters {', '.join(ADAPTERS)}; chat, temperature 0, max_tokens {max_tokens}; "
        f"{len(jobs)} requests at once, {seconds:.0f} s.",
        "Agreement with transformers + PEFT (float32, eval_prompts.json): leading characters equal / PEFT's "
        "length, and leading tokens equal / slora's token count.",
        "",
        "| # | prompt | model | slora's answer | check | chars agree | tokens agree | finish |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, prompt, key, text, verdict, ok, chars, tokens, finish in rows:
        shown = text.replace("|", "\\|").replace("\n", " ")
        if len(shown) > 90:
            shown = shown[:87] + "..."
        mark = "" if ok else " ✗"
        lines.append(f"| {n} | {prompt} | {key} | {shown} | {verdict}{mark} | {chars} | {tokens} | {finish} |")
    report = "\n".join(lines)
    print("\n" + report + "\n")
    if args.results:
        Path(args.results).mkdir(parents=True, exist_ok=True)
        (Path(args.results) / "demo-adapters.md").write_text(report + "\n")
    print(f"{len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
