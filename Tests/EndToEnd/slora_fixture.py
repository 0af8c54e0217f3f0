"""Shared helpers of the end-to-end tests: a servable copy of the tiny fixture model and a running
`slora serve` process.

The fixture model (Tests/Fixtures/models/mha-untied, made by scripts/make_fixtures.py) has no
tokenizer. `make_model_dir` adds one built with HF `tokenizers`: byte-level BPE without merges, so token
id i is byte i (ids 0, 1, 2 are the special tokens <unk>, <s>, </s>), plus a tokenizer_config.json with a
small chat template. Its golden greedy continuations (HF transformers + PEFT) then have an exact text:
`tokenizer.decode(ids, skip_special_tokens=True)`.

Made with: python 3.11, openai 3.57.0, httpx 0.28.1, tokenizers 0.23.3 (requirements.txt).
"""

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "Tests" / "Fixtures" / "models" / "mha-untied"
ADAPTERS = FIXTURE / "adapters"
ADAPTER_NAMES = ["r4-qv", "r8-attn", "r16-pattern", "r64-rslora"]
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)
API_KEY = "e2e-secret"


def bytes_to_unicode():
    """GPT-2's byte → printable character table (the ByteLevel alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def make_tokenizer():
    table = bytes_to_unicode()
    specials = ["<unk>", "<s>", "</s>"]
    vocab = {table[b]: b for b in range(3, 256)}
    for i, s in enumerate(specials):
        vocab[s] = i
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def make_model_dir():
    """A temporary model directory: the fixture's config and weights (symlinked) plus the byte tokenizer."""
    root = Path(tempfile.mkdtemp(prefix="slora-e2e-"))
    model = root / "tiny-llama"
    model.mkdir()
    for name in ["config.json", "model.safetensors", "generation_config.json"]:
        (model / name).symlink_to(FIXTURE / name)
    tok = make_tokenizer()
    tok.save(str(model / "tokenizer.json"))
    (model / "tokenizer_config.json").write_text(
        json.dumps({"chat_template": CHAT_TEMPLATE, "bos_token": "<s>", "eos_token": "</s>", "add_bos_token": False})
    )
    return model, tok


def golden():
    """HF's greedy continuations: [(adapter or None, prompt ids, 12 generated ids)]."""
    data = json.loads((FIXTURE / "golden.json").read_text())
    return [(c["adapter"], c["prompt"], c["generated"]) for c in data["continuations"]]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`slora serve` on loopback; `stop()` sends SIGTERM and returns the exit status."""

    def __init__(self, binary, model_dir, args=(), log_name="serve"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(tempfile.gettempdir()) / f"slora-e2e-{log_name}-{self.port}.log", "w")
        command = [str(binary), "serve", "--model", str(model_dir), "--port", str(self.port), *map(str, args)]
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slora serve exited with {self.process.returncode}; log: {self.log.name}")
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("slora serve did not become healthy")

    def rss_kib(self):
        """Resident set size of the server process (VmRSS, KiB)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return -1

    def metric(self, name):
        """The first sample of a Prometheus metric (labels ignored)."""
        text = httpx.get(self.base + "/metrics", timeout=10).text
        for line in text.splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                return float(line.rsplit(" ", 1)[1])
        return None

    def metric_sum(self, name):
        """The sum of every sample of a Prometheus metric (all label sets; 0 when it has none yet)."""
        text = httpx.get(self.base + "/metrics", timeout=10).text
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith(name + "{") or line.startswith(name + " "))

    def stop(self, timeout=60):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.log.close()

    def kill(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
