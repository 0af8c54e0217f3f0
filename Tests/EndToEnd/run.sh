#!/usr/bin/env bash
# Runs the end-to-end tests of `slora serve` against a built binary: the openai-client suite
# (test_openai_e2e.py) and the 200-client load test (load_test.py).
#   Tests/EndToEnd/run.sh [path/to/slora]        (default: .build/debug/slora)
# Python: $SLORA_E2E_PYTHON if set, else a venv in .build/e2e-venv with openai, httpx and tokenizers
# from PyPI (created on first use).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$(realpath "${1:-$repo/.build/debug/slora}")"
python="${SLORA_E2E_PYTHON:-}"
if [ -z "$python" ]; then
    venv="$repo/.build/e2e-venv"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet "openai>=1.40" httpx "tokenizers>=0.20"
    fi
    python="$venv/bin/python"
fi
cd "$repo/Tests/EndToEnd"
"$python" test_openai_e2e.py --slora "$binary"
"$python" load_test.py --slora "$binary"
